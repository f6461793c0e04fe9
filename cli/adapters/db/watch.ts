import type { Status } from '../../core/states.js';
import type { Sql } from './connect.js';

/** One interview as the live view shows it: the columns it needs, never the questions or keys. */
export interface WatchedInterview {
  id: string;
  candidateName: string;
  status: Status;
  durationMs: number;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  endedAt: Date | null;
  endReason: string | null;
  error: string | null;
  recordingKey: string | null;
}

/** One row of interview_events: a change of state, or a note (from = to). */
export interface WatchedEvent {
  seq: number;
  interviewId: string;
  at: Date;
  from: Status | null;
  to: Status;
  actor: string;
  reason: string | null;
}

/** An event with the interview as it is now, as one change query returns it. */
export interface EventWithInterview {
  event: WatchedEvent;
  interview: WatchedInterview;
}

export interface TranscriptLine {
  seq: number;
  speaker: string;
  text: string | null;
  startMs: number | null;
}

type Row = Record<string, unknown>;

const toInterview = (r: Row): WatchedInterview => ({
  id: r.id as string,
  candidateName: r.candidate_name as string,
  status: r.status as Status,
  durationMs: Number(r.duration_ms),
  createdAt: r.created_at as Date,
  expiresAt: r.expires_at as Date,
  usedAt: (r.used_at as Date | null) ?? null,
  endedAt: (r.ended_at as Date | null) ?? null,
  endReason: (r.end_reason as string | null) ?? null,
  error: (r.error as string | null) ?? null,
  recordingKey: (r.recording_key as string | null) ?? null,
});

const toEvent = (r: Row): WatchedEvent => ({
  seq: Number(r.event_id),
  interviewId: r.interview_id as string,
  at: r.event_at as Date,
  from: (r.from_status as Status | null) ?? null,
  to: r.to_status as Status,
  actor: r.actor as string,
  reason: (r.reason as string | null) ?? null,
});

/**
 * The queries behind `interviewctl watch`. Changes are read by event: a notification names the
 * interview, and only that interview's events after the last one seen are fetched.
 */
export function createWatchRepo(sql: Sql) {
  const columns = sql`i.id, i.candidate_name, i.status, i.duration_ms, i.created_at, i.expires_at, i.used_at,
    i.ended_at, i.end_reason, i.error, i.recording_key`;
  const eventColumns = sql`e.id as event_id, e.interview_id, e.at as event_at, e.from_status, e.to_status, e.actor, e.reason`;

  return {
    /**
     * What the view starts with: every live interview, plus the most recently touched others,
     * each with its latest event, and the newest event id (where following starts).
     */
    async initial(opts: { status?: Status; recentLimit: number; liveLimit: number }): Promise<{ rows: { interview: WatchedInterview; last: WatchedEvent | null }[]; cursor: number }> {
      const [{ cursor }] = (await sql`select coalesce(max(id), 0)::bigint as cursor from interview_events`) as unknown as [{ cursor: string }];
      const filter = opts.status
        ? sql`select * from (select * from interviews where status = ${opts.status} order by updated_at desc limit ${opts.liveLimit + opts.recentLimit}) s`
        : sql`(select * from interviews where status in ('used', 'recording', 'ending') order by updated_at desc limit ${opts.liveLimit})
              union all
              (select * from interviews where status not in ('used', 'recording', 'ending') order by updated_at desc limit ${opts.recentLimit})`;
      const rows = await sql`
        select ${columns}, ${eventColumns}
        from (${filter}) i
        left join lateral (
          select * from interview_events x where x.interview_id = i.id order by x.id desc limit 1
        ) e on true`;
      return {
        cursor: Number(cursor),
        rows: rows.map((r) => ({ interview: toInterview(r), last: r.event_id === null ? null : toEvent(r) })),
      };
    },

    /**
     * The events of the named interviews after each one's cursor, oldest first, with the
     * interview as it is now. `after[i]` belongs to `ids[i]`.
     */
    async changesOf(ids: string[], after: number[]): Promise<EventWithInterview[]> {
      if (ids.length === 0) return [];
      const rows = await sql`
        select ${columns}, ${eventColumns}
        from unnest(${ids}::text[], ${after.map(String)}::bigint[]) as c(iid, after)
        join interview_events e on e.interview_id = c.iid and e.id > c.after
        join interviews i on i.id = c.iid
        order by e.id
        limit 5000`;
      return rows.map((r) => ({ event: toEvent(r), interview: toInterview(r) }));
    },

    /** Interviews created at or after `since`, oldest first: new links, which have no event yet. */
    async createdSince(since: Date, limit = 500): Promise<WatchedInterview[]> {
      const rows = await sql`
        select ${columns} from interviews i where i.created_at >= ${since} order by i.created_at desc limit ${limit}`;
      return rows.map(toInterview).reverse();
    },

    /** Every event after a cursor: the catch-up after a lost connection. */
    async changesSince(cursor: number, limit = 5000): Promise<EventWithInterview[]> {
      const rows = await sql`
        select ${columns}, ${eventColumns}
        from interview_events e join interviews i on i.id = e.interview_id
        where e.id > ${cursor}
        order by e.id
        limit ${limit}`;
      return rows.map((r) => ({ event: toEvent(r), interview: toInterview(r) }));
    },

    /**
     * Which server we talk to and whether our LISTEN session is still on it: a restart changes
     * the start time, a dropped listener loses its backend pid.
     */
    async serverState(listenPid: number | undefined): Promise<{ startedAt: string; listening: boolean }> {
      const [row] = await sql`
        select pg_postmaster_start_time()::text as started_at,
               exists(select 1 from pg_stat_activity where pid = ${listenPid ?? 0}) as listening`;
      return { startedAt: row!.started_at as string, listening: row!.listening as boolean };
    },

    /** The full event timeline of one interview, oldest first. */
    async timeline(id: string): Promise<WatchedEvent[]> {
      const rows = await sql`
        select ${eventColumns} from interview_events e where e.interview_id = ${id} order by e.id`;
      return rows.map(toEvent);
    },

    /** Whether the transcript table (written by the agent) exists in this database yet. */
    async hasTranscripts(): Promise<boolean> {
      const [row] = await sql`select to_regclass('public.utterances') is not null as present`;
      return row!.present as boolean;
    },

    /** Utterances of one interview after a cursor (the table's id), oldest first. */
    async transcript(id: string, after: number): Promise<TranscriptLine[]> {
      const rows = await sql`
        select id, speaker, text, start_ms from utterances
        where interview_id = ${id} and id > ${after} order by id limit 500`;
      return rows.map((r) => ({
        seq: Number(r.id),
        speaker: r.speaker as string,
        text: (r.text as string | null) ?? null,
        startMs: r.start_ms === null ? null : Number(r.start_ms),
      }));
    },
  };
}

export type WatchRepo = ReturnType<typeof createWatchRepo>;
