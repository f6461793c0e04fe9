import { describe, expect, it } from 'vitest';
import type { ApplyDeps, WebhookFacts } from '../use-cases/apply-webhook.js';
import { createWebhookBatcher, type WebhookOutcome } from './webhook-batches.js';

const A = 'AAAAAAAAAAAAAAAAAAAAAA';
const B = 'BBBBBBBBBBBBBBBBBBBBBB';

function facts(id: string, interview: string): WebhookFacts {
  return { id, event: 'participant_joined', roomName: `interview-${interview}`, participantIdentity: null, createdAt: null, body: '{}' };
}

/** A fake database: transactions log what ran in them; `failOn` makes one delivery fail inside a batch. */
function fakeDb(opts: { failOn?: string; delayMs?: (id: string) => number } = {}) {
  const log: string[] = [];
  const batches: string[][] = [];
  let open = 0;
  const tx = {} as ApplyDeps;
  let gate: Promise<void> = Promise.resolve();
  let release = () => {};
  return {
    log,
    batches,
    /** Holds every transaction at its start until `let go` is called. */
    hold() {
      gate = new Promise((r) => (release = r));
    },
    letGo: () => release(),
    transaction: async <T>(fn: (tx: ApplyDeps) => Promise<T>): Promise<T> => {
      open++;
      await gate;
      const ran: string[] = [];
      batches.push(ran);
      (tx as unknown as { ran: string[] }).ran = ran;
      try {
        const value = await fn(tx);
        log.push('commit');
        return value;
      } catch (err) {
        log.push('rollback');
        throw err;
      } finally {
        open--;
      }
    },
    receiveIn: async (t: ApplyDeps, f: WebhookFacts): Promise<WebhookOutcome> => {
      const ran = (t as unknown as { ran: string[] }).ran;
      ran.push(f.id);
      await new Promise((r) => setTimeout(r, opts.delayMs?.(f.id) ?? 0));
      if (f.id === opts.failOn) throw new Error(`cannot apply ${f.id}`);
      log.push(`applied ${f.id}`);
      return { duplicate: false, result: `in batch ${f.id}` };
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
    const batcher = createWebhookBatcher({ ...db, slots: 2, maxBatch: 10 });
    await expect(batcher.receive(facts('EV_1', A))).resolves.toEqual({ duplicate: false, result: 'alone EV_1' });
    expect(db.batches).toEqual([]);
  });

  it('puts deliveries that wait for a slot into one transaction, in interview order, arrival kept within one', async () => {
    const db = fakeDb();
    const first = fakeDb();
    let holdFirst = () => {};
    const busy = new Promise<void>((r) => (holdFirst = r));
    const batcher = createWebhookBatcher({
      transaction: db.transaction,
      receiveIn: db.receiveIn,
      // The first delivery occupies the only slot until we let it go.
      receiveAlone: async (f) => {
        if (f.id === 'EV_0') await busy;
        return first.receiveAlone(f);
      },
      slots: 1,
      maxBatch: 10,
    });
    const all = [batcher.receive(facts('EV_0', A)), batcher.receive(facts('EV_b1', B)), batcher.receive(facts('EV_a1', A)), batcher.receive(facts('EV_b2', B)), batcher.receive(facts('EV_a2', A))];
    holdFirst();
    const outcomes = await Promise.all(all);
    expect(db.batches).toEqual([['EV_a1', 'EV_a2', 'EV_b1', 'EV_b2']]);
    expect(outcomes.map((o) => o.result)).toEqual(['alone EV_0', 'in batch EV_b1', 'in batch EV_a1', 'in batch EV_b2', 'in batch EV_a2']);
    expect(db.log.at(-1)).toBe('commit');
  });

  it('rolls a failing batch back only after every delivery in it settled, then receives each alone', async () => {
    const db = fakeDb({ failOn: 'EV_2', delayMs: (id) => (id === 'EV_3' ? 20 : 0) });
    let holdFirst = () => {};
    const busy = new Promise<void>((r) => (holdFirst = r));
    const batcher = createWebhookBatcher({
      transaction: db.transaction,
      receiveIn: db.receiveIn,
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
    // EV_3 (the slow one) finished inside the transaction before it was rolled back.
    expect(db.log.indexOf('applied EV_3')).toBeLessThan(db.log.indexOf('rollback'));
    expect(db.log.slice(db.log.indexOf('rollback') + 1)).toEqual(['alone EV_1', 'alone EV_2', 'alone EV_3']);
  });

  it('runs at most `slots` transactions at once and at most `maxBatch` deliveries in one', async () => {
    const db = fakeDb();
    db.hold();
    let peak = 0;
    const batcher = createWebhookBatcher({
      transaction: async (fn) => {
        const p = db.transaction(fn);
        peak = Math.max(peak, db.open);
        return p;
      },
      receiveIn: db.receiveIn,
      receiveAlone: (f) => db.transaction((tx) => db.receiveIn(tx, f)),
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
