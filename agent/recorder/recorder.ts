import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import type { ObjectStorage } from '../../cli/adapters/storage/storage.js';
import { blackI420, clipToInt16, fitI420, PcmFifo, type I420 } from './media-buffers.js';

export const RECORDING_SAMPLE_RATE = 48_000;

/**
 * The MP4's audio tracks, in order: both voices mixed (first, the default: what players play),
 * then the interviewer alone and the candidate alone, so a reviewer or a tool can hear one side.
 * Labelled in each track's handler name and title. The audio witness (RECORDER=browser) has the
 * same three at WITNESS_SAMPLE_RATE and `witnessBitrate`.
 */
export const AUDIO_TRACKS = [
  { label: 'mix', bitrate: '96k', witnessBitrate: '48k' },
  { label: 'interviewer', bitrate: '64k', witnessBitrate: '32k' },
  { label: 'candidate', bitrate: '64k', witnessBitrate: '32k' },
] as const;

/** The audio witness's sample rate (RECORDER=browser): speech, compared at 8 kHz. */
export const WITNESS_SAMPLE_RATE = 16_000;

/**
 * The lock beside a spool file while a recorder writes it: `{pid, host}` of the job process.
 * Spool recovery leaves a spool alone while its writer lives; a killed job leaves the lock behind
 * with a dead pid, which is how recovery knows the spool is orphaned.
 */
export const spoolLockOf = (spoolFile: string) => `${spoolFile}.lock`;
/**
 * RECORDER=browser: the folder in an interview's spool where the interviewer joins the page's
 * segments. The job holds its lock (`spoolLockOf`) from the start to the end of the recording, so
 * the witness spool, whose own lock goes when the witness is stored, is not taken for a dead
 * job's while the join still runs.
 */
export const browserJoinDirOf = (interviewSpool: string) => join(interviewSpool, 'browser');
export const spoolLockOwner = () => ({ pid: process.pid, host: hostname(), started: processStartTicks(process.pid) });

/**
 * A process's start time (clock ticks since boot, /proc/<pid>/stat field 22) and state, so a
 * reused pid or a zombie is not taken for the recorder; undefined where /proc is not there.
 */
export function processStat(pid: number): { started: string; state: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, started: fields[19]! };
  } catch {
    return undefined;
  }
}
const processStartTicks = (pid: number) => processStat(pid)?.started ?? null;

export interface RecorderOptions {
  storage: ObjectStorage;
  key: string;
  /** Local copy of the MP4 as it is written (fragmented, so a partial file plays). */
  spoolFile: string;
  width?: number;
  height?: number;
  fps?: number;
  ffmpeg?: string;
  /**
   * Voices only (RECORDER=browser's witness): no video input, no video encode; an M4A with the
   * same three audio tracks.
   */
  audioOnly?: boolean;
  /** Recording cannot go on (ffmpeg failed). A failed upload is not this: `stop()` rejects with it. */
  onError(err: Error): void;
}

/**
 * Composes the candidate's camera, the candidate's microphone and the agent's voice into one
 * fragmented MP4 (H.264 + AAC) with Debian's ffmpeg, and streams it to storage while it runs.
 *
 * Sync: both streams are clocked by the wall clock from `start()`. Every tick writes the video
 * frames and audio samples that are due by now — the latest camera picture (held while none
 * arrives) and the voices (silence where nobody spoke), mixed and each alone — so ffmpeg sees
 * constant-rate inputs whose timestamps are the session's real time.
 */
export class Recorder {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  private readonly candidate = new PcmFifo(RECORDING_SAMPLE_RATE, 400);
  private readonly agent = new PcmFifo(RECORDING_SAMPLE_RATE);
  private picture: Uint8Array;
  private pending: I420 | undefined;
  private t0 = 0;
  private framesWritten = 0;
  private samplesWritten = 0;
  private timer: NodeJS.Timeout | undefined;
  private proc: ChildProcess | undefined;
  /** ffmpeg's audio inputs, in AUDIO_TRACKS order: the mix, the interviewer, the candidate. */
  private audioIns: Writable[] = [];
  private exited: Promise<number | null> | undefined;
  private uploaded: Promise<void> | undefined;
  private spool: WriteStream | undefined;
  /** Resolves once the spool file is closed (and its lock removed). */
  private spoolClosed: Promise<void> = Promise.resolve();
  private stopped = false;
  private endAt: number | undefined;
  private failed = false;
  private framesDue = 0;
  bytes = 0;
  /**
   * Video frames whose moment passed while ffmpeg was behind: the frame slot was filled later with
   * the picture of that later moment (the video freezes), so the timeline stays whole and in sync.
   */
  droppedFrames = 0;

  constructor(private readonly opts: RecorderOptions) {
    this.width = opts.width ?? 640;
    this.height = opts.height ?? 360;
    this.fps = opts.fps ?? 15;
    this.picture = blackI420(this.width, this.height);
  }

  /** Milliseconds since the recording started: the clock of utterance offsets. */
  offsetMs(at = performance.now()): number {
    return this.t0 === 0 ? 0 : at - this.t0;
  }

  start(): void {
    const { width, height, fps } = this;
    const audioOnly = this.opts.audioOnly === true;
    const args = audioOnly ? this.audioOnlyArgs() : [
      '-hide_banner', '-loglevel', 'error', '-nostdin',
      '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${width}x${height}`, '-framerate', String(fps), '-thread_queue_size', '64', '-i', 'pipe:0',
      ...AUDIO_TRACKS.flatMap((_, i) => ['-f', 's16le', '-ar', String(RECORDING_SAMPLE_RATE), '-ac', '1', '-thread_queue_size', '512', '-i', `pipe:${3 + i}`]),
      '-map', '0:v', ...AUDIO_TRACKS.flatMap((_, i) => ['-map', `${1 + i}:a`]),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-crf', '27', '-g', String(fps * 2), '-pix_fmt', 'yuv420p',
      // The mix first and the default (what players play); each voice alone after it, labelled.
      // AAC's fast coder: three speech tracks took 2.7 s of CPU per 30 s with the default
      // (twoloop), 0.85 s with it, and came back closer to what went in (SNR 39 vs 27 dB for the
      // mix, 31 vs 22 dB for a voice alone, decoded against the input on the 2-core machine).
      '-aac_coder', 'fast',
      ...AUDIO_TRACKS.flatMap((t, i) => [`-c:a:${i}`, 'aac', `-b:a:${i}`, t.bitrate, `-metadata:s:a:${i}`, `title=${t.label}`, `-metadata:s:a:${i}`, `handler_name=${t.label}`, `-disposition:a:${i}`, i === 0 ? 'default' : '0']),
      '-f', 'mp4', '-movflags', 'frag_keyframe+empty_moov+default_base_moof', 'pipe:1',
    ];
    const proc = spawn(this.opts.ffmpeg ?? 'ffmpeg', args, { stdio: ['pipe', 'pipe', 'pipe', ...AUDIO_TRACKS.map(() => 'pipe' as const)] });
    this.proc = proc;
    this.audioIns = AUDIO_TRACKS.map((_, i) => proc.stdio[3 + i] as Writable);
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    this.exited = new Promise((resolve) => {
      proc.once('error', (err) => {
        this.fail(new Error(`ffmpeg could not start: ${err.message}`));
        this.spool?.end();
        resolve(null);
      });
      proc.once('exit', (code) => {
        if (code !== 0 && !this.failed) this.fail(new Error(`ffmpeg exited with ${code}: ${stderr.trim().slice(-500)}`));
        resolve(code);
      });
    });
    // Pipes close under us when ffmpeg dies; that failure is reported by the exit handler.
    for (const s of [proc.stdin!, ...this.audioIns]) s.on('error', () => {});

    mkdirSync(dirname(this.opts.spoolFile), { recursive: true });
    const lock = spoolLockOf(this.opts.spoolFile);
    writeFileSync(lock, JSON.stringify(spoolLockOwner()));
    const spool = createWriteStream(this.opts.spoolFile);
    this.spool = spool;
    // The lock goes only when every byte ffmpeg gave us is in the file: a retry then finds it whole.
    this.spoolClosed = new Promise((resolve) => {
      const release = () => {
        rmSync(lock, { force: true });
        resolve();
      };
      spool.once('close', release);
      spool.once('error', release);
    });
    const body = new PassThrough({ highWaterMark: 1 << 20 });
    body.on('error', () => {}); // the upload's own rejection reports it
    let streaming = true;
    proc.stdout!.on('data', (chunk: Buffer) => {
      this.bytes += chunk.length;
      if (!spool.writableEnded) spool.write(chunk);
      if (streaming) body.write(chunk);
    });
    proc.stdout!.on('end', () => {
      body.end();
      spool.end();
    });
    // Storage going away mid-session (after the client's own retries) does not end the session:
    // the spool goes on recording all of it, and `stop()` reports the failed upload, so the
    // interview ends `recorder_failed` with the whole session kept for a retry.
    this.uploaded = this.opts.storage.upload(this.opts.key, body, 'video/mp4');
    this.uploaded.catch(() => {
      streaming = false;
      body.resume(); // drop what is buffered: nobody reads it any more
    });

    this.t0 = performance.now();
    this.timer = setInterval(() => this.tick(), 20);
  }

  /** ffmpeg's arguments for the voices alone: the audio pipes are inputs 0-2, fragments every 2 s. */
  private audioOnlyArgs(): string[] {
    return [
      '-hide_banner', '-loglevel', 'error', '-nostdin',
      ...AUDIO_TRACKS.flatMap((_, i) => ['-f', 's16le', '-ar', String(RECORDING_SAMPLE_RATE), '-ac', '1', '-thread_queue_size', '512', '-i', `pipe:${3 + i}`]),
      ...AUDIO_TRACKS.flatMap((_, i) => ['-map', `${i}:a`]),
      // The fast AAC coder, as the full recording uses: without it bench:agent-cpu --recorder
      // browser measured the witness's ffmpeg at 4.4 CPU-s per minute of conversation, as much as
      // RECORDER=agent's ffmpeg with the video (4.3).
      '-aac_coder', 'fast',
      // Speech needs no more than 16 kHz (the comparison reads it at 8 kHz, a reviewer hears
      // wideband voice): encoding three 48 kHz tracks took ffmpeg 1.70 CPU-s per 65 s of speech
      // here, at 16 kHz 0.96 (0.56×, the resampling included).
      '-ar', String(WITNESS_SAMPLE_RATE),
      ...AUDIO_TRACKS.flatMap((t, i) => [`-c:a:${i}`, 'aac', `-b:a:${i}`, t.witnessBitrate, `-metadata:s:a:${i}`, `title=${t.label}`, `-metadata:s:a:${i}`, `handler_name=${t.label}`, `-disposition:a:${i}`, i === 0 ? 'default' : '0']),
      '-f', 'mp4', '-movflags', 'empty_moov+default_base_moof', '-frag_duration', '2000000', 'pipe:1',
    ];
  }

  /** Candidate microphone, 48 kHz mono frames (the caller resamples). */
  pushCandidateAudio(samples: Int16Array): void {
    if (!this.stopped) this.candidate.push(samples);
  }

  /** The agent's own voice, 48 kHz mono, as it is handed to the room. */
  pushAgentAudio(samples: Int16Array): void {
    if (!this.stopped) this.agent.push(samples);
  }

  /** Drops agent speech not yet written (the agent was cut off). */
  clearAgentAudio(): void {
    this.agent.clear();
  }

  /** The latest camera picture, I420 of any size. */
  pushCandidateVideo(frame: I420): void {
    // Scaled only when written: cameras may send more frames than the recording keeps.
    if (!this.stopped && !this.opts.audioOnly) this.pending = frame;
  }

  /** Shows black from now on (the candidate's camera went away). */
  clearVideo(): void {
    this.pending = undefined;
    this.picture = blackI420(this.width, this.height);
  }

  /**
   * Raw frames (~345 KB each at 640x360) queued for ffmpeg at most; past it, the video waits and
   * its frames are counted as dropped. Audio is never held back (a few KB a tick).
   */
  static readonly VIDEO_QUEUE_FRAMES = 4;

  private videoQueueFull(): boolean {
    return this.proc!.stdin!.writableLength >= Recorder.VIDEO_QUEUE_FRAMES * this.picture.byteLength;
  }

  /** Writes due video frames while ffmpeg's queue has room; the rest wait for a later tick. */
  private writeVideo(now: number): void {
    const late = (2 * 1000) / this.fps;
    for (; this.framesWritten < this.framesDue && !this.videoQueueFull(); this.framesWritten++) {
      if (now - (this.t0 + (this.framesWritten * 1000) / this.fps) > late) this.droppedFrames++;
      this.proc!.stdin!.write(this.picture);
    }
  }

  private tick(): void {
    if (this.failed || !this.proc) return;
    const now = performance.now();
    const elapsed = now - this.t0;
    this.framesDue = this.opts.audioOnly ? 0 : Math.floor((elapsed * this.fps) / 1000) + 1;
    if (this.pending && this.framesWritten < this.framesDue) {
      this.picture = fitI420(this.pending, this.width, this.height);
      this.pending = undefined;
    }
    this.writeVideo(now);
    const samplesDue = Math.floor((elapsed * RECORDING_SAMPLE_RATE) / 1000);
    const n = samplesDue - this.samplesWritten;
    if (n <= 0) return;
    const agent = new Int32Array(n);
    const candidate = new Int32Array(n);
    this.agent.mixInto(agent);
    this.candidate.mixInto(candidate);
    const mix = new Int32Array(n);
    for (let k = 0; k < n; k++) mix[k] = agent[k]! + candidate[k]!;
    [mix, agent, candidate].forEach((track, k) => {
      const pcm = clipToInt16(track);
      this.audioIns[k]!.write(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
    });
    this.samplesWritten = samplesDue;
  }

  private fail(err: Error): void {
    if (this.failed) return;
    this.failed = true;
    if (this.timer) clearInterval(this.timer);
    this.opts.onError(err);
  }

  /** Ends the recording's timeline now; `stop()` later finishes the file up to this moment. */
  markEnd(): void {
    if (this.endAt !== undefined || !this.proc) return;
    if (!this.failed) this.tick();
    this.endAt = performance.now();
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * Writes what is due, closes ffmpeg's inputs, and waits for the MP4 to be complete in storage
   * and in the spool. Resolves with the recording's length; rejects when encoding or the upload
   * failed — the spool file is then whole, for a retry.
   */
  async stop(): Promise<{ durationMs: number; bytes: number; droppedFrames: number }> {
    if (this.stopped) throw new Error('recorder already stopped');
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (!this.proc) throw new Error('recorder never started');
    if (!this.failed && this.endAt === undefined) this.tick();
    const durationMs = (this.samplesWritten / RECORDING_SAMPLE_RATE) * 1000;
    // The frames still waiting are written as ffmpeg takes them, so the video is as long as the audio.
    while (!this.failed && this.framesWritten < this.framesDue) {
      if (this.videoQueueFull()) await Promise.race([new Promise((r) => this.proc!.stdin!.once('drain', r)), this.exited]);
      this.writeVideo(performance.now());
    }
    this.proc.stdin!.end();
    for (const a of this.audioIns) a.end();
    const code = await this.exited;
    await this.spoolClosed;
    if (code !== 0) throw new Error(`ffmpeg failed (exit ${code})`);
    await this.uploaded;
    return { durationMs, bytes: this.bytes, droppedFrames: this.droppedFrames };
  }

  /**
   * Stops ffmpeg at once (the process is shutting down); the spool keeps what was written and is
   * released for recovery. Resolves once the spool file is closed.
   */
  kill(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.proc?.kill('SIGKILL');
    this.spool?.end();
    return this.spoolClosed;
  }
}
