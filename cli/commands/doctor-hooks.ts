import type { Sql } from '../adapters/db/connect.js';
import { createHookRepo } from '../adapters/db/hooks.js';

type Add = (check: string, status: 'ok' | 'warn' | 'fail', detail: string, fix?: string | null) => void;

/** Minutes a delivery may wait before doctor calls its endpoint behind. */
const BEHIND_MS = 5 * 60_000;

/**
 * `doctor`'s outbound webhooks line: disabled endpoints (a 410) fail; endpoints whose deliveries
 * are being retried, were given up, or wait longer than five minutes are named with their last error.
 */
export async function checkOutboundHooks(sql: Sql, add: Add): Promise<void> {
  const health = await createHookRepo(sql).health();
  if (health.length === 0) return add('outbound webhooks', 'ok', 'no endpoints (interviewctl hooks add URL)');
  const now = Date.now();
  const disabled = health.filter((h) => h.endpoint.disabledAt);
  const failing = health.filter((h) => !h.endpoint.disabledAt && (h.retrying > 0 || (h.oldestPendingAt && now - h.oldestPendingAt.getTime() > BEHIND_MS)));
  const gaveUp = health.filter((h) => h.failed > 0);
  const describe = (list: typeof health) =>
    list.map((h) => `${h.endpoint.id} ${h.endpoint.url} (${h.endpoint.disabledReason ?? `${h.pending} pending`}${h.lastError ? `, last: ${h.lastError.slice(0, 80)}` : ''})`).join('; ');
  if (disabled.length > 0) {
    add('outbound webhooks', 'fail', `disabled: ${describe(disabled)}`, 'fix the receiver, then `interviewctl hooks enable ID` (its pending deliveries go out then)');
  }
  if (failing.length > 0) {
    add('outbound webhooks', 'warn', `failing: ${describe(failing)}`, 'see `interviewctl hooks deliveries --failed`; retries go on for 24 h (serve, or `interviewctl hooks send`)');
  }
  if (gaveUp.length > 0) {
    add('outbound webhooks', 'warn', `given up after 24 h: ${gaveUp.map((h) => `${h.endpoint.id} (${h.failed})`).join(', ')}`, '`interviewctl hooks resend --since 48h --endpoint ID` once the receiver is back');
  }
  if (disabled.length + failing.length + gaveUp.length === 0) {
    add('outbound webhooks', 'ok', `${health.length} ${health.length === 1 ? 'endpoint' : 'endpoints'}, ${health.reduce((n, h) => n + h.pending, 0)} pending`);
  }
}
