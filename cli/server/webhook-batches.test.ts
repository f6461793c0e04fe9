import { describe, expect, it } from 'vitest';
import type { WebhookFacts } from '../use-cases/apply-webhook.js';
import { createWebhookBatcher, type WebhookOutcome } from './webhook-batches.js';

const A = 'AAAAAAAAAAAAAAAAAAAAAA';
const B = 'BBBBBBBBBBBBBBBBBBBBBB';

function facts(id: string, interview: string): WebhookFacts {
  return { id, event: 'participant_joined', roomName: `interview-${interview}`, participantIdentity: null, createdAt: null, body: '{}' };
}

/** A fake database: batches log what ran in them; `failOn` makes one delivery fail inside a batch. */
function fakeDb(opts: { failOn?: string; delayMs?: (id: string) => number } = {}) {
  const log: string[] = [];
  const batches: string[][] = [];
  let open = 0;
  let gate: Promise<void> = Promise.resolve();
  let release = () => {};
  return {
    log,
    batches,
    /** Holds every batch at its start until `letGo` is called. */
    hold() {
      gate = new Promise((r) => (release = r));
    },
    letGo: () => release(),
    receiveBatch: async (fs: WebhookFacts[]): Promise<WebhookOutcome[]> => {
      open++;
      try {
        await gate;
        batches.push(fs.map((f) => f.id));
        await new Promise((r) => setTimeout(r, Math.max(0, ...fs.map((f) => opts.delayMs?.(f.id) ?? 0))));
        if (fs.some((f) => f.id === opts.failOn)) {
          log.push('rollback');
          throw new Error(`cannot apply ${opts.failOn}`);
        }
        log.push('commit');
        return fs.map((f) => ({ duplicate: false, result: `in batch ${f.id}` }));
      } finally {
        open--;
      }
    },
    receiveAlone: async (f: WebhookFacts): Promise<WebhookOutcome> => {
      log.push(`alone ${f.id}`);
      if (f.id === opts.failOn) throw new Error(`cannot apply ${f.id}`);
      return { duplicate: false, result: `alone ${f.id}` };
    },
    get open() {
      return open;
    },
  };
}

describe('createWebhookBatcher', () => {
  it('receives a delivery on its own and at once when nothing is waiting', async () => {
    const db = fakeDb();
    const batcher = createWebhookBatcher({ receiveBatch: db.receiveBatch, receiveAlone: db.receiveAlone, slots: 2, maxBatch: 10 });
    await expect(batcher.receive(facts('EV_1', A))).resolves.toEqual({ duplicate: false, result: 'alone EV_1' });
    expect(db.batches).toEqual([]);
  });

  it('puts deliveries that wait for a slot into one batch, in arrival order', async () => {
    const db = fakeDb();
    let holdFirst = () => {};
    const busy = new Promise<void>((r) => (holdFirst = r));
    const batcher = createWebhookBatcher({
      receiveBatch: db.receiveBatch,
      // The first delivery occupies the only slot until we let it go.
      receiveAlone: async (f) => {
        if (f.id === 'EV_0') await busy;
        return db.receiveAlone(f);
      },
      slots: 1,
      maxBatch: 10,
    });
    const all = [batcher.receive(facts('EV_0', A)), batcher.receive(facts('EV_b1', B)), batcher.receive(facts('EV_a1', A)), batcher.receive(facts('EV_b2', B)), batcher.receive(facts('EV_a2', A))];
    holdFirst();
    const outcomes = await Promise.all(all);
    expect(db.batches).toEqual([['EV_b1', 'EV_a1', 'EV_b2', 'EV_a2']]);
    expect(outcomes.map((o) => o.result)).toEqual(['alone EV_0', 'in batch EV_b1', 'in batch EV_a1', 'in batch EV_b2', 'in batch EV_a2']);
    expect(db.log.at(-1)).toBe('commit');
  });

  it('receives each delivery of a failed batch again on its own, so only the bad one fails', async () => {
    const db = fakeDb({ failOn: 'EV_2' });
    let holdFirst = () => {};
    const busy = new Promise<void>((r) => (holdFirst = r));
    const batcher = createWebhookBatcher({
      receiveBatch: db.receiveBatch,
      receiveAlone: async (f) => {
        if (f.id === 'EV_0') await busy;
        return db.receiveAlone(f);
      },
      slots: 1,
      maxBatch: 10,
    });
    const all = ['EV_0', 'EV_1', 'EV_2', 'EV_3'].map((id) => batcher.receive(facts(id, A)).then((o) => o.result, (err: Error) => `failed: ${err.message}`));
    holdFirst();
    expect(await Promise.all(all)).toEqual(['alone EV_0', 'alone EV_1', 'failed: cannot apply EV_2', 'alone EV_3']);
    expect(db.log.slice(db.log.indexOf('rollback') + 1)).toEqual(['alone EV_1', 'alone EV_2', 'alone EV_3']);
  });

  it('runs at most `slots` batches at once and at most `maxBatch` deliveries in one', async () => {
    const db = fakeDb();
    db.hold();
    let peak = 0;
    const batcher = createWebhookBatcher({
      receiveBatch: (fs) => {
        const p = db.receiveBatch(fs);
        peak = Math.max(peak, db.open);
        return p;
      },
      receiveAlone: async (f) => (await db.receiveBatch([f]))[0]!,
      slots: 2,
      maxBatch: 3,
    });
    const all = Array.from({ length: 10 }, (_, i) => batcher.receive(facts(`EV_${i}`, A)));
    await new Promise((r) => setTimeout(r, 5));
    db.letGo();
    await Promise.all(all);
    expect(peak).toBe(2);
    expect(Math.max(...db.batches.map((b) => b.length))).toBe(3);
    expect(db.batches.flat().sort()).toEqual(Array.from({ length: 10 }, (_, i) => `EV_${i}`).sort());
  });
});
