import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cacheLines } from './line-cache.js';
import type { Synthesizer } from './synthesizers.js';

function countingVoice(label = 'espeak-ng (offline)'): Synthesizer & { calls: string[] } {
  const calls: string[] = [];
  return {
    label,
    calls,
    async synthesize(text) {
      calls.push(text);
      return Int16Array.from(text, (c) => c.charCodeAt(0));
    },
    async close() {},
  };
}

describe('the offline voice’s lines, kept across interviews', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'line-cache-'));
    dirs.push(d);
    return join(d, 'speech');
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('makes a line once per machine: another interview (process) gets the same samples without the voice', async () => {
    const dir = tmp();
    const first = countingVoice();
    const a = await cacheLines(first, dir).synthesize('What is your current role?', 'en');
    const second = countingVoice();
    const b = await cacheLines(second, dir).synthesize('What is your current role?', 'en');
    expect(first.calls).toEqual(['What is your current role?']);
    expect(second.calls).toEqual([]);
    expect([...b]).toEqual([...a]);
  });

  it('keeps lines apart by text, language and voice', async () => {
    const dir = tmp();
    const v = countingVoice();
    await cacheLines(v, dir).synthesize('Thank you.', 'en');
    await cacheLines(v, dir).synthesize('Thank you.', 'ja');
    await cacheLines(v, dir).synthesize('Thank you!', 'en');
    const other = countingVoice('another voice');
    await cacheLines(other, dir).synthesize('Thank you.', 'en');
    expect(v.calls).toHaveLength(3);
    expect(other.calls).toHaveLength(1);
  });

  it('makes a damaged file again, and still speaks when the cache cannot be written', async () => {
    const dir = tmp();
    const v = countingVoice();
    await cacheLines(v, dir).synthesize('Goodbye.', 'en');
    const [file] = readdirSync(dir);
    writeFileSync(join(dir, file!), Buffer.from([1, 2, 3]));
    const again = await cacheLines(v, dir).synthesize('Goodbye.', 'en');
    expect(v.calls).toHaveLength(2);
    expect(again.length).toBe('Goodbye.'.length);
    // A file where the directory should be: nothing can be kept, the line is still made.
    const blocked = tmp();
    writeFileSync(blocked, 'not a directory');
    const w = countingVoice();
    expect((await cacheLines(w, blocked).synthesize('Hello.', 'en')).length).toBe(6);
  });

  it('stays bounded: past the limit the older half goes', async () => {
    const dir = tmp();
    const v = countingVoice();
    for (let i = 0; i < 6; i++) await cacheLines(v, dir, 4).synthesize(`line ${i}`, 'en');
    expect(readdirSync(dir).filter((n) => n.endsWith('.pcm')).length).toBeLessThanOrEqual(4);
  });
});
