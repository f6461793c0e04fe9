// The recorder against real ffmpeg when storage goes away mid-session: the session goes on into
// the local spool, `stop()` reports the failed upload, and the spool holds the whole session
// (playable, H.264 + AAC) with its lock released for a retry.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { Recorder, spoolLockOf } from '../../agent/recorder/recorder.js';
import { createLocalStorage, type ObjectStorage } from '../../cli/adapters/storage/storage.js';

const dir = mkdtempSync(join(tmpdir(), 'ivc-recorder-int-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Storage that takes the first bytes of an upload, then fails it (the server went away). */
function storageDroppingAfter(bytes: number): ObjectStorage {
  return {
    ...createLocalStorage(join(dir, 'store')),
    upload: async (_key: string, body: Readable) => {
      let seen = 0;
      for await (const chunk of body) {
        seen += (chunk as Buffer).length;
        if (seen >= bytes) throw new Error('connect ECONNREFUSED 127.0.0.1:7070');
      }
    },
  };
}

describe('Recorder when storage fails mid-session', () => {
  it('keeps recording the whole session into the spool and reports the failure at stop', async () => {
    const spoolFile = join(dir, 'spool', 'id', 'rec.mp4');
    const errors: Error[] = [];
    const rec = new Recorder({ storage: storageDroppingAfter(1), key: 'recordings/id/rec.mp4', spoolFile, onError: (e) => errors.push(e) });
    rec.start();
    expect(existsSync(spoolLockOf(spoolFile))).toBe(true);
    const tone = new Int16Array(960).map((_, i) => Math.round(8000 * Math.sin((i / 48) * 2 * Math.PI)));
    const feed = setInterval(() => rec.pushCandidateAudio(tone), 20);
    await new Promise((r) => setTimeout(r, 3000));
    clearInterval(feed);
    rec.markEnd();
    await expect(rec.stop()).rejects.toThrow(/ECONNREFUSED/);
    expect(errors, 'the session is not cut short').toEqual([]);
    expect(existsSync(spoolLockOf(spoolFile)), 'lock released for a retry').toBe(false);
    const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', spoolFile], { encoding: 'utf8' }));
    expect(probe.streams.map((s: { codec_type: string; codec_name: string }) => `${s.codec_type}:${s.codec_name}`).sort()).toEqual(['audio:aac', 'audio:aac', 'audio:aac', 'video:h264']);
    expect(Number(probe.format.duration)).toBeGreaterThan(2.5);
    expect(Number(probe.format.duration)).toBeLessThan(3.6);
  }, 20_000);
});
