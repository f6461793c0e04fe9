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

/** An interview row joined with one of its events (`eventColumns`); seq is a bigserial, so text. */
type Joined = WatchedInterview & Omit<WatchedEvent, 'seq'> & { seq: string };
type EventRow = Omit<WatchedEvent, 'seq'> & { seq: string };

const toEvent = (r: EventRow): WatchedEvent => ({ ...r, seq: Number(r.seq) });

/** Splits a joined row into the event and the interview (their column names do not overlap). */
const split = ({ seq, interviewId, at, from, to, actor, reason, ...interview }: Joined): EventWithInterview => ({
  event: { seq: Number(seq), interviewId, at, from, to, actor, reason },
  interview,
});

/**
 * The queries behind `interviewctl watch`. Changes are read by event: a notification names the
 * interview, and only that interview's events after the last one seen are fetched.
 */
export function createWatchRepo(sql: Sql) {
  const columns = sql`i.id, i.candidate_name, i.status, i.duration_ms, i.created_at, i.expires_at, i.used_at,
    i.ended_at, i.end_reason, i.error, i.recording_key`;
  const eventColumns = sql`e.id as seq, e.interview_id, e.at, e.from_status as "from", e.to_status as "to", e.actor, e.reason`;

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
      const rows = await sql<Joined[]>`
        select ${columns}, ${eventColumns}
        from (${filter}) i
        left join lateral (
          select * from interview_events x where x.interview_id = i.id order by x.id desc limit 1
        ) e on true`;
      return {
        cursor: Number(cursor),
        rows: rows.map((r) => {
          const { event, interview } = split(r);
          return { interview, last: r.seq === null ? null : event };
        }),
      };
    },

    /**
     * The events of the named interviews after each one's cursor, oldest first, with the
     * interview as it is now. `after[i]` belongs to `ids[i]`.
     */
    async changesOf(ids: string[], after: number[]): Promise<EventWithInterview[]> {
      if (ids.length === 0) return [];
      const rows = await sql<Joined[]>`
        select ${columns}, ${eventColumns}
        from unnest(${ids}::text[], ${after.map(String)}::bigint[]) as c(iid, after)
        join interview_events e on e.interview_id = c.iid and e.id > c.after
        join interviews i on i.id = c.iid
        order by e.id
        limit 5000`;
      return rows.map(split);
    },

    /** Interviews created at or after `since`, oldest first: new links, which have no event yet. */
    async createdSince(since: Date, limit = 500): Promise<WatchedInterview[]> {
      const rows = await sql<WatchedInterview[]>`
        select ${columns} from interviews i where i.created_at >= ${since} order by i.created_at desc limit ${limit}`;
      return [...rows].reverse();
    },

    /** Every event after a cursor: the catch-up after a lost connection. */
    async changesSince(cursor: number, limit = 5000): Promise<EventWithInterview[]> {
      const rows = await sql<Joined[]>`
        select ${columns}, ${eventColumns}
        from interview_events e join interviews i on i.id = e.interview_id
        where e.id > ${cursor}
        order by e.id
        limit ${limit}`;
      return rows.map(split);
    },

    /**
     * Which server we talk to and whether our LISTEN session is still on it: a restart changes
     * the start time, a dropped listener loses its backend pid.
     */
    async serverState(listenPid: number | undefined): Promise<{ startedAt: string; listening: boolean }> {
      const [row] = await sql<{ startedAt: string; listening: boolean }[]>`
        select pg_postmaster_start_time()::text as started_at,
               exists(select 1 from pg_stat_activity where pid = ${listenPid ?? 0}) as listening`;
      return row!;
    },

    /** The full event timeline of one interview, oldest first. */
    async timeline(id: string): Promise<WatchedEvent[]> {
      const rows = await sql<EventRow[]>`
        select ${eventColumns} from interview_events e where e.interview_id = ${id} order by e.id`;
      return rows.map(toEvent);
    },

    /** Whether the transcript table (written by the agent) exists in this database yet. */
    async hasTranscripts(): Promise<boolean> {
      const [row] = await sql<{ present: boolean }[]>`select to_regclass('public.utterances') is not null as present`;
      return row!.present;
    },

    /** Utterances of one interview after a cursor (the table's id), oldest first. */
    async transcript(id: string, after: number): Promise<TranscriptLine[]> {
      // The table's bigserial id is the cursor, so text.
      const rows = await sql<(Omit<TranscriptLine, 'seq'> & { seq: string })[]>`
        select id as seq, speaker, text, start_ms from utterances
        where interview_id = ${id} and id > ${after} order by id limit 500`;
      return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
    },
  };
}

export type WatchRepo = ReturnType<typeof createWatchRepo>;
