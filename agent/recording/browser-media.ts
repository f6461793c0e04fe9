import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { LEVEL_WINDOW_MS } from '../../cli/core/browser-recording.js';

/** Runs a tool to its end; resolves with stdout, rejects with the tail of stderr. */
/** ffmpeg or ffprobe ended with an error; `exitCode` is null when a signal stopped it. */
export class MediaToolError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
  ) {
    super(message);
  }
}

/**
 * Whether a tool's failure says the file is not media: it ran and said no. A tool that could not
 * start (ENOENT, EAGAIN) or was killed says nothing about the file, nor does a full disk: only
 * callers that read (ffprobe) may take it this way.
 */
export function saysUnreadable(err: unknown): boolean {
  return err instanceof MediaToolError && err.exitCode !== null && err.exitCode !== 0;
}

function run(cmd: string, args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-1500)));
    p.once('error', reject);
    p.once('exit', (code, signal) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new MediaToolError(`${cmd} exited with ${code ?? signal}: ${err.trim().slice(-400)}`, code))));
  });
}

/** The codec of a file's first video stream (`h264`, `vp8`, `vp9`, `av1`), or undefined without one. */
export async function videoCodecOf(file: string): Promise<string | undefined> {
  const out = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', file]);
  return out.toString().trim().split('\n')[0] || undefined;
}

/** The codec of a file's first audio stream. */
export async function audioCodecOf(file: string): Promise<string | undefined> {
  const out = await run('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', file]);
  return out.toString().trim().split('\n')[0] || undefined;
}

/**
 * RMS level (dBFS) of a file's first audio track per 500 ms window: ffmpeg decodes the audio only
 * (no video decode) to 8 kHz mono.
 */
export async function audioLevels(file: string): Promise<number[]> {
  const pcm = await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', file, '-map', '0:a:0', '-vn', '-ac', '1', '-ar', '8000', '-f', 's16le', 'pipe:1']);
  const samples = new Int16Array(pcm.buffer, pcm.byteOffset, Math.floor(pcm.byteLength / 2));
  const per = (8000 * LEVEL_WINDOW_MS) / 1000;
  const levels: number[] = [];
  for (let i = 0; i + per <= samples.length; i += per) {
    let sum = 0;
    for (let k = i; k < i + per; k++) sum += samples[k]! * samples[k]!;
    const rms = Math.sqrt(sum / per) / 32768;
    levels.push(rms > 0 ? 20 * Math.log10(rms) : -120);
  }
  return levels;
}

/**
 * Joins the page's segments (each a container of its own) into the SPEC's MP4: H.264 video copied
 * when the browser recorded H.264 (Chrome, Edge, Safari), encoded with libx264 otherwise (Firefox's
 * VP8: costs CPU), and the audio converted to AAC. Segments are played one after the other (the
 * time a reload took is not in the file); `leadMs` is cut from the start of the first.
 *
 * Two steps: each segment is first rewritten on its own (timestamps from zero, audio to AAC, the
 * video as above), then those are concatenated without re-encoding. Concatenating the page's files
 * directly trusts the durations in their headers, and MediaRecorder's fragmented MP4 does not give
 * reliable ones: a browser test's two-segment join came out with 58.5 s of video and 11.6 s of audio
 * for a 31.5 s session. `lengthsMs` are the rewritten segments' lengths: where each begins in the
 * joined file (the concatenation places each after the one before by its length).
 */
export async function joinSegments(files: string[], out: string, listFile: string, leadMs = 0): Promise<{ videoCopied: boolean; lengthsMs: number[] }> {
  const codec = await videoCodecOf(files[0]!);
  const copy = codec === 'h264' && (await Promise.all(files.map(videoCodecOf))).every((c) => c === 'h264');
  const video = copy ? ['-c:v', 'copy'] : ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '26', '-pix_fmt', 'yuv420p'];
  const normalized: string[] = [];
  for (const [i, file] of files.entries()) {
    const one = `${listFile}.${i}.mp4`;
    // The page began before the interviewer's clock (the transcript's): that lead is cut from the
    // first segment, so offsets and the video agree. Cut here, on one file, a copied video keeps
    // the key frame before the cut behind an MP4 edit list; cut in the concatenation it snapped
    // to the next key frame and the video began up to 3 s after the audio.
    const cut = i === 0 && leadMs > 0 ? ['-ss', (leadMs / 1000).toFixed(3)] : [];
    await run('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-fflags', '+genpts', ...cut, '-i', file,
      '-map', '0:v:0?', '-map', '0:a:0?', ...video, '-c:a', 'aac', '-b:a', '128k', '-ar', '48000',
      ...(cut.length > 0 ? [] : ['-avoid_negative_ts', 'make_zero']), '-movflags', '+faststart', one,
    ]);
    normalized.push(one);
  }
  const lengthsMs = await Promise.all(normalized.map(durationMsOf));
  await writeFile(listFile, normalized.map((f) => `file '${f.replace(/'/g, "'\\''")}'`).join('\n') + '\n');
  await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-f', 'concat', '-safe', '0', '-i', listFile,
    '-map', '0:v:0?', '-map', '0:a:0?', '-c', 'copy', '-movflags', '+faststart', out,
  ]);
  return { videoCopied: copy, lengthsMs };
}

/** A file's length in ms (the container's duration). */
export async function durationMsOf(file: string): Promise<number> {
  const out = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]);
  const s = Number(out.toString().trim());
  return Number.isFinite(s) ? Math.round(s * 1000) : 0;
}

/**
 * Rewrites a fragmented M4A/MP4 that a killed ffmpeg left (its last fragment cut mid-write) as a
 * plain one, streams copied: what plays is what its header says (a cut witness claimed 6.0 s
 * where 5.0 s were whole). Rejects when ffmpeg cannot read it (or is not here: `ENOENT`).
 */
export async function remuxWhole(file: string, out: string): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', file, '-map', '0', '-c', 'copy', '-movflags', '+faststart', '-f', 'mp4', out]);
}
