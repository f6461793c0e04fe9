// RECORDER=browser: the page's segments joined by real ffmpeg, and the transcript's offsets moved
// onto the joined file. A beep said after a reload must be heard where its moved offset says.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { joinSegments } from '../../agent/recording/browser-media.js';
import { toRecordingTime } from '../../cli/core/browser-recording.js';
// @ts-expect-error plain JavaScript test helper
import { onsetNear, windowLevels } from '../stack/audio-tracks.mjs';

const dir = mkdtempSync(join(tmpdir(), 'ivc-browser-join-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A segment as Chromium's MediaRecorder makes it (H.264 + Opus in MP4): `seconds` long, a beep from `beepAt` for 0.5 s. */
function pageSegment(name: string, seconds: number, beepAt: number): string {
  const file = join(dir, `${name}.mp4`);
  const beep = `aevalsrc='if(between(t,${beepAt},${beepAt + 0.5}),0.5*sin(2*PI*440*t),0.0001*sin(2*PI*50*t))':s=48000:d=${seconds}`;
  execFileSync('ffmpeg', [
    '-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=size=320x180:rate=15:duration=${seconds}`, '-f', 'lavfi', '-i', beep,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '45', '-pix_fmt', 'yuv420p', '-c:a', 'libopus', '-b:a', '64k', '-shortest', file,
  ]);
  return file;
}

describe('browser recording: segments joined, offsets moved', () => {
  it('a word after a reload is heard in the joined file where its moved offset says', async () => {
    // On the interviewer's clock: the page began 1.2 s before it (the lead, cut), stored 10 s,
    // was away, and recorded again from 14 s on. Beeps at 5.8 s and 17 s on that clock.
    const first = pageSegment('s1', 10, 7);
    const second = pageSegment('s2', 8, 3);
    const out = join(dir, 'joined.mp4');
    const { lengthsMs } = await joinSegments([first, second], out, join(dir, 'segments.txt'), 1200);
    const at = toRecordingTime([
      { atMs: -1200, lengthMs: lengthsMs[0]! },
      { atMs: 14_000, lengthMs: lengthsMs[1]! },
    ]);
    const levels = windowLevels(out);
    const beforeReload = at(5800);
    const afterReload = at(17_000);
    expect(Math.abs(beforeReload - 5800)).toBeLessThan(100);
    // 14 s − 8.8 s: the 5.2 s the page was away are not in the file.
    expect(Math.abs(afterReload - 11_800)).toBeLessThan(150);
    expect(Math.abs(onsetNear(levels, beforeReload, { withinMs: 3000 }) - beforeReload), `first beep, expected at ${beforeReload} ms`).toBeLessThan(150);
    expect(Math.abs(onsetNear(levels, afterReload, { withinMs: 3000 }) - afterReload), `second beep, expected at ${afterReload} ms`).toBeLessThan(150);
    // On the interviewer's clock unmoved, the second beep's offset points at silence.
    expect(onsetNear(levels, 17_000, { withinMs: 1000 })).toBeUndefined();
  });
});
