import type { Sql } from './connect.js';
import { numberId, type WithTextId } from './sql.js';

/** What an access-log row names: the command that read a candidate's data. */
export type AccessKind = 'recording get' | 'recording url' | 'transcript' | 'report' | 'candidate export';

export interface AccessRow {
  id: number;
  at: Date;
  by: string;
  what: string;
  interviewId: string;
  detail: Record<string, unknown>;
}

/**
 * Records that `by` read `what` of an interview. Called before the data is handed out, so an
 * access that fails half-way is still on record (and a log that cannot be written stops it).
 */
export async function recordAccess(sql: Sql, entry: { by: string; what: AccessKind; interviewId: string; detail?: Record<string, unknown> }): Promise<void> {
  await sql`
    insert into access_log (by_name, what, interview_id, detail)
    values (${entry.by}, ${entry.what}, ${entry.interviewId}, ${sql.json((entry.detail ?? {}) as never)})`;
}

/** Access-log rows, newest first. */
export async function listAccess(sql: Sql, filter: { interviewId?: string; since?: Date; limit: number }): Promise<AccessRow[]> {
  // by_name as `by` (BY is a keyword, hence the column's name); the bigserial id arrives as a string.
  const rows = await sql<WithTextId<AccessRow>[]>`
    select id, at, by_name as "by", what, interview_id, detail from access_log
    where true
      ${filter.interviewId ? sql`and interview_id = ${filter.interviewId}` : sql``}
      ${filter.since ? sql`and at >= ${filter.since}` : sql``}
    order by at desc, id desc
    limit ${filter.limit}`;
  return rows.map((r) => numberId<AccessRow>(r));
}
