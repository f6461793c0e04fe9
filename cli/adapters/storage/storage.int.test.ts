import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { recordingKeys } from '../../core/keys.js';
import { createLocalStorage } from './storage.js';

// The local recordings folder (no S3_BUCKET) against the real file system.

const dir = mkdtempSync(join(tmpdir(), 'ictl-storage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the local recordings folder', () => {
  const keys = recordingKeys('AbCdEfGhIjKlMnOpQrStUv', 'interview-AbCdEfGhIjKlMnOpQrStUv', new Date(Date.UTC(2026, 11, 1, 10, 0, 0)));

  it('lays keys out under RECORDINGS_DIR once: recordings/<id>/<file> is <dir>/<id>/<file>', async () => {
    const storage = createLocalStorage(join(dir, 'new'));
    await storage.upload(keys.video, Readable.from([Buffer.alloc(1000)]), 'video/mp4');
    await storage.put(keys.transcript, '{}', 'application/json');
    expect(existsSync(join(dir, 'new', 'AbCdEfGhIjKlMnOpQrStUv', '20261201T100000Z_interview-AbCdEfGhIjKlMnOpQrStUv.mp4'))).toBe(true);
    expect(existsSync(join(dir, 'new', 'recordings'))).toBe(false);
    expect(await storage.size(keys.video)).toBe(1000);
    expect((await storage.get(keys.transcript)).toString()).toBe('{}');
  });

  it('still reads recordings an older version stored under <dir>/recordings/<id>/', async () => {
    const root = join(dir, 'old');
    mkdirSync(join(root, 'recordings', 'AbCdEfGhIjKlMnOpQrStUv'), { recursive: true });
    writeFileSync(join(root, ...keys.video.split('/')), Buffer.alloc(42));
    const storage = createLocalStorage(root);
    expect(await storage.size(keys.video)).toBe(42);
    expect((await storage.read(keys.video))?.size).toBe(42);
    expect(await storage.presign(keys.video, 60)).toMatch(/\/old\/recordings\/AbCdEfGhIjKlMnOpQrStUv\//);
    await storage.remove(keys.video);
    expect(await storage.size(keys.video)).toBeUndefined();
  });

  it('refuses keys that would leave the folder', async () => {
    const storage = createLocalStorage(join(dir, 'new'));
    await expect(storage.put('recordings/../../etc/passwd', 'x', 'text/plain')).rejects.toThrow(/bad storage key/);
  });
});
