import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fragmentsOf } from '../../bench/page-upload.mjs';

/** A 440 Hz tone loud (speech to the witness check) for the first 2 s of every 4, quiet (room noise) otherwise. */
const talking = 'volume=\'if(lt(mod(t,4),2),0.5,0.003)\':eval=frame';
const quiet = 'volume=0.003';

function ffmpeg(args: string[]): void {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg: ${r.stderr || r.error?.message}`);
}

/**
 * An audio witness as the interviewer's recorder writes it: fragmented M4A (a fragment every 2 s),
 * three AAC tracks (the mix, the interviewer, the candidate). `talking`: the voices come and go
 * (2 s of speech every 4 s); otherwise only room noise.
 */
export function makeWitness(path: string, seconds: number, talk: boolean): Buffer {
  const tone = `sine=frequency=440:sample_rate=48000:duration=${seconds},${talk ? talking : quiet}`;
  ffmpeg([
    ...[0, 1, 2].flatMap(() => ['-f', 'lavfi', '-i', tone]),
    '-map', '0:a', '-map', '1:a', '-map', '2:a', '-ac', '1', '-aac_coder', 'fast', '-c:a', 'aac', '-b:a', '64k',
    '-f', 'mp4', '-movflags', 'empty_moov+default_base_moof', '-frag_duration', '2000000', path,
  ]);
  return readFileSync(path);
}

/** A page recording (fragmented MP4, H.264 + Opus) in which someone speaks 2 s of every 4, cut into its fragments (the page's parts). */
export function makeTalkingPageRecording(path: string, seconds: number): Buffer[] {
  ffmpeg([
    '-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=15:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds},${talking}`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', '45', '-keyint_min', '45', '-sc_threshold', '0',
    '-c:a', 'libopus', '-b:a', '64k', '-ac', '1',
    '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', path,
  ]);
  return fragmentsOf(readFileSync(path));
}

/** Streams and length of a media file, as ffprobe reads it. */
export function probeMedia(file: string): { codecs: string[]; seconds: number } {
  const p = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name:format=duration', '-of', 'json', file], { encoding: 'utf8' });
  const j = JSON.parse(p.stdout) as { streams: { codec_name: string }[]; format: { duration: string } };
  return { codecs: j.streams.map((s) => s.codec_name).sort(), seconds: Number(j.format.duration) };
}
