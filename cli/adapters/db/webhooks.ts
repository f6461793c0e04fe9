import { allowedFrom, targetOf } from '../../core/states.js';
import type { InterviewNow, PlannedEvent } from '../../core/webhook-rules.js';
import type { Sql } from './connect.js';
import { startedEventSql } from './outbox.js';

export interface StoredWebhook {
  id: string;
  event: string;
  roomName: string | null;
  interviewId: string | null;
  participantIdentity: string | null;
  createdAt: Date | null;
  body: string;
  receivedAt: Date;
  appliedAt: Date | null;
  error: string | null;
}

/** A delivery as it arrives, before it is stored. */
export type NewWebhook = Omit<StoredWebhook, 'receivedAt' | 'appliedAt' | 'error'>;

/** What applying a batch changes on one interview row (see planDeliveries). */
export interface InterviewWrite {
  id: string;
  endReason: string | null;
  candidateJoinedAt: Date | null;
}

/** An event-log row caused by a delivery. */
export interface EventWrite extends PlannedEvent {
  interviewId: string;
}

export interface StoredFilter {
  interviewId?: string;
  since?: Date;
  event?: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function createWebhookRepo(sql: Sql) {
  const where = (f: StoredFilter) => sql`
    where true
      ${f.interviewId ? sql`and interview_id = ${f.interviewId}` : sql``}
      ${f.since ? sql`and received_at >= ${f.since}` : sql``}
      ${f.event ? sql`and event = ${f.event}` : sql``}`;

  return {
    /**
     * Stores deliveries (ids distinct), marked applied: the caller applies them in the same
     * transaction. Returns the ids that are new here. A delivery stored before but never applied
     * (its apply failed) counts as new, so LiveKit's retry of it is applied. Rows keep the order
     * given in received_at, a microsecond apart, since they share one statement's clock.
     */
    async storeMany(ws: readonly NewWebhook[]): Promise<Set<string>> {
      if (ws.length === 0) return new Set();
      const rows = await sql<{ id: string }[]>`
        insert into webhook_events as w (id, event, room_name, interview_id, participant_identity, created_at, body, received_at, applied_at)
        select t.id, t.event, t.room_name, i.id, t.participant_identity, t.created_at, t.body,
               statement_timestamp() + t.ord * interval '1 microsecond', statement_timestamp() + t.ord * interval '1 microsecond'
        from unnest(${ws.map((w) => w.id)}::text[], ${ws.map((w) => w.event)}::text[], ${ws.map((w) => w.roomName)}::text[],
                    ${ws.map((w) => w.interviewId)}::text[], ${ws.map((w) => w.participantIdentity)}::text[],
                    ${ws.map((w) => iso(w.createdAt))}::timestamptz[], ${ws.map((w) => w.body)}::text[])
             with ordinality as t(id, event, room_name, interview_id, participant_identity, created_at, body, ord)
        left join interviews i on i.id = t.interview_id
        order by t.ord
        on conflict (id) do update set applied_at = excluded.applied_at, error = null where w.applied_at is null
        returning w.id`;
      return new Set(rows.map((r) => r.id));
    },

    /** Stores a delivery that could not be applied, with why, so `webhooks replay` can retry it. */
    async storeFailed(w: NewWebhook, error: string): Promise<void> {
      await sql`
        insert into webhook_events (id, event, room_name, interview_id, participant_identity, created_at, body, error)
        select ${w.id}, ${w.event}, ${w.roomName}, (select id from interviews where id = ${w.interviewId}),
               ${w.participantIdentity}, ${w.createdAt}, ${w.body}, ${error}
        on conflict (id) do update set error = excluded.error where webhook_events.applied_at is null`;
    },

    /**
     * The interviews a batch touches, as they are now. Those in `lock` stay locked until the
     * transaction ends (NO KEY UPDATE, taken in id order so batches side by side cannot deadlock);
     * those in `read` are only read. Both reads go out together.
     */
    async readInterviews(lock: readonly string[], read: readonly string[] = []): Promise<Map<string, InterviewNow>> {
      type Row = { id: string; status: InterviewNow['status']; joined: boolean };
      const [locked, plain] = await Promise.all([
        lock.length === 0 ? [] : sql<Row[]>`
          select id, status, candidate_joined_at is not null as joined from interviews
          where id = any(${lock as string[]}::text[]) order by id for no key update`,
        read.length === 0 ? [] : sql<Row[]>`
          select id, status, candidate_joined_at is not null as joined from interviews where id = any(${read as string[]}::text[])`,
      ]);
      const m = new Map<string, InterviewNow>();
      for (const r of [...plain, ...locked]) m.set(r.id, { status: r.status, candidateJoined: r.joined });
      return m;
    },

    /** Which of these deliveries have their row in the event log already (applied before). */
    async appliedIds(ids: readonly string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const rows = await sql<{ webhookId: string }[]>`select webhook_id from interview_events where webhook_id = any(${ids as string[]}::text[])`;
      return new Set(rows.map((r) => r.webhookId));
    },

    /**
     * Writes what a batch of deliveries does: the guarded `end` transitions and first candidate
     * joins, the event-log rows (once per delivery), and `markApplied` rows marked applied
     * (applied_at keeps the first time, so re-applying writes nothing). A statement per kind, only
     * those needed, sent together. Returns the deliveries whose event row was written now. Throws
     * when a planned transition was refused: the caller holds the rows' locks, so the plan is
     * wrong, and the batch must roll back.
     */
    async writeApplied(w: { interviews: readonly InterviewWrite[]; events: readonly EventWrite[]; markApplied: readonly string[] }): Promise<Set<string>> {
      const iv = w.interviews;
      const ev = w.events;
      const [moved, logged] = await Promise.all([
        iv.length === 0 ? [] : sql<{ id: string }[]>`
          with moved as (
          update interviews i set
            status = case when u.end_reason is null then i.status else ${targetOf('end')} end,
            end_reason = coalesce(u.end_reason, i.end_reason),
            ended_at = case when u.end_reason is null then i.ended_at else coalesce(i.ended_at, now()) end,
            candidate_joined_at = coalesce(i.candidate_joined_at, u.joined_at),
            updated_at = now()
          from unnest(${iv.map((x) => x.id)}::text[], ${iv.map((x) => x.endReason)}::text[], ${iv.map((x) => iso(x.candidateJoinedAt))}::timestamptz[])
               as u(id, end_reason, joined_at)
          where i.id = u.id and (u.end_reason is null or i.status = any(${allowedFrom('end') as string[]}::text[]))
          returning i.*, u.joined_at is not null as first_join
          ), joined as (
            select * from moved where first_join
          ), hooked as (
            ${startedEventSql(sql, 'joined', sql`m.candidate_joined_at`)}
          )
          select id from moved`,
        ev.length === 0 ? [] : sql<{ webhookId: string }[]>`
          insert into interview_events (interview_id, from_status, to_status, actor, reason, webhook_id)
          select e.interview_id, e.from_status, e.to_status, 'livekit', e.reason, e.webhook_id
          from unnest(${ev.map((x) => x.interviewId)}::text[], ${ev.map((x) => x.from)}::text[], ${ev.map((x) => x.to)}::text[],
                      ${ev.map((x) => x.reason)}::text[], ${ev.map((x) => x.webhookId)}::text[])
               with ordinality as e(interview_id, from_status, to_status, reason, webhook_id, ord)
          order by e.ord
          on conflict (webhook_id) where webhook_id is not null do nothing
          returning webhook_id`,
        w.markApplied.length === 0 ? [] : sql`
          update webhook_events set applied_at = coalesce(applied_at, now()), error = null
          where id = any(${w.markApplied as string[]}::text[]) and (applied_at is null or error is not null)`,
      ]);
      if (moved.length !== iv.length) throw new Error(`applying webhooks: ${iv.length - moved.length} interview(s) changed under their lock`);
      return new Set(logged.map((r) => r.webhookId));
    },

    /** Records that applying a stored delivery failed; a later success clears it. */
    async markFailed(id: string, error: string): Promise<void> {
      await sql`update webhook_events set error = ${error} where id = ${id}`;
    },

    async get(id: string): Promise<StoredWebhook | undefined> {
      const [row] = await sql<StoredWebhook[]>`select * from webhook_events where id = ${id}`;
      return row;
    },

    async list(filter: StoredFilter & { limit?: number } = {}): Promise<StoredWebhook[]> {
      return sql<StoredWebhook[]>`select * from webhook_events ${where(filter)} order by received_at desc, id limit ${filter.limit ?? 100}`;
    },

    async count(filter: StoredFilter = {}): Promise<number> {
      const [r] = await sql<{ n: number }[]>`select count(*)::int as n from webhook_events ${where(filter)}`;
      return r!.n;
    },

    /**
     * Stored deliveries in received order, `chunk` rows at a time, read through a cursor so a
     * replay of millions never holds them all. Occupies one pooled connection while it runs.
     */
    async *stream(filter: StoredFilter, chunk: number): AsyncGenerator<StoredWebhook[]> {
      yield* sql<StoredWebhook[]>`select * from webhook_events ${where(filter)} order by received_at, id`.cursor(chunk);
    },
  };
}

export type WebhookRepo = ReturnType<typeof createWebhookRepo>;
