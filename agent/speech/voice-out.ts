import { AudioFrame, AudioSource, LocalAudioTrack, TrackPublishOptions, TrackSource, type LocalParticipant } from '@livekit/rtc-node';
import { SPEECH_SAMPLE_RATE } from './synthesizers.js';

export type AgentState = 'initializing' | 'listening' | 'thinking' | 'speaking';

/** Attribute and topic the LiveKit agents convention uses; the candidate page reads both. */
const STATE_ATTRIBUTE = 'lk.agent.state';
const TRANSCRIPTION_TOPIC = 'lk.transcription';

const FRAME_SAMPLES = SPEECH_SAMPLE_RATE / 50; // 20 ms

export interface SpeechTap {
  /** The recorder hears every frame as it is handed to the room. */
  pushAgentAudio(samples: Int16Array): void;
  clearAgentAudio(): void;
}

/**
 * The interviewer's voice in the room: one published audio track, the `lk.agent.state` attribute
 * and captions on the `lk.transcription` text-stream topic.
 */
export class VoiceOut {
  private source = new AudioSource(SPEECH_SAMPLE_RATE, 1, 200);
  private trackSid = '';
  private state: AgentState | undefined;
  private stateSent: Promise<void> = Promise.resolve();
  private segment = 0;
  tap: SpeechTap | undefined;

  constructor(private readonly participant: LocalParticipant) {}

  async publish(): Promise<void> {
    const track = LocalAudioTrack.createAudioTrack('interviewer-voice', this.source);
    const pub = await this.participant.publishTrack(track, new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }));
    this.trackSid = pub.sid ?? '';
  }

  /** Publishes the state without waiting for the server: speech must not wait on an attribute. */
  setState(state: AgentState): Promise<void> {
    if (this.state === state) return this.stateSent;
    this.state = state;
    // Chained, so the page sees the states in the order they happened.
    this.stateSent = this.stateSent.then(() => this.participant.setAttributes({ [STATE_ATTRIBUTE]: state })).catch(() => {});
    return Promise.resolve();
  }

  /** Sends a caption for a speaker's track (the agent's own unless given). */
  async caption(text: string, opts: { trackSid?: string; senderIdentity?: string } = {}): Promise<void> {
    const id = `SG_${this.participant.identity}_${++this.segment}`;
    try {
      const writer = await this.participant.streamText({
        topic: TRANSCRIPTION_TOPIC,
        attributes: { 'lk.transcribed_track_id': opts.trackSid ?? this.trackSid, 'lk.segment_id': id, 'lk.transcription_final': 'true' },
        ...(opts.senderIdentity ? { senderIdentity: opts.senderIdentity } : {}),
      });
      await writer.write(text);
      await writer.close();
    } catch {
      // Captions are a convenience for the page; the transcript is kept in Postgres regardless.
    }
  }

  /**
   * Plays prepared speech. `onStart` runs as the first frame goes out. Resolves once it has been
   * played out, or at once (with the rest dropped) when `signal` aborts.
   */
  async play(pcm: Int16Array, signal: AbortSignal, onStart?: () => void): Promise<'done' | 'aborted'> {
    if (signal.aborted) return 'aborted';
    void this.setState('speaking');
    let started = false;
    for (let at = 0; at < pcm.length; at += FRAME_SAMPLES) {
      if (signal.aborted) break;
      const chunk = pcm.slice(at, Math.min(pcm.length, at + FRAME_SAMPLES));
      if (!started) {
        started = true;
        onStart?.();
      }
      this.tap?.pushAgentAudio(chunk);
      await this.source.captureFrame(new AudioFrame(chunk, SPEECH_SAMPLE_RATE, 1, chunk.length));
    }
    if (!signal.aborted) {
      await Promise.race([this.source.waitForPlayout(), new Promise((r) => signal.addEventListener('abort', r, { once: true }))]);
    }
    if (signal.aborted) {
      this.source.clearQueue();
      this.tap?.clearAgentAudio();
      return 'aborted';
    }
    return 'done';
  }

  async close(): Promise<void> {
    await this.source.close().catch(() => {});
  }
}
