import { isConnectionError } from '../adapters/db/errors.js';
import type { StoredWebhook, WebhookRepo } from '../adapters/db/webhooks.js';
import { applyDeliveries } from './apply-webhook.js';

export interface ReplayOutcome {
  id: string;
  event: string;
  interviewId: string | null;
  result: string;
  error: string | null;
}

export interface ReplayDeps {
  /** Runs `fn` in one transaction with a repo bound to it, and commits it. */
  transaction: <T>(fn: (tx: WebhookRepo) => Promise<T>) => Promise<T>;
  /** The repo outside any transaction, to record a delivery that failed. */
  webhooks: WebhookRepo;
}

const LOST = new Set(['57P01', '57P02', 'EPIPE', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED']);
const databaseGone = (err: unknown) => isConnectionError(err) || LOST.has((err as { code?: string })?.code ?? '');

/**
 * Re-applies stored deliveries, chunk by chunk as they are read (in received order), each chunk in
 * one transaction: its interviews locked, its deliveries folded per interview in received order
 * through the pure rules, the effects written in one statement. Applying is idempotent (state only
 * moves forward, an event row is written once per delivery, applied_at keeps the first time), so
 * replaying twice changes nothing the second time. The next chunk is read while one is applied.
 * If a chunk fails for another reason than a lost database, its deliveries are tried one by one,
 * and those that still fail keep their error on the stored row. `emit` gets each chunk's outcomes.
 */
export async function replayStored(
  deps: ReplayDeps,
  chunks: AsyncIterable<StoredWebhook[]>,
  emit: (outcomes: ReplayOutcome[]) => void,
): Promise<{ applied: number; changed: number; failed: number }> {
  const total = { applied: 0, changed: 0, failed: 0 };
  const apply = (ws: StoredWebhook[]) => deps.transaction((tx) => applyDeliveries(tx, ws, { reapply: true }));
  const outcome = (w: StoredWebhook, result: string, error: string | null): ReplayOutcome => {
    if (error) total.failed++;
    else {
      total.applied++;
      if (!/^(no change|ignored)/.test(result)) total.changed++;
    }
    return { id: w.id, event: w.event, interviewId: w.interviewId, result, error };
  };

  const it = chunks[Symbol.asyncIterator]();
  let next = it.next();
  try {
    await replayAll();
  } finally {
    // Closes the cursor when a lost database (or anything else) stops the replay half-way.
    await it.return?.().catch(() => {});
  }
  return total;

  async function replayAll(): Promise<void> {
  for (;;) {
    const { value: chunk, done } = await next;
    if (done) break;
    next = it.next();
    // A rejection of the read-ahead is seen when it is awaited, one turn later.
    next.catch(() => {});
    try {
      const results = await apply(chunk);
      emit(chunk.map((w, i) => outcome(w, results[i]!, null)));
    } catch (err) {
      if (databaseGone(err)) throw err;
      const one: ReplayOutcome[] = [];
      for (const w of chunk) {
        try {
          one.push(outcome(w, (await apply([w]))[0]!, null));
        } catch (e) {
          if (databaseGone(e)) throw e;
          const message = (e as Error).message ?? String(e);
          await deps.webhooks.markFailed(w.id, message).catch(() => {});
          one.push(outcome(w, 'failed', message));
        }
      }
      emit(one);
    }
  }
  }
}
