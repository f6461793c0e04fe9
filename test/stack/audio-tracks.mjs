// Reads the audio tracks of a recording with ffprobe and measures their loudness with ffmpeg's
// volumedetect, so tests can show that each voice's track is loud in its own turns and near
// silent in the other's; and finds where speech begins, so a transcript's offsets can be checked
// against the file.
import { execFileSync, spawnSync } from 'node:child_process';

/** The audio streams of a file, in order: {index, codec, label (handler_name or title), default}. */
export function audioTracks(file) {
  const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', file], { encoding: 'utf8' }));
  return probe.streams
    .filter((s) => s.codec_type === 'audio')
    .map((s) => ({ index: s.index, codec: s.codec_name, label: s.tags?.handler_name ?? s.tags?.title ?? null, title: s.tags?.title ?? null, default: s.disposition?.default === 1 }));
}

/**
 * Mean and max volume (dBFS) of audio track `n` (0-based among audio tracks) between two
 * offsets in ms; -91 when silent.
 */
export function trackLevel(file, n, fromMs, toMs) {
  const args = ['-hide_banner', '-nostats', '-ss', (fromMs / 1000).toFixed(3), '-t', (Math.max(50, toMs - fromMs) / 1000).toFixed(3), '-i', file, '-map', `0:a:${n}`, '-af', 'volumedetect', '-f', 'null', '-'];
  const run = spawnSync('ffmpeg', args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`ffmpeg volumedetect failed: ${run.stderr.slice(-300)}`);
  const text = run.stderr;
  const mean = /mean_volume:\s*(-?[\d.]+|-inf) dB/.exec(text);
  const max = /max_volume:\s*(-?[\d.]+|-inf) dB/.exec(text);
  const num = (m) => (!m || m[1] === '-inf' ? -91 : Number(m[1]));
  return { meanDb: num(mean), maxDb: num(max) };
}

const WINDOW_MS = 50;

/** RMS level (dBFS) per 50 ms window of audio track `track` (0-based) of a file, decoded to 16 kHz mono. */
export function windowLevels(file, track = 0) {
  const pcm = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-map', `0:a:${track}`, '-vn', '-ac', '1', '-ar', '16000', '-f', 's16le', 'pipe:1'], { maxBuffer: 128 * 1024 * 1024 });
  const samples = new Int16Array(pcm.buffer, pcm.byteOffset, Math.floor(pcm.byteLength / 2));
  const per = (16000 * WINDOW_MS) / 1000;
  const out = [];
  for (let i = 0; i + per <= samples.length; i += per) {
    let sum = 0;
    for (let k = i; k < i + per; k++) sum += samples[k] * samples[k];
    out.push(10 * Math.log10(sum / per / 32768 ** 2 + 1e-12));
  }
  return out;
}

/**
 * Where speech begins nearest `ms` (within ±withinMs) in windowLevels' output: the start (ms) of a
 * window louder than `loudDb` after `quietMs` of none, so a transcript's offset can be checked
 * against the file. Undefined when there is none that close.
 */
export function onsetNear(levels, ms, { withinMs = 8000, loudDb = -45, quietMs = 1000 } = {}) {
  const quiet = quietMs / WINDOW_MS;
  let best;
  const from = Math.max(quiet, Math.floor((ms - withinMs) / WINDOW_MS));
  const to = Math.min(levels.length - 1, Math.ceil((ms + withinMs) / WINDOW_MS));
  for (let k = from; k <= to; k++) {
    if (levels[k] <= loudDb) continue;
    if (levels.slice(k - quiet, k).some((l) => l > loudDb)) continue;
    const at = k * WINDOW_MS;
    if (best === undefined || Math.abs(at - ms) < Math.abs(best - ms)) best = at;
  }
  return best;
}
