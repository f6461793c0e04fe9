// A synthetic candidate in Node with @livekit/rtc-node, for `interviewctl loadtest`, the cluster
// test and bench:agent: joins through serve's real join API, publishes a camera-like video track (a
// moving pattern, 640x360 at 20 fps) and a microphone that sends silence until it answers with
// spoken PCM, hears the interviewer's track and measures, from its own side, when the
// interviewer's voice arrives. `BROWSER_CAMERA` publishes like the candidate page instead (what
// livekit-client does by default: 1280x720 at 30 fps, simulcast), for measuring what the agent
// pays for a real browser's camera.
//
// Turn taking: a caption (lk.transcription) that ends with "?" is a question (or the follow-up);
// once the interviewer's audio has been quiet for ANSWER_AFTER_QUIET_MS after it, the candidate
// answers. The closing words ("Goodbye") end the conversation.
//
// rtc-node logs at debug level to stdout unless NODE_ENV is production when it is first loaded:
// callers that print to stdout import this module with NODE_ENV=production.
import {
  AudioFrame,
  AudioSource,
  AudioStream,
  LocalAudioTrack,
  LocalVideoTrack,
  Room,
  RoomEvent,
  TrackKind,
  TrackPublishOptions,
  TrackSource,
  VideoBufferType,
  VideoFrame,
  VideoSource,
  dispose,
  type RemoteTrack,
} from '@livekit/rtc-node';
import { CANDIDATE_SAMPLE_RATE, dbfs, LOUD_DBFS } from './candidate-speech.js';
export { CANDIDATE_SAMPLE_RATE, dbfs, LOUD_DBFS, voicedPart } from './candidate-speech.js';

/** Releases rtc-node's native side once every candidate is done (the process can exit then). */
export const disposeRtc = (): Promise<void> => dispose();

const FRAME_SAMPLES = CANDIDATE_SAMPLE_RATE / 100; // 10 ms, what a browser microphone sends
/** Quiet after a question before the candidate starts answering (pauses inside a sentence are shorter). */
const ANSWER_AFTER_QUIET_MS = 600;

/** What the synthetic camera publishes. */
export interface CameraShape {
  width: number;
  height: number;
  fps: number;
  /** Publish simulcast layers (as a browser does) rather than one. */
  simulcast: boolean;
}

/**
 * The default: one layer of what the interviewer gets from a browser's camera, the simulcast
 * layer it subscribes to (video-layer.ts: livekit-client's 640x360 at 20 fps), without the layers
 * nobody receives. Until 2026-12-04 it was 640x480 at 15 fps: the same pixels a second to encode
 * and decode, but the recorder then scaled every frame to 640x360 in JavaScript (0.76 CPU-s per
 * minute of conversation, 13.5 % of the job's JavaScript; bench:agent-cpu), which a browser's
 * camera never costs it.
 */
export const SYNTHETIC_CAMERA: CameraShape = { width: 640, height: 360, fps: 20, simulcast: false };
/** The candidate page's camera: livekit-client's defaults (h720 capture at 30 fps, simulcast). */
export const BROWSER_CAMERA: CameraShape = { width: 1280, height: 720, fps: 30, simulcast: true };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * One second of a moving test pattern (I420): a gradient with a bright bar sweeping across and a
 * dark block bouncing, so every frame differs like a camera's do. Shared by every candidate.
 */
export function makeVideoLoop(camera: CameraShape = SYNTHETIC_CAMERA): Uint8Array[] {
  const { width: WIDTH, height: HEIGHT, fps: FPS } = camera;
  const frames: Uint8Array[] = [];
  const ySize = WIDTH * HEIGHT;
  const cSize = (WIDTH / 2) * (HEIGHT / 2);
  for (let f = 0; f < FPS; f++) {
    const data = new Uint8Array(ySize + 2 * cSize);
    const bar = Math.floor((f / FPS) * WIDTH);
    const blockY = Math.floor((Math.abs(FPS / 2 - f) / (FPS / 2)) * (HEIGHT - 80));
    const blockX = Math.floor(WIDTH / 2) - 40;
    for (let y = 0; y < HEIGHT; y++) {
      for (let x = 0; x < WIDTH; x++) {
        let v = 60 + ((x + y) >> 3);
        if (x >= bar && x < bar + 48) v = 235;
        if (y >= blockY && y < blockY + 80 && x >= blockX && x < blockX + 80) v = 20;
        data[y * WIDTH + x] = v;
      }
    }
    for (let i = 0; i < cSize; i++) {
      data[ySize + i] = 110 + ((i + f * 7) % 40);
      data[ySize + cSize + i] = 140;
    }
    frames.push(data);
  }
  return frames;
}

export interface CandidateRun {
  id: string;
  /** Join API round trip (ms). */
  joinMs: number;
  /** The LiveKit URL the join grant named. */
  livekitUrl?: string;
  /** performance.now() when both tracks were published. */
  publishedAt: number;
  /** Tracks published → first loud frame of the interviewer (ms). */
  firstAudioMs: number;
  /** End of each answer → first loud frame of what the interviewer said next (ms). */
  gaps: { ms: number; next: 'closing' | 'follow_up' | 'question' | 'other' | 'unknown' }[];
  captions: { text: string; at: number }[];
  heardClosing: boolean;
  /** RECORDER=browser with a `pageRecorder`: what its stop() resolved with. */
  pageUpload?: unknown;
  error?: string;
}

/** A page-like recorder started once the tracks are published (RECORDER=browser). */
export type PageRecorderFactory = (ctx: { serveUrl: string; id: string; resumeKey: string }) => { stop(): Promise<unknown> };
/** The interviewer's attribute that tells the page to stop recording (agent/recording/browser-recording.ts). */
const PAGE_RECORDING_ATTRIBUTE = 'interviewctl.recording';
/** After the closing words, how long a recording candidate stays for the interviewer's stop. */
const PAGE_STOP_WAIT_MS = 20_000;

export interface CandidateOptions {
  /** serve's public URL (the join API is under /api/interviews/<id>/join). */
  serveUrl: string;
  id: string;
  /** 48 kHz mono PCM16 said as every answer (see voicedPart). */
  answer: Int16Array;
  /** Camera frames (makeVideoLoop, of the same `camera`). */
  video: Uint8Array[];
  /** What the camera publishes (default SYNTHETIC_CAMERA). */
  camera?: CameraShape;
  /** Gives up this long after starting. */
  deadlineMs: number;
  /** Stops early when aborted (e.g. Ctrl-C); what was measured so far is kept. */
  signal?: AbortSignal;
  /**
   * When the join says the page records (`recorder: 'browser'`), records like the page: started
   * after publishing, stopped when the interviewer sets its recording attribute to `stop`.
   */
  pageRecorder?: PageRecorderFactory;
}

const disclosures = new Map<string, Promise<{ version: string; lang: string } | null>>();

/**
 * The disclosure a join names, as the page `serve` serves would send it: one of the versions in
 * its built `disclosures.json` (English when there is one). Read once per server.
 */
function servedDisclosure(serveUrl: string): Promise<{ version: string; lang: string } | null> {
  let found = disclosures.get(serveUrl);
  if (!found) {
    found = fetch(`${serveUrl}/assets/disclosures.json`, { signal: AbortSignal.timeout(15_000) })
      .then(async (r) => {
        const list = r.ok ? ((await r.json()) as { version: string; lang: string }[]) : [];
        const d = list.find((x) => x.lang === 'en') ?? list[0];
        return d ? { version: d.version, lang: d.lang } : null;
      })
      .catch(() => null);
    disclosures.set(serveUrl, found);
  }
  return found;
}

/**
 * Runs one interview as the candidate. Resolves with what it measured (never rejects: a failure is
 * recorded in `error`). All times are performance.now() milliseconds.
 */
export async function runCandidate({ serveUrl, id, answer, video, deadlineMs, signal, camera = SYNTHETIC_CAMERA, pageRecorder }: CandidateOptions): Promise<CandidateRun> {
  const { width: WIDTH, height: HEIGHT, fps: FPS } = camera;
  const out: CandidateRun = { id, joinMs: NaN, publishedAt: NaN, firstAudioMs: NaN, gaps: [], captions: [], heardClosing: false };
  const room = new Room();
  const stops: (() => unknown)[] = [];
  let lastLoudAt = -Infinity;
  const loudAfter: { after: number; resolve(t: number): void }[] = [];
  let disconnected = false;
  const deadline = performance.now() + deadlineMs;
  const over = () => performance.now() >= deadline || disconnected || signal?.aborted === true;
  let recording: ReturnType<PageRecorderFactory> | undefined;
  let stopSeen = (): void => {};
  const stopAsked = new Promise<void>((resolve) => (stopSeen = resolve));
  try {
    const disclosure = await servedDisclosure(serveUrl);
    const t0 = performance.now();
    const res = await fetch(`${serveUrl}/api/interviews/${encodeURIComponent(id)}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ consent: true, disclosure }),
      signal: AbortSignal.timeout(15_000),
    });
    const grant = (await res.json().catch(() => ({}))) as { livekitUrl?: string; token?: string; resumeKey?: string; recorder?: string; error?: string };
    out.joinMs = performance.now() - t0;
    if (res.status !== 200 || !grant.livekitUrl || !grant.token) throw new Error(`join answered ${res.status} ${grant.error ?? ''}`.trim());
    out.livekitUrl = grant.livekitUrl;

    room.on(RoomEvent.Disconnected, () => (disconnected = true));
    room.on(RoomEvent.ParticipantAttributesChanged, (changed: Record<string, string>) => {
      if (changed[PAGE_RECORDING_ATTRIBUTE] === 'stop') stopSeen();
    });
    room.on(RoomEvent.TrackSubscribed, (track: RemoteTrack) => {
      if (track.kind !== TrackKind.KIND_AUDIO) return;
      const reader = new AudioStream(track, { sampleRate: CANDIDATE_SAMPLE_RATE, numChannels: 1 }).getReader();
      stops.push(() => reader.cancel().catch(() => {}));
      void (async () => {
        try {
          for (;;) {
            const { value: frame, done } = await reader.read();
            if (done) break;
            if (dbfs(frame.data, 0, frame.samplesPerChannel) <= LOUD_DBFS) continue;
            const now = performance.now();
            lastLoudAt = now;
            if (Number.isNaN(out.firstAudioMs) && out.publishedAt > 0) out.firstAudioMs = now - out.publishedAt;
            for (const w of [...loudAfter]) if (now > w.after) w.resolve(now);
          }
        } catch {
          // the track went away
        }
      })();
    });
    room.registerTextStreamHandler('lk.transcription', (reader) => {
      const at = performance.now();
      void reader.readAll().then(
        (text) => out.captions.push({ text, at }),
        () => {},
      );
    });
    await room.connect(grant.livekitUrl, grant.token, { autoSubscribe: true, dynacast: true });

    // Microphone: 10 ms frames, silence or the answer, paced by the source's small queue.
    const mic = new AudioSource(CANDIDATE_SAMPLE_RATE, 1, 100);
    const silence = new Int16Array(FRAME_SAMPLES);
    let speaking = null as { pcm: Int16Array; at: number; done(endAt: number): void } | null;
    let micLive = true;
    const micLoop = (async () => {
      while (micLive) {
        let chunk = silence;
        if (speaking) {
          // A copy, never a view: AudioFrame hands the FFI its whole underlying buffer from byte 0.
          chunk = new Int16Array(FRAME_SAMPLES);
          chunk.set(speaking.pcm.subarray(speaking.at, speaking.at + FRAME_SAMPLES));
          speaking.at += FRAME_SAMPLES;
        }
        await mic.captureFrame(new AudioFrame(chunk, CANDIDATE_SAMPLE_RATE, 1, FRAME_SAMPLES));
        if (speaking && speaking.at >= speaking.pcm.length) {
          // The last voiced sample leaves once what is queued ahead of it has played out.
          const ended = performance.now() + mic.queuedDuration;
          const s = speaking;
          speaking = null;
          s.done(ended);
        }
      }
    })();
    stops.push(async () => {
      micLive = false;
      await micLoop.catch(() => {});
      await mic.close().catch(() => {});
    });

    // Camera: the shared loop of frames at the camera's rate.
    const cameraSource = new VideoSource(WIDTH, HEIGHT);
    let frameNo = 0;
    const started = performance.now();
    const timer = setInterval(() => {
      const f = new VideoFrame(video[frameNo % video.length]!, WIDTH, HEIGHT, VideoBufferType.I420);
      cameraSource.captureFrame(f, BigInt(Math.round((performance.now() - started) * 1000)));
      frameNo++;
    }, 1000 / FPS);
    stops.push(async () => {
      clearInterval(timer);
      await cameraSource.close().catch(() => {});
    });

    const micTrack = LocalAudioTrack.createAudioTrack('microphone', mic);
    const camTrack = LocalVideoTrack.createVideoTrack('camera', cameraSource);
    await Promise.all([
      room.localParticipant!.publishTrack(micTrack, new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE })),
      // One layer by default: simulcast multiplies this side's encoding (a browser's does it anyway).
      room.localParticipant!.publishTrack(camTrack, new TrackPublishOptions({ source: TrackSource.SOURCE_CAMERA, simulcast: camera.simulcast })),
    ]);
    out.publishedAt = performance.now();
    if (grant.recorder === 'browser' && pageRecorder && grant.resumeKey) {
      recording = pageRecorder({ serveUrl, id, resumeKey: grant.resumeKey });
      const r = recording;
      void stopAsked.then(async () => (out.pageUpload ??= await r.stop()));
    }

    const say = (pcm: Int16Array) => new Promise<number>((resolve) => (speaking = { pcm, at: 0, done: resolve }));
    const nextLoud = (after: number) =>
      new Promise<number>((resolve) => {
        const w = { after, resolve: (t: number) => (loudAfter.splice(loudAfter.indexOf(w), 1), resolve(t)) };
        loudAfter.push(w);
      });

    // The conversation, polled every 50 ms, bounded by the deadline.
    let answered = 0; // captions[0..answered) are handled
    while (!over()) {
      await sleep(50);
      const now = performance.now();
      const pending = out.captions.slice(answered);
      const closing = pending.find((c) => /goodbye/i.test(c.text));
      if (closing && now - lastLoudAt > 800 && lastLoudAt > closing.at - 500) {
        out.heardClosing = true;
        break;
      }
      const question = pending.findLast((c) => c.text.trim().endsWith('?'));
      if (!question || lastLoudAt < question.at - 500 || now - lastLoudAt < ANSWER_AFTER_QUIET_MS) continue;
      answered = out.captions.indexOf(question) + 1;
      const endedAt = await say(answer);
      const heard = await Promise.race([nextLoud(endedAt), sleep(Math.max(0, deadline - performance.now())).then(() => NaN)]);
      // What the interviewer said next: the first caption that arrived around its voice.
      await sleep(300);
      const next = out.captions.find((c) => c.at > endedAt - 200);
      out.gaps.push({ ms: heard - endedAt, next: next ? kindOf(next.text) : 'unknown' });
    }
    // The interviewer may close the room soon after its last words: heard if they were loud here.
    const closing = out.captions.find((c) => /goodbye/i.test(c.text));
    if (closing && lastLoudAt > closing.at - 500) out.heardClosing = true;
    // The page stays in the room until the interviewer says its recording can stop.
    if (recording && !disconnected) await Promise.race([stopAsked, sleep(PAGE_STOP_WAIT_MS)]);
    if (!out.heardClosing && !disconnected) {
      throw new Error(signal?.aborted ? 'stopped' : performance.now() >= deadline ? 'timed out before the closing words' : 'stopped early');
    }
  } catch (err) {
    out.error = (err as Error)?.message ?? String(err);
  } finally {
    if (recording) out.pageUpload ??= await recording.stop();
    for (const stop of stops.reverse()) await Promise.resolve().then(stop).catch(() => {});
    await room.disconnect().catch(() => {});
  }
  if (!out.heardClosing && !out.error) out.error = 'the room closed before the closing words';
  return out;
}

function kindOf(text: string): CandidateRun['gaps'][number]['next'] {
  if (/goodbye/i.test(text)) return 'closing';
  if (/tell me a little more/i.test(text)) return 'follow_up';
  if (text.trim().endsWith('?')) return 'question';
  return 'other';
}
