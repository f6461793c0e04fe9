import type { HookEventType } from '../../core/hook-events.js';
import type { Sql } from './connect.js';

/**
 * The transactional outbox of outbound webhooks. An event is a row in `hook_events`, written by
 * the same transaction (often the same statement) as the change it reports; a trigger fans it out
 * to the endpoints subscribed right then (a row in `hook_deliveries` each) and wakes the senders on
 * commit. A rollback leaves nothing to send. With no endpoint subscribed to a type, nothing is
 * written at all, so a batch of 100,000 invites costs nothing extra until someone listens.
 */

type Fragment = ReturnType<Sql>;

/** Whether an enabled endpoint wants `type`: the guard of every outbox insert (one-time filter). */
const subscribed = (sql: Sql, type: HookEventType) => sql`
  exists (select 1 from hook_endpoints he where he.disabled_at is null and (he.events is null or ${type}::text = any(he.events)))`;

/**
 * Adds one event to the outbox inside the caller's transaction: call it with the transaction's
 * `sql` (the `tx` of `sql.begin`) next to the change it reports, so both commit or neither does.
 * Returns the event id (the `webhook-id` receivers see), or null when no endpoint subscribes.
 *
 * ```ts
 * await sql.begin(async (tx) => {
 *   await tx`insert into evaluations …`;
 *   await enqueueEvent(tx, { type: 'interview.evaluated', interviewId: id, data: evaluatedData({ … }) });
 * });
 * ```
 */
export async function enqueueEvent(
  tx: Sql,
  e: { type: HookEventType; interviewId: string | null; data: object },
): Promise<string | null> {
  const [row] = await tx<{ id: string }[]>`
    insert into hook_events (id, type, interview_id, data)
    select hook_event_id(), ${e.type}, ${e.interviewId}, ${JSON.stringify(e.data)}::text::json
    where ${subscribed(tx, e.type)}
    ${e.type === 'interview.started' ? tx`on conflict (interview_id) where type = 'interview.started' do nothing` : tx``}
    returning id`;
  return row?.id ?? null;
}

/**
 * The outbox insert for a state change, as a data-modifying CTE body over `rows` (a CTE returning
 * whole interview rows, after the change), for the statements in interviews.ts and webhooks.ts.
 * Undefined for a status no event reports. The payload shapes are InterviewStartedData,
 * InterviewCompletedData and InterviewFailedData (cli/core/hook-events.ts).
 */
export function transitionEventSql(sql: Sql, to: string, rows: string): Fragment | undefined {
  const r = sql(rows);
  if (to === 'recording') return startedEventSql(sql, rows, sql`coalesce(m.candidate_joined_at, m.recording_started_at)`);
  if (to === 'completed') {
    return sql`
      insert into hook_events (id, type, interview_id, data)
      select hook_event_id(), 'interview.completed', m.id, json_build_object(
        'interview_id', m.id, 'ref', m.ref, 'started_at', hook_ts(coalesce(m.candidate_joined_at, m.used_at)), 'ended_at', hook_ts(m.ended_at),
        'completed_at', hook_ts(m.completed_at),
        'duration_s', round(extract(epoch from (m.ended_at - coalesce(m.candidate_joined_at, m.used_at))))::int,
        'end_reason', m.end_reason, 'recording_key', m.recording_key, 'transcript_key', m.transcript_key, 'vtt_key', m.vtt_key)
      from ${r} m where ${subscribed(sql, 'interview.completed')}`;
  }
  if (to === 'failed') {
    return sql`
      insert into hook_events (id, type, interview_id, data)
      select hook_event_id(), 'interview.failed', m.id, json_build_object(
        'interview_id', m.id, 'ref', m.ref, 'error', m.error, 'end_reason', m.end_reason, 'failed_at', hook_ts(coalesce(m.ended_at, now())))
      from ${r} m where ${subscribed(sql, 'interview.failed')}`;
  }
  return undefined;
}

/** interview.started for the rows of `rows`, at most once per interview (a unique index). */
export function startedEventSql(sql: Sql, rows: string, joinedAt: Fragment): Fragment {
  return sql`
    insert into hook_events (id, type, interview_id, data)
    select hook_event_id(), 'interview.started', m.id, json_build_object('interview_id', m.id, 'ref', m.ref, 'joined_at', hook_ts(${joinedAt}))
    from ${sql(rows)} m where ${subscribed(sql, 'interview.started')}
    on conflict (interview_id) where type = 'interview.started' do nothing`;
}

/** interview.created for freshly inserted interview rows (batch create). */
export function createdEventSql(sql: Sql, rows: string): Fragment {
  return sql`
    insert into hook_events (id, type, interview_id, data)
    select hook_event_id(), 'interview.created', m.id, json_build_object(
      'interview_id', m.id, 'ref', m.ref, 'lang', m.lang, 'duration_s', m.duration_ms / 1000, 'question_set', m.question_set,
      'created_at', hook_ts(m.created_at), 'expires_at', hook_ts(m.expires_at))
    from ${sql(rows)} m where ${subscribed(sql, 'interview.created')}`;
}

/**
 * Drops every stored event about an interview, and its deliveries (sent or not), inside the
 * caller's transaction: for a candidate's deletion (before enqueueing candidate.deleted) and
 * retention purges, since bodies carry the interview's ref and storage keys. Returns how many.
 */
export async function forgetInterviewEvents(tx: Sql, interviewId: string): Promise<number> {
  const res = await tx`delete from hook_events where interview_id = ${interviewId}`;
  return res.count;
}
