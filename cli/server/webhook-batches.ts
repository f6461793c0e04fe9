import type { WebhookFacts, WebhookOutcome } from '../use-cases/apply-webhook.js';

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

interface Waiting {
  f: WebhookFacts;
  resolve: (o: WebhookOutcome) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for webhook deliveries. Up to `slots` transactions run at once; deliveries that
 * arrive while all of them are busy wait, and the next free one takes them together (up to
 * `maxBatch`). At rest each delivery goes alone and at once; under load many share one BEGIN,
 * one COMMIT and one WAL flush, and one set of statements (see receiveDeliveries).
 *
 * A batch keeps arrival order (the apply groups it per interview). If anything in a batch fails,
 * the batch rolls back as a whole and each delivery is received again on its own, where a failure
 * to apply is recorded as usual.
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
    let outcomes: WebhookOutcome[];
    try {
      outcomes = await o.receiveBatch(batch.map((w) => w.f));
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
        queue.push({ f, resolve, reject });
        pump();
      });
    },
  };
}
