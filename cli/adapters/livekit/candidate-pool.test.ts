import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createCandidatePool } from './candidate-pool.js';

// A stand-in for candidate-process.js that speaks its protocol without rtc-node: a run whose id
// is "crash" kills its process, any other is done at once.
const FAKE_CHILD = `
process.on('disconnect', () => process.exit(0));
process.on('message', (m) => {
  if (m.type === 'init') process.send({ type: 'ready' });
  else if (m.type === 'run') {
    if (m.job.id === 'crash') process.exit(3);
    process.send({ type: 'done', key: m.key, run: { id: m.job.id, joinMs: 1, publishedAt: 1, firstAudioMs: 1, gaps: [], captions: [], heardClosing: true, pid: process.pid } });
  } else if (m.type === 'close') {
    process.send({ type: 'stats', cpuMs: 1, loopDelay: { p50Ms: 0, p99Ms: 0, maxMs: 0 } });
    setImmediate(() => process.exit(0));
  }
});
`;

describe('createCandidatePool', () => {
  it('gives a crashed process no more candidates: they run in the others, or say why not', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'candidate-pool-')), 'fake-child.mjs');
    writeFileSync(file, FAKE_CHILD);
    const pool = await createCandidatePool(2, { answer: new Int16Array(10) }, pathToFileURL(file));
    const crashed = await pool.run({ serveUrl: 'http://127.0.0.1:1', id: 'crash', deadlineMs: 1000 });
    expect(crashed.error).toMatch(/its candidate process exited \(3\)/);
    // Round robin would hand every other one to the dead process (and its send threw in the
    // parent: an unhandled 'error' event); each is heard by the live one.
    const runs = await Promise.all(['a', 'b', 'c'].map((id) => pool.run({ serveUrl: 'http://127.0.0.1:1', id, deadlineMs: 1000 })));
    expect(runs.map((r) => [r.id, r.error, r.heardClosing])).toEqual([
      ['a', undefined, true],
      ['b', undefined, true],
      ['c', undefined, true],
    ]);
    expect((await pool.close()).processes).toHaveLength(1);
    const after = await pool.run({ serveUrl: 'http://127.0.0.1:1', id: 'd', deadlineMs: 1000 });
    expect(after.error).toBe('every candidate process has exited');
  });
});
