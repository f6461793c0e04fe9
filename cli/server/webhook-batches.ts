import { interviewIdFromRoom } from '../core/ids.js';
import type { ApplyDeps, WebhookFacts } from '../use-cases/apply-webhook.js';

export type WebhookOutcome = { duplicate: boolean; result: string };

export interface WebhookBatcherOptions {
  /** Runs `fn` in one transaction and commits it; rolls back and rethrows when `fn` throws. */
  transaction: <T>(fn: (tx: ApplyDeps) => Promise<T>) => Promise<T>;
  /** Stores and applies one delivery inside a transaction. */
  receiveIn: (tx: ApplyDeps, f: WebhookFacts) => Promise<WebhookOutcome>;
  /** Receives one delivery in a transaction of its own, recording a failure to apply. */
  receiveAlone: (f: WebhookFacts) => Promise<WebhookOutcome>;
  /** Transactions at once. */
  slots: number;
  /** Deliveries in one transaction at most. */
  maxBatch: number;
}

interface Waiting {
  f: WebhookFacts;
  key: string;
  resolve: (o: WebhookOutcome) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for webhook deliveries. Up to `slots` transactions run at once; deliveries that
 * arrive while all of them are busy wait, and the next free one takes them together (up to
 * `maxBatch`). At rest each delivery goes alone and at once; under load many share one BEGIN,
 * one COMMIT and one WAL flush, and their statements are pipelined on one connection.
 *
 * A batch is applied in interview order (arrival order kept within an interview), so batches
 * running side by side take row locks in the same order and cannot deadlock each other. If
 * anything in a batch fails, the batch rolls back as a whole and each delivery is received again
 * on its own, where a failure to apply is recorded as usual.
 */
export function createWebhookBatcher(o: WebhookBatcherOptions) {
  const queue: Waiting[] = [];
  let running = 0;

  async function alone(w: Waiting): Promise<void> {
    try {
      w.resolve(await o.receiveAlone(w.f));
    } catch (err) {
      w.reject(err);
    }
  }

  async function run(batch: Waiting[]): Promise<void> {
    if (batch.length === 1) return alone(batch[0]!);
    batch.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    let outcomes: WebhookOutcome[];
    try {
      outcomes = await o.transaction(async (tx) => {
        // Every delivery settles before the transaction ends, so none sends a statement after
        // the ROLLBACK (it would run outside the transaction, or on a connection given back).
        const settled = await Promise.allSettled(batch.map((w) => o.receiveIn(tx, w.f)));
        const failed = settled.find((s) => s.status === 'rejected');
        if (failed) throw failed.reason;
        return settled.map((s) => (s as PromiseFulfilledResult<WebhookOutcome>).value);
      });
    } catch {
      await Promise.all(batch.map(alone));
      return;
    }
    batch.forEach((w, i) => w.resolve(outcomes[i]!));
  }

  function pump(): void {
    while (running < o.slots && queue.length > 0) {
      running++;
      void run(queue.splice(0, o.maxBatch)).finally(() => {
        running--;
        pump();
      });
    }
  }

  return {
    /** Stores and applies a delivery, alone or with others; resolves once it is committed. */
    receive(f: WebhookFacts): Promise<WebhookOutcome> {
      return new Promise((resolve, reject) => {
        queue.push({ f, key: (f.roomName && interviewIdFromRoom(f.roomName)) || '', resolve, reject });
        pump();
      });
    },
  };
}
