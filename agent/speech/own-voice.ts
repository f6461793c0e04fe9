import type { RemoteAudioTrack, Room } from '@livekit/rtc-node';
import type { stt as sttNs, VAD } from '@livekit/agents';
import type { ReadableStream } from 'node:stream/web';
import type { Answer, Draft } from './answer.js';
import { VoiceIn } from './voice-in.js';
import { VoiceOut, type SpeechTap } from './voice-out.js';

/** What the interview job asks of the conversation's ears and mouth (SessionVoice or OwnVoice). */
export interface ConversationVoice {
  readonly agentTrack: Promise<void>;
  /** Whether `say()` can take a stream of text (a model's line, sentence by sentence). */
  readonly streamsText: boolean;
  attachCandidateAudio(track: RemoteAudioTrack | undefined): void;
  /** `onDraft`: each final transcript of a turn not yet over (SessionVoice; the scripted pipeline has no use for it). */
  listen(limitMs: number, signal: AbortSignal, onDraft?: (draft: Draft) => void): Promise<Answer>;
  say(text: string | ReadableStream<string>, audio: Int16Array | undefined, signal: AbortSignal, opts: { allowInterruptions: boolean; onStart?: () => void }): Promise<'done' | 'aborted'>;
  /** The conversation is over; the page shows the interviewer busy while the recording is finished. */
  finishing(): void;
  close(): Promise<void>;
}

/**
 * The scripted flow's own pipeline (Silero VAD end of answer, our published track, state and
 * captions), kept for interviews that do not run on the AgentSession: see interview-job.ts for
 * why. Prepared speech only.
 */
export class OwnVoice implements ConversationVoice {
  readonly streamsText = false;
  readonly agentTrack: Promise<void>;
  private readonly voiceIn: VoiceIn;
  private readonly voiceOut: VoiceOut;
  private readonly tap: () => SpeechTap | undefined;

  constructor(o: { room: Room; candidateIdentity: string; vad: VAD; stt?: sttNs.STT; clock(): number; tap(): SpeechTap | undefined; onCandidateAudio(samples: Int16Array): void }) {
    const out = new VoiceOut(o.room.localParticipant!);
    this.voiceOut = out;
    this.agentTrack = out.publish().then(() => out.setState('initializing'));
    const voiceIn: VoiceIn = new VoiceIn({
      vad: o.vad,
      ...(o.stt ? { stt: o.stt } : {}),
      clock: o.clock,
      onAudio: (s) => o.onCandidateAudio(s),
      onTranscript: (text) => void out.caption(text, { trackSid: voiceIn.trackSid, senderIdentity: o.candidateIdentity }),
    });
    this.voiceIn = voiceIn;
    this.tap = o.tap;
  }

  attachCandidateAudio(track: RemoteAudioTrack | undefined): void {
    if (track) this.voiceIn.attach(track);
    else this.voiceIn.detach();
  }

  async listen(limitMs: number, signal: AbortSignal): Promise<Answer> {
    await this.voiceOut.setState('listening');
    return this.voiceIn.listen(limitMs, signal);
  }

  async say(text: string | ReadableStream<string>, audio: Int16Array | undefined, signal: AbortSignal, opts: { onStart?: () => void }): Promise<'done' | 'aborted'> {
    if (typeof text !== 'string' || !audio) throw new Error('OwnVoice says prepared speech only');
    await this.voiceOut.setState('thinking');
    // The recording begins after the voice is up: its tap is looked up for each line.
    this.voiceOut.tap = this.tap();
    const result = await this.voiceOut.play(audio, signal, () => {
      opts.onStart?.();
      void this.voiceOut.caption(text);
    });
    await this.voiceOut.setState('listening');
    return result;
  }

  finishing(): void {
    void this.voiceOut.setState('thinking');
  }

  async close(): Promise<void> {
    this.voiceIn.detach();
    await this.voiceOut.close();
  }
}
