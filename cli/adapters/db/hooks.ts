import type { HookEventType } from '../../core/hook-events.js';
import type { Sql } from './connect.js';
import { numberId, type WithTextId } from './sql.js';

/** A receiver of our webhooks. */
export interface HookEndpoint {
  id: string;
  url: string;
  description: string;
  /** null: every event type. */
  events: HookEventType[] | null;
  secret: string;
  previousSecret: string | null;
  previousUntil: Date | null;
  allowPrivate: boolean;
  disabledAt: Date | null;
  disabledReason: string | null;
  createdAt: Date;
}

/** An endpoint with its delivery figures, for `hooks list`, `watch` and `doctor`. */
export interface EndpointHealth {
  endpoint: HookEndpoint;
  pending: number;
  /** Pending deliveries that have failed at least once. */
  retrying: number;
  failed: number;
  oldestPendingAt: Date | null;
  lastDeliveredAt: Date | null;
  lastError: string | null;
}

export interface DeliveryRow {
  id: number;
  eventId: string;
  type: HookEventType;
  interviewId: string | null;
  endpointId: string;
  url: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: Date;
  lastAttemptAt: Date | null;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

/** A delivery a sender holds the lease of: all it needs to send one attempt. */
export interface ClaimedDelivery {
  id: number;
  attempts: number;
  retryUntil: Date;
  event: { id: string; type: HookEventType; interviewId: string | null; data: Record<string, unknown>; createdAt: Date };
  endpoint: { id: string; url: string; secrets: string[]; allowPrivate: boolean };
}

/** The outcome of one attempt, written back in one statement per batch. */
export interface AttemptResult {
  id: number;
  state: 'pending' | 'delivered' | 'failed';
  status: number | null;
  error: string | null;
  nextAttemptAt: Date | null;
  /** Set on a 410: the endpoint is disabled with this reason. */
  disableEndpoint?: string;
}

export interface DeliveryFilter {
  endpointId?: string;
  interviewId?: string;
  failed?: boolean;
  since?: Date;
  limit?: number;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function createHookRepo(sql: Sql) {
  const deliveryWhere = (f: DeliveryFilter) => sql`
    where true
      ${f.endpointId ? sql`and d.endpoint_id = ${f.endpointId}` : sql``}
      ${f.interviewId ? sql`and ev.interview_id = ${f.interviewId}` : sql``}
      ${f.failed ? sql`and (d.state = 'failed' or (d.state = 'pending' and d.attempts > 0))` : sql``}
      ${f.since ? sql`and d.created_at >= ${f.since}` : sql``}`;

  // A delivery with its event and endpoint: hook_deliveries `d`, hook_events `ev`, hook_endpoints `e`.
  const delivery = sql`d.id, ev.id as event_id, ev.type, ev.interview_id, d.endpoint_id, e.url, d.state, d.attempts,
    d.next_attempt_at, d.last_attempt_at, d.last_status, d.last_error, d.delivered_at, d.created_at`;
  const toDelivery = (r: WithTextId<DeliveryRow>) => numberId<DeliveryRow>(r);

  return {
    async addEndpoint(e: { id: string; url: string; description: string; events: HookEventType[] | null; secret: string; allowPrivate: boolean }): Promise<HookEndpoint> {
      const [row] = await sql<HookEndpoint[]>`
        insert into hook_endpoints (id, url, description, events, secret, allow_private)
        values (${e.id}, ${e.url}, ${e.description}, ${e.events as string[] | null}, ${e.secret}, ${e.allowPrivate})
        returning *`;
      return row!;
    },

    async listEndpoints(): Promise<HookEndpoint[]> {
      return sql<HookEndpoint[]>`select * from hook_endpoints order by created_at, id`;
    },

    /** By id, or by URL when exactly one endpoint has it. */
    async findEndpoint(idOrUrl: string): Promise<HookEndpoint[]> {
      return sql<HookEndpoint[]>`select * from hook_endpoints where id = ${idOrUrl} or url = ${idOrUrl} order by created_at`;
    },

    async removeEndpoint(id: string): Promise<{ deliveries: number }> {
      return sql.begin(async (tx) => {
        const t = tx as unknown as Sql;
        const [n] = await t<{ n: number }[]>`select count(*)::int as n from hook_deliveries where endpoint_id = ${id} and state = 'pending'`;
        await t`delete from hook_endpoints where id = ${id}`;
        return { deliveries: n!.n };
      }) as Promise<{ deliveries: number }>;
    },

    /** A new signing secret; the previous one keeps signing (a second signature) until `until`. */
    async rotateSecret(id: string, secret: string, until: Date): Promise<HookEndpoint> {
      const [row] = await sql<HookEndpoint[]>`
        update hook_endpoints set previous_secret = secret, previous_until = ${until}, secret = ${secret}
        where id = ${id} returning *`;
      return row!;
    },

    async enableEndpoint(id: string): Promise<void> {
      await sql`update hook_endpoints set disabled_at = null, disabled_reason = null where id = ${id}`;
    },

    /** Every endpoint with its figures, read through the partial index of what is not delivered. */
    async health(): Promise<EndpointHealth[]> {
      type Row = HookEndpoint & Omit<EndpointHealth, 'endpoint' | 'lastError'> & { lastErrorText: string | null };
      const rows = await sql<Row[]>`
        select e.*, s.pending, s.retrying, s.failed, s.oldest_pending_at, s.last_error_text,
          (select x.delivered_at from hook_deliveries x where x.endpoint_id = e.id and x.state = 'delivered' order by x.id desc limit 1) as last_delivered_at
        from hook_endpoints e
        left join lateral (
          select count(*) filter (where state = 'pending')::int as pending,
                 count(*) filter (where state = 'pending' and attempts > 0)::int as retrying,
                 count(*) filter (where state = 'failed')::int as failed,
                 min(created_at) filter (where state = 'pending') as oldest_pending_at,
                 (array_agg(last_error order by id desc) filter (where last_error is not null))[1] as last_error_text
          from hook_deliveries d where d.endpoint_id = e.id and d.state <> 'delivered'
        ) s on true
        order by e.created_at, e.id`;
      return rows.map(({ pending, retrying, failed, oldestPendingAt, lastDeliveredAt, lastErrorText, ...endpoint }) => ({
        endpoint,
        pending,
        retrying,
        failed,
        oldestPendingAt,
        lastDeliveredAt,
        lastError: lastErrorText,
      }));
    },

    /** Endpoints with deliveries waiting, or disabled, for `watch`: one light query. */
    async backlog(): Promise<{ endpoint: string; pending: number; state: 'ok' | 'failing' | 'disabled' }[]> {
      const rows = await sql<{ id: string; disabled: boolean; pending: number; retrying: number }[]>`
        select e.id, e.disabled_at is not null as disabled,
          (select count(*)::int from hook_deliveries d where d.endpoint_id = e.id and d.state = 'pending') as pending,
          (select count(*)::int from hook_deliveries d where d.endpoint_id = e.id and d.state = 'pending' and d.attempts > 0) as retrying
        from hook_endpoints e order by e.created_at, e.id`;
      return rows
        .filter((r) => r.pending > 0 || r.disabled)
        .map((r) => ({ endpoint: r.id, pending: r.pending, state: r.disabled ? 'disabled' : r.retrying > 0 ? 'failing' : 'ok' }));
    },

    async deliveries(f: DeliveryFilter = {}): Promise<DeliveryRow[]> {
      const rows = await sql<WithTextId<DeliveryRow>[]>`
        select ${delivery}
        from hook_deliveries d join hook_events ev on ev.seq = d.event_seq join hook_endpoints e on e.id = d.endpoint_id
        ${deliveryWhere(f)}
        order by d.id desc limit ${f.limit ?? 50}`;
      return rows.map(toDelivery);
    },

    /**
     * Due again now, under the same event id (webhook-id), with a fresh 24 h of retries. By
     * delivery ids, or every delivery matching the filter. Returns the deliveries queued.
     */
    async resend(sel: { ids?: number[]; filter?: DeliveryFilter }): Promise<DeliveryRow[]> {
      const f = sel.filter ?? {};
      const rows = await sql<WithTextId<DeliveryRow>[]>`
        with picked as (
          select d.id from hook_deliveries d join hook_events ev on ev.seq = d.event_seq
          ${sel.ids ? sql`where d.id = any(${sel.ids}::bigint[])` : deliveryWhere(f)}
        ), queued as (
          update hook_deliveries d set state = 'pending', next_attempt_at = now(), retry_until = now() + interval '24 hours', leased_until = null
          from picked where d.id = picked.id
          returning d.*
        )
        select ${delivery}
        from queued d join hook_events ev on ev.seq = d.event_seq join hook_endpoints e on e.id = d.endpoint_id
        order by d.event_seq, d.id`;
      if (rows.length > 0) await sql`select pg_notify('hook_outbox', '')`;
      return rows.map(toDelivery);
    },

    /**
     * Takes up to `limit` deliveries that are due, for `leaseMs`: only the first pending delivery
     * of each (endpoint, interview) chain, so each chain goes in order; rows another sender is
     * taking are skipped (SKIP LOCKED) and rows it holds are leased, so several `serve` replicas
     * never send the same attempt. A sender that dies leaves its lease to run out: the delivery is
     * taken again then, under the same webhook-id.
     */
    async claim(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
      type Row = { id: string; attempts: number; retryUntil: Date; eventId: string; type: HookEventType; interviewId: string | null; data: Record<string, unknown>; createdAt: Date;
        endpointId: string; url: string; secret: string; previousSecret: string | null; previousValid: boolean | null; allowPrivate: boolean };
      const rows = await sql<Row[]>`
        with due as (
          select d.id from hook_deliveries d
          where d.state = 'pending' and d.next_attempt_at <= now() and (d.leased_until is null or d.leased_until < now())
            and not exists (
              select 1 from hook_deliveries p
              where p.endpoint_id = d.endpoint_id and p.order_key = d.order_key and p.state = 'pending' and p.event_seq < d.event_seq)
            and exists (select 1 from hook_endpoints e where e.id = d.endpoint_id and e.disabled_at is null)
          order by d.next_attempt_at, d.event_seq
          limit ${limit}
          for update of d skip locked
        ), taken as (
          update hook_deliveries d set leased_until = now() + ${leaseMs} * interval '1 millisecond', attempts = d.attempts + 1, last_attempt_at = now()
          from due where d.id = due.id
          returning d.id, d.attempts, d.retry_until, d.event_seq, d.endpoint_id
        )
        select t.id, t.attempts, t.retry_until, ev.id as event_id, ev.type, ev.interview_id, ev.data, ev.created_at,
               e.id as endpoint_id, e.url, e.secret, e.previous_secret, e.previous_until > now() as previous_valid, e.allow_private
        from taken t join hook_events ev on ev.seq = t.event_seq join hook_endpoints e on e.id = t.endpoint_id
        order by ev.seq`;
      // Nested for the sender, and the previous secret only while it still signs.
      return rows.map((r) => ({
        id: Number(r.id),
        attempts: r.attempts,
        retryUntil: r.retryUntil,
        event: { id: r.eventId, type: r.type, interviewId: r.interviewId, data: r.data, createdAt: r.createdAt },
        endpoint: { id: r.endpointId, url: r.url, secrets: r.previousValid && r.previousSecret ? [r.secret, r.previousSecret] : [r.secret], allowPrivate: r.allowPrivate },
      }));
    },

    /** Writes a batch of attempts back (and disables endpoints that answered 410), one statement. */
    async record(results: readonly AttemptResult[]): Promise<void> {
      if (results.length === 0) return;
      const gone = results.filter((r) => r.disableEndpoint);
      await sql`
        with r as (
          select * from unnest(${results.map((r) => r.id)}::bigint[], ${results.map((r) => r.state)}::text[], ${results.map((r) => r.status)}::int[],
                               ${results.map((r) => r.error)}::text[], ${results.map((r) => iso(r.nextAttemptAt))}::timestamptz[])
            as r(id, state, status, error, next_at)
        ), written as (
          update hook_deliveries d set state = r.state, last_status = r.status, last_error = r.error, leased_until = null,
            next_attempt_at = coalesce(r.next_at, d.next_attempt_at),
            delivered_at = case when r.state = 'delivered' then now() else d.delivered_at end
          from r where d.id = r.id
          returning d.id
        ), disabled as (
          update hook_endpoints e set disabled_at = now(), disabled_reason = g.reason
          from (select distinct d.endpoint_id, x.reason
                from unnest(${gone.map((g) => g.id)}::bigint[], ${gone.map((g) => g.disableEndpoint!)}::text[]) as x(id, reason)
                join hook_deliveries d on d.id = x.id) g
          where e.id = g.endpoint_id and e.disabled_at is null
          returning e.id
        )
        select (select count(*) from written) as written, (select count(*) from disabled) as disabled`;
    },
  };
}

export type HookRepo = ReturnType<typeof createHookRepo>;
