import { ConflictError, NotFoundError, UsageError } from '../../core/errors.js';
import { isIdPrefix, isInterviewId } from '../../core/ids.js';
import type { Interview, InterviewEventRow } from '../../core/interview.js';
import type { Lang } from '../../core/lang.js';
import { describeInterviewerMode, type InterviewerMode } from '../../core/interviewer-mode.js';
import type { Question } from '../../core/questions.js';
import { allowedFrom, targetOf, type InterviewEvent, type Status } from '../../core/states.js';
import type { Sql } from './connect.js';
import { createdEventSql, transitionEventSql } from './outbox.js';

/** A row ready to insert: everything decided, including id and times. */
export interface NewInterview {
  id: string;
  candidateName: string;
  candidateEmail: string | null;
  ref: string | null;
  lang: Lang;
  durationMs: number;
  questionSet: string;
  questions: Question[];
  /** The set's `context` when the interview was created (for the interviewer's model), or null. */
  roleContext: string | null;
  createdAt: Date;
  expiresAt: Date;
}

export interface ListFilter {
  status?: Status;
  since?: Date;
  limit?: number;
}

/** Columns a transition may also set, beside the status and its timestamp. */
export interface TransitionPatch {
  end_reason?: string | null;
  error?: string | null;
  resume_key_hash?: string | null;
  dispatch_id?: string | null;
  recording_key?: string | null;
  transcript_key?: string | null;
  vtt_key?: string | null;
}

/**
 * Rows to insert as one JSON array of arrays, in the column order of the insert below (keys per
 * row would double the text to write and to parse). Each distinct questions snapshot is listed
 * once in `sets` and referred to by its index, so Postgres parses a snapshot once per statement
 * rather than once per row; times shared by rows are formatted once.
 */
export function insertPayload(rows: NewInterview[]): { rows: (string | number | null)[][]; sets: Question[][]; contexts: (string | null)[] } {
  const sets: Question[][] = [];
  // One entry per set, beside its questions: rows of one set share the same questions array.
  const contexts: (string | null)[] = [];
  const setIndex = new Map<Question[], number>();
  const times = new Map<number, string>();
  const time = (d: Date) => {
    const t = d.getTime();
    let iso = times.get(t);
    if (iso === undefined) {
      iso = d.toISOString();
      times.set(t, iso);
    }
    return iso;
  };
  const out = rows.map((r) => {
    let q = setIndex.get(r.questions);
    if (q === undefined) {
      q = sets.push(r.questions) - 1;
      contexts.push(r.roleContext);
      setIndex.set(r.questions, q);
    }
    return [r.id, r.candidateName, r.candidateEmail, r.ref, r.lang, r.durationMs, r.questionSet, q, time(r.createdAt), time(r.expiresAt)];
  });
  return { rows: out, sets, contexts };
}

export function createInterviewRepo(sql: Sql) {
  // Unused links past their expiry become expired, with their event row: CTEs `moved` (whole rows)
  // and `logged`, for a statement to build on.
  const expiring = (id?: string) => sql`
    moved as (
      update interviews set status = 'expired', updated_at = now()
      where status = 'created' and expires_at <= now() ${id ? sql`and id = ${id}` : sql``}
      returning interviews.*
    ), logged as (
      insert into interview_events (interview_id, from_status, to_status, actor, reason)
      select id, 'created', 'expired', 'system', 'link not used before it expired' from moved
      returning 1
    )`;
  const expireSql = (id?: string) => sql`with ${expiring(id)} select from logged`;

  /** An id, your own `ref`, or a unique prefix of an id (at least 4 characters, like git). */
  async function resolveId(idOrPrefix: string): Promise<string> {
    if (isInterviewId(idOrPrefix)) return idOrPrefix;
    const [byRef] = await sql<{ id: string }[]>`select id from interviews where ref = ${idOrPrefix}`;
    if (byRef) return byRef.id;
    if (!isIdPrefix(idOrPrefix)) throw new NotFoundError(`no interview with id or ref ${JSON.stringify(idOrPrefix)} (an id is 22 characters; a unique prefix of at least 4 works too)`);
    const like = `${idOrPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await sql<{ id: string }[]>`select id from interviews where id like ${like} order by id limit 3`;
    if (rows.length === 0) throw new NotFoundError(`no interview with id or ref ${idOrPrefix}`);
    if (rows.length > 1) throw new UsageError(`id prefix ${idOrPrefix} matches several interviews (${rows.map((r) => r.id).join(', ')}…); type more of it`);
    return rows[0]!.id;
  }

  return {
    resolveId,

    /**
     * Inserts new interviews in one statement (all or none). Refs already present are returned in
     * `existing` with their stored id instead of inserted. If another process inserts one of the
     * same refs meanwhile, the insert fails as a whole and is run again skipping taken refs (ON
     * CONFLICT costs every row a little, so only then), so concurrent batches never fail or duplicate.
     *
     * (Not COPY: postgres.js never settles a COPY FROM STDIN stream that the server rejects — a
     * unique violation from a concurrent batch, or the server going away — so the command would
     * hang; porsager/postgres#1173.)
     */
    async insertMany(rows: NewInterview[]): Promise<{ created: NewInterview[]; existing: Map<string, string> }> {
      const existing = new Map<string, string>();
      if (rows.length === 0) return { created: [], existing };
      const refs = rows.flatMap((r) => (r.ref === null ? [] : [r.ref]));
      if (refs.length > 0) {
        const found = await sql<{ ref: string; id: string }[]>`select ref, id from interviews where ref = any(${refs})`;
        for (const f of found) existing.set(f.ref, f.id);
      }
      const fresh = existing.size === 0 ? rows : rows.filter((r) => r.ref === null || !existing.has(r.ref));
      if (fresh.length === 0) return { created: [], existing };
      const payload = insertPayload(fresh);
      const insert = (skipTaken: boolean) => sql<[{ n: number }]>`
        with inserted as (
          insert into interviews (id, candidate_name, candidate_email, ref, lang, duration_ms, question_set, questions, role_context, created_at, expires_at)
          select r->>0, r->>1, r->>2, r->>3, r->>4, (r->>5)::integer, r->>6, ${sql.json(payload.sets as never)}::jsonb -> (r->>7)::integer,
                 ${sql.json(payload.contexts as never)}::jsonb ->> (r->>7)::integer, (r->>8)::timestamptz, (r->>9)::timestamptz
          from jsonb_array_elements(${sql.json(payload.rows as never)}::jsonb) as r
          ${skipTaken ? sql`on conflict (ref) do nothing` : sql``}
          returning id, ref, lang, duration_ms, question_set, created_at, expires_at
        ), hooked as (
          ${createdEventSql(sql, 'inserted')}
        )
        select count(*)::int as n from inserted`;
      try {
        await insert(false);
        return { created: fresh, existing };
      } catch (err) {
        if ((err as { code?: string }).code !== '23505') throw err;
      }
      // A ref was taken after our check (or appears twice in `rows`): skip taken refs, then let
      // each one's stored id say whether it is ours.
      await insert(true);
      const stored = new Map<string, string>();
      const freshRefs = fresh.flatMap((r) => (r.ref === null ? [] : [r.ref]));
      for (const f of await sql<{ ref: string; id: string }[]>`select ref, id from interviews where ref = any(${freshRefs})`) stored.set(f.ref, f.id);
      const created = fresh.filter((r) => r.ref === null || stored.get(r.ref) === r.id);
      for (const r of fresh) if (r.ref !== null && stored.get(r.ref) !== r.id) existing.set(r.ref, stored.get(r.ref)!);
      return { created, existing };
    },

    /** One interview by id or unique prefix; an unused link past its expiry is expired first. */
    async get(idOrPrefix: string): Promise<Interview> {
      const id = await resolveId(idOrPrefix);
      await expireSql(id);
      const [row] = await sql<Interview[]>`select * from interviews where id = ${id}`;
      if (!row) throw new NotFoundError(`no interview with id ${idOrPrefix}`);
      return row;
    },

    /** Like get, but undefined for an unknown id and never a prefix: the public API uses it. */
    async findExact(id: string): Promise<Interview | undefined> {
      if (!isInterviewId(id)) return undefined;
      // Expiry and read in one round-trip. The statement's snapshot shows the row as it was before
      // the UPDATE, so a link that expires now is read from the UPDATE's RETURNING instead.
      const [row] = await sql<Interview[]>`
        with ${expiring(id)}
        select * from moved
        union all
        select * from interviews where id = ${id} and not exists (select 1 from moved)`;
      return row;
    },

    async list(filter: ListFilter = {}): Promise<Interview[]> {
      await expireSql();
      return sql<Interview[]>`
        select * from interviews
        where true
          ${filter.status ? sql`and status = ${filter.status}` : sql``}
          ${filter.since ? sql`and created_at >= ${filter.since}` : sql``}
        order by created_at desc, id
        limit ${filter.limit ?? 50}`;
    },

    /** Interviews that are live or finishing: what reconcile looks at. */
    async listOpen(): Promise<Interview[]> {
      return sql<Interview[]>`select * from interviews where status in ('used', 'recording', 'ending') order by used_at nulls last, id`;
    },

    /**
     * Interviews that ended `failed` without a recording of their own (no transcript key: every
     * recorder stores the transcript with the recording) since `since`, candidate data not deleted:
     * where reconcile looks for the parts a RECORDER=browser page left.
     */
    async listFailedWithoutRecording(since: Date): Promise<Interview[]> {
      return sql<Interview[]>`
        select * from interviews
        where status = 'failed' and transcript_key is null and deleted_at is null and coalesce(ended_at, updated_at) >= ${since}
        order by ended_at nulls last, id`;
    },

    /** How many interviews are live or finishing, by status (one index-friendly query, for metrics). */
    async countOpenByStatus(): Promise<Record<string, number>> {
      const rows = await sql<{ status: string; n: number }[]>`
        select status, count(*)::int as n from interviews where status in ('used', 'recording', 'ending') group by status`;
      return Object.fromEntries(rows.map((r) => [r.status, r.n]));
    },

    /** Whether an interviewer was ever seen in the interview's room (from webhook notes). */
    async agentSeen(id: string): Promise<boolean> {
      const [row] = await sql<{ seen: boolean }[]>`
        select exists (select 1 from interview_events where interview_id = ${id} and reason = 'agent joined the room') as seen`;
      return row!.seen;
    },

    /**
     * When the interview went `failed` (its transition's time, not ended_at, which may be its End's;
     * notes written on it later are not): undefined when it never did.
     */
    async failedAt(id: string): Promise<Date | undefined> {
      const [row] = await sql<{ at: Date | null }[]>`
        select max(at) as at from interview_events
        where interview_id = ${id} and to_status = 'failed' and from_status is distinct from 'failed'`;
      return row?.at ?? undefined;
    },

    async events(id: string): Promise<InterviewEventRow[]> {
      const rows = await sql<(Omit<InterviewEventRow, 'id'> & { id: string })[]>`
        select id, interview_id, at, from_status as "from", to_status as "to", actor, reason from interview_events where interview_id = ${id} order by id`;
      // bigserial ids arrive as strings.
      return rows.map((r) => ({ ...r, id: Number(r.id) }));
    },

    /** Writes unused links past their expiry as expired; returns how many moved. */
    async expireDue(): Promise<number> {
      const res = await expireSql();
      return res.count;
    },

    /**
     * Moves an interview by one event of the state machine: one guarded UPDATE (only from the
     * states the rule allows) and its event row, in one statement. Throws ConflictError when the
     * interview is in a state the event cannot leave from, NotFoundError when there is none.
     */
    async applyEvent(
      id: string,
      event: InterviewEvent,
      by: { actor: string; reason?: string | null; patch?: TransitionPatch; webhookId?: string },
    ): Promise<Interview> {
      const to = targetOf(event);
      const from = allowedFrom(event) as string[];
      const patch: TransitionPatch = by.patch ?? {};
      // Each patchable column keeps its value unless the patch names it.
      // The outbound webhook this change reports, if any, commits with it (same statement).
      const hooked = transitionEventSql(sql, to, 'moved');
      const set = (col: keyof TransitionPatch) => (col in patch ? sql`${patch[col] ?? null}` : sql`interviews.${sql(col)}`);
      const rows = await sql<Interview[]>`
        with prev as (
          select id, status from interviews where id = ${id} for no key update
        ), moved as (
          update interviews set
            end_reason = ${set('end_reason')}, error = ${set('error')}, resume_key_hash = ${set('resume_key_hash')},
            dispatch_id = ${set('dispatch_id')}, recording_key = ${set('recording_key')},
            transcript_key = ${set('transcript_key')}, vtt_key = ${set('vtt_key')},
            updated_at = now(),
            status = ${to},
            used_at = case when ${to} = 'used' then coalesce(interviews.used_at, now()) else interviews.used_at end,
            recording_started_at = case when ${to} = 'recording' then coalesce(interviews.recording_started_at, now()) else interviews.recording_started_at end,
            ended_at = case when ${to} in ('ending', 'completed', 'failed') then coalesce(interviews.ended_at, now()) else interviews.ended_at end,
            completed_at = case when ${to} = 'completed' then now() else interviews.completed_at end
          from prev
          where interviews.id = prev.id and interviews.status = any(${from}) and prev.status = any(${from})
          returning interviews.*, prev.status as prev_status
        ), logged as (
          insert into interview_events (interview_id, from_status, to_status, actor, reason, webhook_id)
          select id, prev_status, ${to}, ${by.actor}, ${by.reason ?? null}, ${by.webhookId ?? null} from moved
        )${hooked ? sql`, hooked as (${hooked})` : sql``}
        select * from moved`;
      if (rows.length > 0) return rows[0]!;
      const [cur] = await sql<{ status: Status }[]>`select status from interviews where id = ${id}`;
      if (!cur) throw new NotFoundError(`no interview with id ${id}`);
      throw new ConflictError(`cannot ${event.replace('_', ' ')} interview ${id}: it is ${cur.status}`, 'transition_not_allowed');
    },

    /**
     * Records the interviewer the agent runs this interview with, and says so in the event log
     * (status unchanged).
     */
    async setInterviewerMode(id: string, mode: InterviewerMode): Promise<void> {
      const detail = mode.mode === 'llm' ? mode.model : mode.reason;
      await sql`
        with moved as (
          update interviews set interviewer_mode = ${mode.mode}, interviewer_detail = ${detail}, updated_at = now()
          where id = ${id} returning id, status
        )
        insert into interview_events (interview_id, from_status, to_status, actor, reason)
        select id, status, status, 'agent', ${`interviewer: ${describeInterviewerMode(mode)}`} from moved`;
    },

    /** A note in the interview's event log, status unchanged (e.g. a model's reply replaced). */
    async note(id: string, by: { actor: string; reason: string }): Promise<void> {
      await sql`
        insert into interview_events (interview_id, from_status, to_status, actor, reason)
        select id, status, status, ${by.actor}, ${by.reason} from interviews where id = ${id}`;
    },

    /**
     * Records where a recording recovered later (from the agent's spool) and its transcript were
     * stored, for an interview that already ended `failed`: the keys and a note in the event log,
     * status unchanged. False when the interview is not `failed`, its candidate's data was deleted
     * meanwhile, or (with `onlyIfNone`) it already has a transcript key: another sweep stored it first.
     */
    /**
     * Runs `fn` unless another process (a serve replica's sweep, an operator's reconcile) is doing
     * the same work on `key`: a Postgres advisory lock, on a connection of its own for as long as
     * `fn` runs. Undefined when another holds it.
     */
    async exclusively<T>(key: string, fn: () => Promise<T>): Promise<T | undefined> {
      const conn = await sql.reserve();
      try {
        const [row] = await conn<{ ok: boolean }[]>`select pg_try_advisory_lock(hashtext(${key})) as ok`;
        if (!row?.ok) return undefined;
        try {
          return await fn();
        } finally {
          await conn`select pg_advisory_unlock(hashtext(${key}))`.catch(() => {});
        }
      } finally {
        conn.release();
      }
    },

    async attachRecording(
      id: string,
      keys: { recording_key: string; transcript_key: string; vtt_key: string },
      by: { actor: string; reason: string },
      opts: { onlyIfNone?: boolean } = {},
    ): Promise<boolean> {
      const rows = await sql`
        with moved as (
          update interviews set recording_key = ${keys.recording_key}, transcript_key = ${keys.transcript_key}, vtt_key = ${keys.vtt_key}, updated_at = now()
          where id = ${id} and status = 'failed' and deleted_at is null ${opts.onlyIfNone ? sql`and transcript_key is null` : sql``}
          returning id, status
        ), logged as (
          insert into interview_events (interview_id, from_status, to_status, actor, reason)
          select id, status, status, ${by.actor}, ${by.reason} from moved
        )
        select id from moved`;
      return rows.length > 0;
    },
  };
}

export type InterviewRepo = ReturnType<typeof createInterviewRepo>;
