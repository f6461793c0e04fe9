import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { saysUnreadable, videoCodecOf } from '../../agent/recording/browser-media.js';

// Needs ffprobe on PATH (npm run setup:stack, or Debian's ffmpeg), as the recorders do.
describe('telling "not media" from "could not look"', () => {
  const dir = mkdtempSync(join(tmpdir(), 'browser-media-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a file ffprobe reads and rejects is unreadable: it may be dropped', async () => {
    const junk = join(dir, 'junk.mp4');
    writeFileSync(junk, 'not a recording at all');
    const err = await videoCodecOf(junk).catch((e: unknown) => e);
    expect(saysUnreadable(err)).toBe(true);
  });

  it('ffprobe missing says nothing about the file: it must be kept', async () => {
    const junk = join(dir, 'junk2.mp4');
    writeFileSync(junk, 'not a recording at all');
    const path = process.env.PATH;
    process.env.PATH = dir; // no ffprobe here
    try {
      const err = await videoCodecOf(junk).catch((e: unknown) => e);
      expect((err as NodeJS.ErrnoException).code).toBe('ENOENT');
      expect(saysUnreadable(err)).toBe(false);
    } finally {
      process.env.PATH = path;
    }
  });
});
