import type { WebhookFacts, WebhookOutcome } from '../use-cases/apply-webhook.js';
import { createBatchQueue } from './batch-queue.js';

export type { WebhookOutcome };

export interface WebhookBatcherOptions {
  /** Stores and applies deliveries in one transaction, one outcome each; throws (rolled back) on failure. */
  receiveBatch: (fs: WebhookFacts[]) => Promise<WebhookOutcome[]>;
  /** Receives one delivery in a transaction of its own, recording a failure to apply. */
  receiveAlone: (f: WebhookFacts) => Promise<WebhookOutcome>;
  /** Transactions at once. */
  slots: number;
  /** Deliveries in one transaction at most. */
  maxBatch: number;
}

/**
 * Group commit for webhook deliveries (see createBatchQueue): under load many share one BEGIN,
 * one COMMIT and one WAL flush, and one set of statements (see receiveDeliveries).
 *
 * A batch keeps arrival order (the apply groups it per interview). If anything in a batch fails,
 * the batch rolls back as a whole and each delivery is received again on its own, where a failure
 * to apply is recorded as usual.
 */
export function createWebhookBatcher(o: WebhookBatcherOptions) {
  const alone = (f: WebhookFacts, i: number, settle: (i: number, out: WebhookOutcome) => void, fail: (i: number, err: unknown) => void) =>
    o.receiveAlone(f).then((out) => settle(i, out), (err: unknown) => fail(i, err));
  const queue = createBatchQueue<WebhookFacts, WebhookOutcome>({
    slots: o.slots,
    maxBatch: o.maxBatch,
    async run(fs, settle, fail) {
      if (fs.length === 1) return alone(fs[0]!, 0, settle, fail);
      let outcomes: WebhookOutcome[];
      try {
        outcomes = await o.receiveBatch(fs);
      } catch {
        await Promise.all(fs.map((f, i) => alone(f, i, settle, fail)));
        return;
      }
      outcomes.forEach((out, i) => settle(i, out));
    },
  });
  return {
    /** Stores and applies a delivery, alone or with others; resolves once it is committed. */
    receive: (f: WebhookFacts): Promise<WebhookOutcome> => queue.submit(f),
  };
}
