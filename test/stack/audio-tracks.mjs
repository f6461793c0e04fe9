// Reads the audio tracks of a recording with ffprobe and measures their loudness with ffmpeg's
// volumedetect, so tests can show that each voice's track is loud in its own turns and near
// silent in the other's.
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
