// RECORDER=browser: the page records the candidate's camera and microphone mixed with the
// interviewer's voice (Web Audio) with MediaRecorder, and stores it through serve a part every
// few seconds. Each room connection is a segment of its own (a new MediaRecorder is a new
// container); the interviewer joins the segments into one MP4 at the end.

/** What the page asks MediaRecorder for, best first: H.264 lets the server copy the video. */
export const RECORDING_TYPES = [
  'video/mp4;codecs=avc1.42E01E,mp4a.40.2', // Safari, Chrome/Edge with an AAC encoder
  'video/mp4;codecs=avc1,opus', // Chrome, Edge
  'video/webm;codecs=h264,opus', // Chrome, Edge (older)
  'video/webm;codecs=vp8,opus', // Firefox (the server re-encodes the video)
  'video/webm',
];

/** The interviewer's attribute that says the conversation is over (`stop`); see agent/recording/browser-recording.ts. */
export const PAGE_RECORDING_ATTRIBUTE = 'interviewctl.recording';

/** A part every 3 s: a reload or a lost tab loses at most that. */
const TIMESLICE_MS = 3_000;
const RETRY_DELAYS_MS = [500, 1_000, 2_000, 4_000, 8_000, 15_000, 30_000];

export function pickRecordingType(isSupported: (type: string) => boolean): string | undefined {
  return RECORDING_TYPES.find((t) => isSupported(t));
}

class Stopped extends Error {}

interface Segment {
  number: Promise<number>;
  recorder: MediaRecorder;
  queue: Blob[];
  /** Resolves when the recorder has stopped and its last data is queued. */
  stopped: Promise<void>;
  nextPart: number;
  wake: (() => void) | null;
  ended: boolean;
}

export class PageRecorder {
  private readonly audio = new AudioContext({ sampleRate: 48_000 });
  private readonly mix = this.audio.createMediaStreamDestination();
  private readonly remote = new Map<MediaStreamTrack, AudioNode>();
  private mic: { track: MediaStreamTrack; node: AudioNode } | null = null;
  private current: Segment | null = null;
  private readonly type: string | undefined = pickRecordingType((t) => MediaRecorder.isTypeSupported(t));
  private closed = false;
  /** Parts stored so far (for the page's own checks and tests). */
  stored = 0;

  constructor(
    private readonly interviewId: string,
    private readonly getResumeKey: () => string | null,
  ) {}

  /** Browsers start an AudioContext only after a gesture: call from a click too. */
  resumeAudio(): void {
    void this.audio.resume().catch(() => {});
  }

  /** The interviewer's voice joins the mix (each time its track is subscribed). */
  addRemoteAudio(track: MediaStreamTrack): void {
    if (this.remote.has(track)) return;
    const node = this.audio.createMediaStreamSource(new MediaStream([track]));
    node.connect(this.mix);
    this.remote.set(track, node);
  }

  removeRemoteAudio(track: MediaStreamTrack): void {
    this.remote.get(track)?.disconnect();
    this.remote.delete(track);
  }

  /** Starts a segment with these tracks (a new room connection); the previous one is finished. */
  startSegment(camera: MediaStreamTrack | undefined, mic: MediaStreamTrack): void {
    if (this.closed || !this.type) return;
    this.resumeAudio();
    if (this.mic?.track !== mic) {
      this.mic?.node.disconnect();
      const node = this.audio.createMediaStreamSource(new MediaStream([mic]));
      node.connect(this.mix);
      this.mic = { track: mic, node };
    }
    const previous = this.current;
    if (previous) this.stopSegment(previous);
    const tracks = [...(camera ? [camera] : []), ...this.mix.stream.getAudioTracks()];
    // A key frame every part: Chrome's MP4 muxer emits data only at key frames (without this it held
    // 10 s of recording until stop), and each part then starts where a player can seek.
    const options = { mimeType: this.type, videoBitsPerSecond: 1_200_000, audioBitsPerSecond: 96_000, videoKeyFrameIntervalDuration: TIMESLICE_MS };
    const recorder = new MediaRecorder(new MediaStream(tracks), options as MediaRecorderOptions);
    const begunAt = performance.now();
    const segment: Segment = {
      // The previous segment stays open: it still stores what it holds (the parts a network cut
      // held back, its last data) and completes itself.
      number: (previous ? previous.number.catch(() => undefined) : Promise.resolve(undefined)).then((keepOpen) => this.open(begunAt, keepOpen)),
      recorder,
      queue: [],
      stopped: new Promise((resolve) => recorder.addEventListener('stop', () => resolve(), { once: true })),
      nextPart: 1,
      wake: null,
      ended: false,
    };
    segment.number.catch(() => {});
    recorder.addEventListener('dataavailable', (e: BlobEvent) => {
      if (e.data.size > 0) segment.queue.push(e.data);
      segment.wake?.();
    });
    this.current = segment;
    recorder.start(TIMESLICE_MS);
    void this.upload(segment, previous);
  }

  /** The interview is over: the last data is stored and the segment completed. */
  async stop(): Promise<void> {
    if (this.closed) return this.stopping;
    this.closed = true;
    this.stopping = this.finishAll();
    return this.stopping;
  }

  private stopping: Promise<void> = Promise.resolve();

  private async finishAll(): Promise<void> {
    const segment = this.current;
    this.current = null;
    if (segment) {
      this.stopSegment(segment);
      await segment.stopped;
      await this.drained(segment);
    }
    this.mic?.node.disconnect();
    void this.audio.close().catch(() => {});
  }

  private stopSegment(segment: Segment): void {
    if (segment.recorder.state !== 'inactive') segment.recorder.stop();
    void segment.stopped.then(() => {
      segment.ended = true;
      segment.wake?.();
    });
  }

  private readonly done = new WeakMap<Segment, Promise<void>>();

  private drained(segment: Segment): Promise<void> {
    return this.done.get(segment) ?? Promise.resolve();
  }

  /**
   * Opens the segment on the server (retried until it answers), keeping this page's previous one
   * open, and saying how long it has recorded already: the server dates the segment from that
   * (the interviewer places it, and the words in it, by that time), not from when the request
   * got through.
   */
  private async open(begunAt: number, keepOpen: number | undefined): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      const recordedMs = Math.max(0, Math.round(performance.now() - begunAt));
      const body = JSON.stringify({ resumeKey: this.getResumeKey(), mimeType: this.type, recordedMs, ...(keepOpen ? { keepOpen } : {}) });
      const answer = await this.send('POST', 'start', body, 'application/json');
      if (answer.ok) return ((await answer.response!.json()) as { segment: number }).segment;
      if (answer.final) throw new Stopped(answer.code);
      await sleep(RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)]!);
    }
  }

  /** Sends the segment's parts in order as they come, each retried with backoff, then completes it. */
  private upload(segment: Segment, after: Segment | null): Promise<void> {
    const run = (async () => {
      // Parts of a later segment wait for the earlier one's, so the server sees each in order.
      if (after) await this.drained(after);
      let number: number;
      try {
        number = await segment.number;
      } catch {
        return;
      }
      for (;;) {
        const blob = segment.queue[0];
        if (!blob) {
          if (segment.ended) break;
          await new Promise<void>((resolve) => (segment.wake = resolve));
          segment.wake = null;
          continue;
        }
        const ok = await this.sendWithRetry('PUT', `parts/${number}/${segment.nextPart}`, blob, 'application/octet-stream');
        if (!ok) return;
        segment.queue.shift();
        segment.nextPart += 1;
        this.stored += 1;
      }
      await this.sendWithRetry('POST', 'complete', JSON.stringify({ resumeKey: this.getResumeKey(), segment: number }), 'application/json');
    })();
    this.done.set(segment, run);
    return run;
  }

  /** True once stored; false when the server says it will never take it (interview over, refused). */
  private async sendWithRetry(method: string, path: string, body: BodyInit, type: string): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      const answer = await this.send(method, path, body, type);
      if (answer.ok) return true;
      if (answer.final) return answer.code === 'upload_completed' && path === 'complete';
      await sleep(RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)]!);
    }
  }

  private async send(method: string, path: string, body: BodyInit, type: string): Promise<{ ok: boolean; final: boolean; code?: string; response?: Response }> {
    const key = this.getResumeKey();
    if (!key) return { ok: false, final: true, code: 'no_resume_key' };
    try {
      const response = await fetch(`/api/interviews/${encodeURIComponent(this.interviewId)}/recording/${path}`, {
        method,
        headers: { 'content-type': type, 'x-resume-key': key, accept: 'application/json' },
        body,
        credentials: 'same-origin',
        cache: 'no-store',
      });
      if (response.ok) return { ok: true, final: false, response };
      const code = ((await response.json().catch(() => ({}))) as { error?: string }).error;
      // 429 and 5xx pass; a refusal (403, 404, 409, 410, 413) will not change by sending again.
      const final = response.status >= 400 && response.status < 500 && response.status !== 429 && response.status !== 408;
      return { ok: false, final, ...(code ? { code } : {}) };
    } catch {
      return { ok: false, final: false };
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
