import { describe, expect, it } from 'vitest';
import { createBatchQueue } from './batch-queue.js';

const tick = () => new Promise((r) => setTimeout(r, 0));

/** A batch runner whose batches finish when the test says so. */
function gatedRunner() {
  const batches: { ids: string[]; finish: () => void }[] = [];
  const run = (batch: string[], settle: (i: number, out: string) => void) =>
    new Promise<void>((resolve) => {
      batches.push({
        ids: batch,
        finish: () => {
          batch.forEach((id, i) => settle(i, `done:${id}`));
          resolve();
        },
      });
    });
  return { batches, run };
}

describe('createBatchQueue', () => {
  it('at rest a join goes alone and at once', async () => {
    const g = gatedRunner();
    const b = createBatchQueue({ run: g.run, slots: 2, maxBatch: 8 });
    const out = b.submit('a');
    expect(g.batches.map((x) => x.ids)).toEqual([['a']]);
    g.batches[0]!.finish();
    expect(await out).toBe('done:a');
  });

  it('joins that arrive while every slot is busy wait and go together, at most maxBatch at a time', async () => {
    const g = gatedRunner();
    const b = createBatchQueue({ run: g.run, slots: 1, maxBatch: 3 });
    const outs = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => b.submit(id));
    expect(g.batches.map((x) => x.ids)).toEqual([['a']]);
    g.batches[0]!.finish();
    await tick();
    expect(g.batches.map((x) => x.ids)).toEqual([['a'], ['b', 'c', 'd']]);
    g.batches[1]!.finish();
    await tick();
    g.batches[2]!.finish();
    expect(await Promise.all(outs)).toEqual(['done:a', 'done:b', 'done:c', 'done:d', 'done:e', 'done:f']);
    expect(g.batches.map((x) => x.ids)).toEqual([['a'], ['b', 'c', 'd'], ['e', 'f']]);
  });

  it('a join is answered as soon as its own outcome is known, before its batch ends', async () => {
    let endBatch!: () => void;
    const b = createBatchQueue<string, string>({
      slots: 1,
      maxBatch: 8,
      run: (batch, settle) => {
        settle(0, 'early');
        return new Promise<void>((resolve) => (endBatch = resolve));
      },
    });
    expect(await b.submit('a')).toBe('early');
    endBatch();
  });

  it('a batch that fails rejects the joins it had not answered, and the next batch still runs', async () => {
    const boom = new Error('database went away');
    let calls = 0;
    const b = createBatchQueue<string, string>({
      slots: 1,
      maxBatch: 8,
      run: async (batch, settle) => {
        calls++;
        if (calls === 1) {
          settle(0, 'answered');
          throw boom;
        }
        batch.forEach((id, i) => settle(i, `ok:${id}`));
      },
    });
    const first = [b.submit('a'), b.submit('b')];
    const [a, bb] = await Promise.allSettled(first);
    // 'a' went alone (the slot was free); 'b' waited for the next batch.
    expect(a).toEqual({ status: 'fulfilled', value: 'answered' });
    expect(bb).toEqual({ status: 'fulfilled', value: 'ok:b' });
    const c = b.submit('c');
    expect(await c).toBe('ok:c');

    let n = 0;
    const failing = createBatchQueue<string, string>({
      slots: 1,
      maxBatch: 8,
      run: async (_batch, settle) => {
        if (n++ === 0) settle(0, 'x');
        throw boom;
      },
    });
    await expect(failing.submit('y')).resolves.toBe('x');
    await expect(failing.submit('z')).rejects.toBe(boom);
  });

  it('a batch that ends without answering a join rejects it rather than leaving it hanging', async () => {
    const b = createBatchQueue<string, string>({ slots: 1, maxBatch: 8, run: async () => {} });
    await expect(b.submit('a')).rejects.toThrow(/without an outcome/);
  });
});
