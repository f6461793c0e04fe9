import type { StoredWebhook } from '../adapters/db/webhooks.js';
import { applyWebhookFacts, type ApplyDeps } from './apply-webhook.js';

export interface ReplayOutcome {
  id: string;
  event: string;
  interviewId: string | null;
  result: string;
  error: string | null;
}

/**
 * Re-applies stored deliveries. Applying is idempotent (state only moves forward, notes are
 * unique per delivery), so replaying twice changes nothing the second time. Deliveries of one
 * interview are applied in the order they were received; interviews run side by side.
 */
export async function replayStored(
  deps: ApplyDeps,
  stored: StoredWebhook[],
  emit: (o: ReplayOutcome) => void,
  concurrency = 8,
): Promise<{ applied: number; changed: number; failed: number }> {
  const groups = new Map<string, StoredWebhook[]>();
  for (const w of [...stored].sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime())) {
    const key = w.interviewId ?? `room:${w.roomName ?? '-'}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(w);
  }
  const queue = [...groups.values()];
  let applied = 0;
  let changed = 0;
  let failed = 0;
  const worker = async () => {
    for (let g = queue.shift(); g; g = queue.shift()) {
      for (const w of g) {
        try {
          const result = await applyWebhookFacts(deps, { id: w.id, event: w.event, roomName: w.roomName, participantIdentity: w.participantIdentity, createdAt: w.createdAt, body: w.body });
          await deps.webhooks.markApplied(w.id, null);
          applied++;
          if (!/^(no change|ignored)/.test(result)) changed++;
          emit({ id: w.id, event: w.event, interviewId: w.interviewId, result, error: null });
        } catch (err) {
          failed++;
          const message = (err as Error).message ?? String(err);
          await deps.webhooks.markApplied(w.id, message).catch(() => {});
          emit({ id: w.id, event: w.event, interviewId: w.interviewId, result: 'failed', error: message });
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  return { applied, changed, failed };
}
