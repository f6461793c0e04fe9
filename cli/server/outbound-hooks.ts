import type { Sql } from '../adapters/db/connect.js';
import { createHookRepo } from '../adapters/db/hooks.js';
import { createHookHttp } from '../adapters/hooks/http-send.js';
import type { ObjectStorage } from '../adapters/storage/storage.js';
import type { Settings } from '../settings.js';
import { startSender } from '../use-cases/send-hooks.js';
import type { Logger } from '../log.js';
import { outboxMetrics, trackOutboxBacklog } from '../metrics/serve-metrics.js';

/**
 * serve's outbound webhook sender: woken by the outbox's NOTIFY (sent on commit), polling every
 * second for retries falling due. Safe beside other replicas (claims skip each other's rows).
 * Logs carry ids and statuses only, never a payload.
 */
export async function startOutboundHooks(sql: Sql, settings: Settings, log: Logger): Promise<() => Promise<void>> {
  // Storage (and the AWS SDK) only when an interview.completed is first sent, not at start-up.
  let storage: Promise<ObjectStorage> | undefined;
  const openOnce = () => (storage ??= import('../adapters/storage/storage.js').then((m) => m.openStorage(settings)));
  const http = createHookHttp();
  trackOutboxBacklog(createHookRepo(sql).backlog);
  const sender = startSender({
    repo: createHookRepo(sql),
    http,
    presign: async (key, s) => (await openOnce()).presign(key, s),
    retryBaseMs: settings.hooks.retryBaseMs,
    workers: 4,
    onAttempt: (d, outcome, r) => {
      outboxMetrics.deliveries.inc({ result: r.state === 'pending' ? 'retry' : r.state });
      if (r.state === 'delivered') return;
      const fields = { event_id: d.event.id, type: d.event.type, endpoint: d.endpoint.id, status: outcome.status, attempt: d.attempts, error: outcome.error?.slice(0, 200) };
      if (r.disableEndpoint) log.warn('webhook endpoint disabled', { ...fields, reason: r.disableEndpoint });
      else if (r.state === 'failed') log.error('webhook delivery given up', fields);
      else log.warn('webhook delivery failed', { ...fields, next_attempt_at: r.nextAttemptAt?.toISOString() });
    },
    onError: (err) => log.warn('webhook sender round failed', { error: (err as Error).message }),
  });
  const listening = await sql.listen('hook_outbox', () => sender.wake()).catch((err) => {
    log.warn('webhook sender: no LISTEN, polling only', { error: (err as Error).message });
    return undefined;
  });
  return async () => {
    await listening?.unlisten().catch(() => {});
    await sender.stop();
    http.close();
  };
}
