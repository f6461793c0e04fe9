import type { Sql } from './connect.js';

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

function toStored(r: Record<string, unknown>): StoredWebhook {
  return {
    id: r.id as string,
    event: r.event as string,
    roomName: (r.room_name as string | null) ?? null,
    interviewId: (r.interview_id as string | null) ?? null,
    participantIdentity: (r.participant_identity as string | null) ?? null,
    createdAt: (r.created_at as Date | null) ?? null,
    body: r.body as string,
    receivedAt: r.received_at as Date,
    appliedAt: (r.applied_at as Date | null) ?? null,
    error: (r.error as string | null) ?? null,
  };
}

export function createWebhookRepo(sql: Sql) {
  return {
    /**
     * Stores a delivery once; returns false when LiveKit's event id was seen before. `applied`
     * marks it applied at once, for a caller that applies it in the same transaction.
     */
    async store(w: NewWebhook, opts: { applied?: boolean } = {}): Promise<boolean> {
      const res = await sql`
        insert into webhook_events (id, event, room_name, interview_id, participant_identity, created_at, body, applied_at)
        select ${w.id}, ${w.event}, ${w.roomName},
               (select id from interviews where id = ${w.interviewId}), ${w.participantIdentity}, ${w.createdAt}, ${w.body},
               ${opts.applied ? sql`now()` : sql`null`}
        on conflict (id) do nothing`;
      return res.count > 0;
    },

    async markApplied(id: string, error: string | null): Promise<void> {
      await sql`update webhook_events set applied_at = case when ${error}::text is null then now() else applied_at end, error = ${error} where id = ${id}`;
    },

    async get(id: string): Promise<StoredWebhook | undefined> {
      const [row] = await sql`select * from webhook_events where id = ${id}`;
      return row ? toStored(row) : undefined;
    },

    async list(filter: { interviewId?: string; since?: Date; event?: string; limit?: number } = {}): Promise<StoredWebhook[]> {
      const rows = await sql`
        select * from webhook_events where true
          ${filter.interviewId ? sql`and interview_id = ${filter.interviewId}` : sql``}
          ${filter.since ? sql`and received_at >= ${filter.since}` : sql``}
          ${filter.event ? sql`and event = ${filter.event}` : sql``}
        order by received_at desc, id
        limit ${filter.limit ?? 100}`;
      return rows.map(toStored);
    },
  };
}

export type WebhookRepo = ReturnType<typeof createWebhookRepo>;
