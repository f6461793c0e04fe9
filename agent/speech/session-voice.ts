import { readFrames } from '../read-stream.js';
import { AudioFrame, AudioStream, RoomEvent, TrackKind, type RemoteAudioTrack, type Room } from '@livekit/rtc-node';
import { inference, voice, type llm as llmNs, type stt as sttNs, type tts as ttsNs, type VAD } from '@livekit/agents';
import { ReadableStream } from 'node:stream/web';
import type { Answer, Draft } from './answer.js';
import type { ConversationVoice } from './own-voice.js';
import { SPEECH_SAMPLE_RATE } from './synthesizers.js';
import type { SpeechTap } from './voice-out.js';
import { CANDIDATE_FRAME_MS } from './voice-in.js';
import { turnDetectionOf, type TurnDetectorChoice } from '../options.js';

export interface SessionVoiceOptions {
  room: Room;
  candidateIdentity: string;
  /** Silero, loaded in prewarm; its silence threshold ends a stretch of speech. */
  vad: VAD;
  /** The VAD's minSilenceDuration (ms): a stretch of speech ended this long before the VAD says so. */
  silenceMs: number;
  /** With text: LiveKit's local turn detector weighs whether the answer is over, or (`off`) not. */
  turnDetector: TurnDetectorChoice;
  /** Deepgram STT; without it the turn ends on the VAD alone and answers have no text. */
  stt?: sttNs.STT;
  /** Deepgram TTS, for what a model says (streamed sentence by sentence); prepared lines come as audio. */
  tts?: ttsNs.TTS;
  /** The interviewer's model, so the session reports its llm_metrics; the session never replies with it. */
  llm?: llmNs.LLM;
  /** Recording clock (ms from the recording start). */
  clock(): number;
  /** Where the recorder hears the interviewer, once there is a recording. */
  tap(): SpeechTap | undefined;
  /** Every frame of the candidate's microphone, for the recorder. */
  onCandidateAudio(samples: Int16Array): void;
  onMetrics?(m: voice.MetricsCollectedEvent['metrics']): void;
}

/** A stretch of the candidate's speech shorter than this never reaches the VAD's START_OF_SPEECH. */
const MIN_SPEECH_MS = 250;
/** A turn that ended this close to the start of listening was said before the question ended. */
const STALE_END_MS = 300;
const FRAME_SAMPLES = SPEECH_SAMPLE_RATE / 50; // 20 ms

/**
 * The agent's audio on its way to the room passes here first: the recorder hears every frame as
 * it is handed on (at the pace the room's audio source takes it), and forgets what an
 * interruption cut.
 */
class RecorderTee extends voice.AudioOutput {
  constructor(
    next: voice.AudioOutput,
    private readonly tap: () => SpeechTap | undefined,
    private readonly onFrame: () => void,
  ) {
    super(next.sampleRate, next, { pause: false });
  }

  override async captureFrame(frame: AudioFrame): Promise<void> {
    await super.captureFrame(frame);
    this.onFrame();
    this.tap()?.pushAgentAudio(frame.data.subarray(0, frame.samplesPerChannel));
    await this.nextInChain!.captureFrame(frame);
  }

  override flush(): void {
    super.flush();
    this.nextInChain!.flush();
  }

  clearBuffer(): void {
    this.nextInChain!.clearBuffer();
    this.tap()?.clearAgentAudio();
  }
}

/** Our plan decides what follows each answer: the session hands us the turn and says nothing itself. */
class PlanAgent extends voice.Agent {
  constructor(private readonly onTurn: (text: string) => void) {
    super({ instructions: 'The interviewer plan speaks through say(); this agent never generates a reply.' });
  }

  override async onUserTurnCompleted(_ctx: unknown, message: { textContent?: string | undefined }): Promise<void> {
    this.onTurn(message.textContent ?? '');
    throw new voice.StopResponse();
  }
}

interface Window {
  begin: number;
  startMs: number;
  endMs: number;
  speechMs: number;
  finals: string[];
  lastFinalAt: number | undefined;
  wake(): void;
  turn: string | undefined;
  turnAt: number | undefined;
  onDraft: ((draft: Draft) => void) | undefined;
}

/** A model's line as the session's TTS takes it: the first sentence now, the rest as they are checked. */
export function sentencesOf(first: string, tail?: { sentences: AsyncIterable<string> }): ReadableStream<string> {
  const rest = tail?.sentences[Symbol.asyncIterator]();
  let sentFirst = false;
  return new ReadableStream<string>({
    async pull(c) {
      if (!sentFirst) {
        sentFirst = true;
        return c.enqueue(first);
      }
      const next = rest ? await rest.next() : { done: true as const, value: undefined };
      if (next.done) c.close();
      else c.enqueue(` ${next.value}`);
    },
  });
}

function framesOf(pcm: Int16Array): ReadableStream<AudioFrame> {
  let at = 0;
  return new ReadableStream<AudioFrame>({
    pull(c) {
      if (at >= pcm.length) return c.close();
      const chunk = pcm.slice(at, Math.min(pcm.length, at + FRAME_SAMPLES));
      at += FRAME_SAMPLES;
      c.enqueue(new AudioFrame(chunk, SPEECH_SAMPLE_RATE, 1, chunk.length));
    },
  });
}

/**
 * The conversation's ears and mouth on agents-js's `voice.AgentSession`: RoomIO hears the
 * candidate (Silero VAD, Deepgram STT when configured, the local `v1-mini` turn detector) and
 * speaks for us (one published track, `lk.agent.state`, captions on `lk.transcription`), with
 * interruptions in `'vad'` mode. The plan stays ours: each completed turn is handed to `listen()`
 * and the session is stopped from replying (`StopResponse`); what is said next is `say()`.
 */
export class SessionVoice implements ConversationVoice {
  readonly streamsText = true;
  private window: Window | undefined;
  private speakingSince: number | undefined;
  private firstFrame: (() => void) | undefined;
  private candidateAudio: { stop(): void } | undefined;
  readonly agentTrack: Promise<void>;

  private constructor(
    private readonly session: voice.AgentSession,
    private readonly opts: SessionVoiceOptions,
  ) {
    const { room } = opts;
    this.agentTrack = new Promise<void>((resolve) => {
      const has = () => [...(room.localParticipant?.trackPublications.values() ?? [])].some((p) => p.kind === TrackKind.KIND_AUDIO);
      if (has()) return resolve();
      const on = () => {
        if (!has()) return;
        room.off(RoomEvent.LocalTrackPublished, on);
        resolve();
      };
      room.on(RoomEvent.LocalTrackPublished, on);
    });
    const E = voice.AgentSessionEventTypes;
    session.on(E.UserStateChanged, (ev) => {
      const now = opts.clock();
      if (ev.newState === 'speaking') {
        this.speakingSince = Math.max(0, now - MIN_SPEECH_MS);
        const w = this.window;
        if (w && w.startMs < 0) w.startMs = Math.max(w.begin, this.speakingSince);
      } else if (ev.oldState === 'speaking') {
        // The VAD says "ended" once it has heard `silenceMs` of quiet.
        const end = Math.max(this.speakingSince ?? now, now - opts.silenceMs);
        const w = this.window;
        if (w && w.startMs >= 0) {
          w.speechMs += end - Math.max(w.startMs, this.speakingSince ?? end);
          w.endMs = end;
        }
        this.speakingSince = undefined;
      }
      this.window?.wake();
    });
    session.on(E.UserInputTranscribed, (ev) => {
      const w = this.window;
      if (!w || !ev.isFinal || !ev.transcript.trim()) return;
      w.finals.push(ev.transcript.trim());
      w.lastFinalAt = opts.clock();
      // Speech heard before the question ended is not this turn's (listen() drops it too).
      if (w.startMs < 0 || !w.onDraft) return;
      const now = opts.clock();
      const open = this.speakingSince !== undefined ? now - Math.max(w.startMs, this.speakingSince) : 0;
      w.onDraft({ text: w.finals.join(' '), speechMs: w.speechMs + Math.max(0, open) });
    });
    if (opts.onMetrics) session.on(E.MetricsCollected, (ev) => opts.onMetrics!(ev.metrics));
    // Errors of STT/TTS are reported here; a lost recogniser must not end the interview.
    session.on(E.Error, () => {});
  }

  static async start(opts: SessionVoiceOptions): Promise<SessionVoice> {
    const withText = opts.stt !== undefined;
    const session = new voice.AgentSession({
      vad: opts.vad,
      ...(opts.stt ? { stt: opts.stt } : {}),
      ...(opts.tts ? { tts: opts.tts } : {}),
      ...(opts.llm ? { llm: opts.llm } : {}),
      userAwayTimeout: null,
      // Our guardrails clean what a model says before it gets here; prepared lines are plain text.
      ttsTextTransforms: null,
      turnHandling: {
        // Pinned: in dev mode the automatic choice is LiveKit Cloud's `v1`. Without text there is
        // nothing for it to weigh, and the VAD's silence threshold ends the turn, as before; so
        // it does with AGENT_TURN_DETECTOR=off (with text, once the final transcript is in too).
        turnDetection: turnDetectionOf({ withText, choice: opts.turnDetector, silenceMs: opts.silenceMs }) === 'v1-mini' ? new inference.TurnDetector({ version: 'v1-mini' }) : 'vad',
        // The turn ends when the VAD's silence ends it (or the transcript lands), not later.
        endpointing: { minDelay: Math.min(opts.silenceMs, 500), maxDelay: Math.max(1500, opts.silenceMs * 2) },
        // Self-hosted, the VAD decides an interruption ('adaptive' calls LiveKit Cloud). Lines the
        // plan cannot lose (the disclosure, each question) are said with interruptions off.
        interruption: { mode: 'vad', resumeFalseInterruption: false },
        // The session never replies on its own: nothing to generate ahead.
        preemptiveGeneration: { enabled: false },
      },
    });
    const self = new SessionVoice(session, opts);
    const agent = new PlanAgent((text) => self.onTurn(text));
    await session.start({
      agent,
      room: opts.room,
      inputOptions: { participantIdentity: opts.candidateIdentity, closeOnDisconnect: false, textEnabled: false },
      outputOptions: { audioSampleRate: SPEECH_SAMPLE_RATE, audioNumChannels: 1 },
      // The interview's recording is ours (RECORDER); the session keeps no copy of its own.
      record: false,
    });
    const out = session.output.audio;
    if (out) session.output.audio = new RecorderTee(out, opts.tap, () => self.onFirstFrame());
    return self;
  }

  /** The candidate's microphone for the recorder (the session reads its own copy). */
  attachCandidateAudio(track: RemoteAudioTrack | undefined): void {
    this.candidateAudio?.stop();
    this.candidateAudio = undefined;
    if (!track) return;
    const stop = readFrames(new AudioStream(track, { sampleRate: SPEECH_SAMPLE_RATE, numChannels: 1, frameSizeMs: CANDIDATE_FRAME_MS }), (frame) =>
      this.opts.onCandidateAudio(frame.data.subarray(0, frame.samplesPerChannel)),
    );
    this.candidateAudio = { stop };
  }

  private onFirstFrame(): void {
    const f = this.firstFrame;
    this.firstFrame = undefined;
    f?.();
  }

  private onTurn(text: string): void {
    const w = this.window;
    if (!w) return;
    w.turn = text.trim();
    w.turnAt = this.opts.clock();
    w.wake();
  }

  /**
   * Listens for one answer: until the session ends the candidate's turn, `limitMs` passes, or
   * `signal` aborts. Start and end are recording offsets, from the VAD's speech boundaries.
   * `onDraft` hears each final transcript as it lands, before the turn detector has decided the
   * turn is over: a model's reply can be written while the session waits to be sure.
   */
  async listen(limitMs: number, signal: AbortSignal, onDraft?: (draft: Draft) => void): Promise<Answer> {
    const clock = this.opts.clock;
    const begin = clock();
    const deadline = performance.now() + limitMs;
    let wake: () => void = () => {};
    const w: Window = { begin, startMs: this.speakingSince !== undefined ? begin : -1, endMs: begin, speechMs: 0, finals: [], lastFinalAt: undefined, wake: () => wake(), turn: undefined, turnAt: undefined, onDraft };
    this.window = w;
    const answer = (outcome: Answer['outcome']): Answer => {
      this.window = undefined;
      const startMs = w.startMs < 0 ? w.endMs : w.startMs;
      const joined = w.turn || w.finals.join(' ');
      const text = this.opts.stt && joined ? joined : null;
      return { outcome, startMs, endMs: Math.max(startMs, w.endMs), speechMs: Math.max(0, w.speechMs), text, ...(text && w.lastFinalAt !== undefined ? { finalAtMs: w.lastFinalAt } : {}), ...(w.turnAt !== undefined ? { turnAtMs: w.turnAt } : {}) };
    };
    for (;;) {
      if (signal.aborted) {
        if (this.speakingSince !== undefined && w.startMs >= 0) {
          w.endMs = clock();
          w.speechMs += w.endMs - Math.max(w.startMs, this.speakingSince);
        }
        this.session.clearUserTurn();
        return answer('aborted');
      }
      if (w.turn !== undefined) {
        if (w.startMs < 0 || w.endMs <= begin + STALE_END_MS) {
          // Speech that stopped as we began (the candidate talked over the question): not an answer.
          if (w.startMs >= 0 && w.endMs <= begin + STALE_END_MS) Object.assign(w, { startMs: -1, speechMs: 0, finals: [], lastFinalAt: undefined });
          w.turn = undefined;
          w.turnAt = undefined;
        } else return answer('answered');
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        if (w.startMs < 0) return answer('silent');
        if (this.speakingSince !== undefined) {
          w.endMs = clock();
          w.speechMs += w.endMs - Math.max(w.startMs, this.speakingSince);
        }
        this.session.clearUserTurn();
        return answer('limit');
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, left));
        wake = done;
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  /**
   * Says prepared speech (`audio`, 48 kHz mono, with `text` for the captions), or streams `text`
   * through the session's TTS when no audio is given. `onStart` runs as the first frame goes out.
   * Resolves once played out (or cut short by the candidate speaking), or at once when `signal`
   * aborts.
   */
  async say(text: string | ReadableStream<string>, audio: Int16Array | undefined, signal: AbortSignal, opts: { allowInterruptions: boolean; onStart?: () => void }): Promise<'done' | 'aborted'> {
    if (signal.aborted) return 'aborted';
    let started = false;
    this.firstFrame = () => {
      started = true;
      opts.onStart?.();
    };
    const handle = this.session.say(text, { ...(audio ? { audio: framesOf(audio) } : {}), allowInterruptions: opts.allowInterruptions, addToChatCtx: false });
    const onAbort = () => {
      try {
        handle.interrupt(true);
      } catch {
        // already done
      }
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await Promise.race([handle.waitForPlayout(), new Promise((r) => signal.addEventListener('abort', r, { once: true }))]);
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (!started) this.firstFrame = undefined;
    }
    return signal.aborted ? 'aborted' : 'done';
  }

  finishing(): void {
    // The session shows its own state; nothing more is said.
  }

  async close(): Promise<void> {
    this.attachCandidateAudio(undefined);
    await this.session.close().catch(() => {});
  }
}
