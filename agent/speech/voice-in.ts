import { readFrames } from '../read-stream.js';
import { AudioStream, type RemoteAudioTrack } from '@livekit/rtc-node';
import type { VAD, VADStream, stt as sttNs } from '@livekit/agents';
import { SPEECH_SAMPLE_RATE } from './synthesizers.js';

export type { Answer } from './answer.js';
import type { Answer } from './answer.js';

/**
 * The candidate's microphone arrives in frames this long (rtc-node's default is 10 ms): a third
 * as many FFI events, VAD pushes and recorder writes; the VAD still decides on its own 32 ms windows.
 */
export const CANDIDATE_FRAME_MS = 30;

export interface VoiceInOptions {
  vad: VAD;
  /** Deepgram (or another) streaming STT; without it answers are kept as audio only. */
  stt?: sttNs.STT;
  /** Recording clock (ms from the recording start). */
  clock(): number;
  /** Every candidate frame goes to the recorder too. */
  onAudio(samples: Int16Array): void;
  /** Called with each final transcript (for captions). */
  onTranscript?(text: string): void;
}

type Waiter = () => void;

/** A turn that ended this close to the start of listening was said before the question ended. */
const STALE_END_MS = 300;

/**
 * The candidate's microphone: feeds the recorder, runs Silero VAD for end of turn, and (with a
 * key) Deepgram STT for text. One track at a time; a rejoin attaches the new track.
 */
export class VoiceIn {
  speaking = false;
  private speechStartMs = 0;
  private lastEnd: { endMs: number; speechMs: number } | undefined;
  private finals: string[] = [];
  private lastFinalAt: number | undefined;
  private waiters = new Set<Waiter>();
  private stop: (() => void) | undefined;
  trackSid = '';

  constructor(private readonly opts: VoiceInOptions) {}

  attach(track: RemoteAudioTrack): void {
    this.detach();
    this.trackSid = track.sid ?? '';
    const audio = new AudioStream(track, { sampleRate: SPEECH_SAMPLE_RATE, numChannels: 1, frameSizeMs: CANDIDATE_FRAME_MS });
    const vad = this.opts.vad.stream();
    const stt = this.opts.stt?.stream();
    let live = true;
    const stopReading = readFrames(audio, (frame) => {
      this.opts.onAudio(frame.data.subarray(0, frame.samplesPerChannel));
      vad.pushFrame(frame);
      stt?.pushFrame(frame);
    });
    this.stop = () => {
      live = false;
      stopReading();
      vad.close();
      stt?.close();
      if (this.speaking) this.onSpeechEnd(this.opts.clock(), 0);
    };
    void this.readVad(vad, () => live);
    if (stt) void this.readStt(stt, () => live);
  }

  detach(): void {
    this.stop?.();
    this.stop = undefined;
  }

  private async readVad(vad: VADStream, live: () => boolean): Promise<void> {
    const { VADEventType } = await import('@livekit/agents');
    try {
      for await (const ev of vad) {
        if (!live()) break;
        if (ev.type === VADEventType.START_OF_SPEECH) {
          this.speaking = true;
          this.speechStartMs = Math.max(0, this.opts.clock() - ev.speechDuration);
          this.notify();
        } else if (ev.type === VADEventType.END_OF_SPEECH) {
          this.onSpeechEnd(this.opts.clock() - ev.silenceDuration, ev.speechDuration);
        }
      }
    } catch {
      // closed
    }
  }

  private onSpeechEnd(endMs: number, speechMs: number): void {
    if (!this.speaking) return;
    this.speaking = false;
    this.lastEnd = { endMs: Math.max(this.speechStartMs, endMs), speechMs: speechMs || endMs - this.speechStartMs };
    this.notify();
  }

  private async readStt(stream: sttNs.SpeechStream, live: () => boolean): Promise<void> {
    const { stt } = await import('@livekit/agents');
    try {
      for await (const ev of stream) {
        if (!live()) break;
        if (ev.type === stt.SpeechEventType.FINAL_TRANSCRIPT) {
          const text = ev.alternatives?.[0]?.text?.trim();
          if (text) {
            this.finals.push(text);
            this.lastFinalAt = this.opts.clock();
            this.opts.onTranscript?.(text);
            this.notify();
          }
        }
      }
    } catch {
      // closed
    }
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  private waitForChange(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * Listens for one answer: from now until the candidate has spoken and then stayed silent for
   * the VAD's silence threshold, or `limitMs` passed, or `signal` aborted.
   */
  async listen(limitMs: number, signal: AbortSignal): Promise<Answer> {
    const begin = this.opts.clock();
    const deadline = performance.now() + limitMs;
    this.lastEnd = undefined;
    this.finals = [];
    this.lastFinalAt = undefined;
    let startMs = this.speaking ? begin : -1;
    let speechMs = 0;
    for (;;) {
      if (signal.aborted) {
        // Keep what was said before the interruption (End, a drop, the closing time); the drop
        // itself may have just closed the candidate's speech.
        const now = this.opts.clock();
        const ended = this.takeEnd();
        if (ended) {
          if (startMs < 0) startMs = Math.max(begin, ended.endMs - ended.speechMs);
          speechMs += Math.min(ended.speechMs, ended.endMs - startMs);
          return this.answer('aborted', startMs, ended.endMs, speechMs);
        }
        if (this.speaking) speechMs += now - Math.max(this.speechStartMs, startMs < 0 ? begin : startMs);
        return this.answer('aborted', startMs, startMs < 0 ? begin : now, speechMs);
      }
      if (this.speaking && startMs < 0) startMs = Math.max(begin, this.speechStartMs);
      const ended = this.takeEnd();
      if (ended && ended.endMs <= begin + STALE_END_MS) {
        // Speech that stopped as we began (the candidate talked over the question): not an answer.
        startMs = -1;
        speechMs = 0;
        continue;
      }
      if (ended) {
        speechMs += ended.speechMs;
        const end = ended.endMs;
        if (startMs >= 0) {
          // Give the recogniser a moment to deliver the final words of the turn.
          if (this.opts.stt && this.finals.length === 0) await this.waitForChange(300, signal);
          return this.answer('answered', startMs, end, speechMs);
        }
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        if (startMs < 0) return this.answer('silent', begin, begin, 0);
        if (this.speaking) speechMs += this.opts.clock() - Math.max(this.speechStartMs, startMs);
        return this.answer('limit', startMs, this.opts.clock(), speechMs);
      }
      await this.waitForChange(left, signal);
    }
  }

  private takeEnd(): { endMs: number; speechMs: number } | undefined {
    const e = this.lastEnd;
    this.lastEnd = undefined;
    return e;
  }

  private answer(outcome: Answer['outcome'], startMs: number, endMs: number, speechMs: number): Answer {
    const s = startMs < 0 ? endMs : startMs;
    const text = this.finals.length > 0 ? this.finals.join(' ') : null;
    return { outcome, startMs: s, endMs: Math.max(s, endMs), speechMs, text, ...(text && this.lastFinalAt !== undefined ? { finalAtMs: this.lastFinalAt } : {}) };
  }
}
