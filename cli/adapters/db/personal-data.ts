import { ERASED_INTERVIEW_FIELDS, PERSONAL_TABLES, type PersonalTable } from '../../core/personal-data.js';
import type { Status } from '../../core/states.js';
import type { Sql } from './connect.js';

/** What an erasure did to the rows of one interview: per table, rows deleted or cleared. */
export type RowCounts = Record<string, number>;

/**
 * Reads and erases a candidate's rows by the table list of cli/core/personal-data.ts. Table and
 * column names come only from that constant list and go through postgres.js identifier escaping.
 */
export function createPersonalDataRepo(sql: Sql) {
  return {
    /** The interview row as stored (every column), or undefined. */
    async interviewRow(id: string): Promise<Record<string, unknown> | undefined> {
      const [row] = await sql<{ row: Record<string, unknown> }[]>`select to_jsonb(i.*) as row from interviews i where id = ${id}`;
      return row?.row;
    },

    /** What deleting an interview's data needs from its row: status, what a tombstone hashes, its storage keys. */
    async deletionFacts(id: string) {
      const [row] = await sql<{ status: Status; candidateEmail: string | null; ref: string | null; keys: string[] }[]>`
        select status, candidate_email, ref, array_remove(array[recording_key, transcript_key, vtt_key], null) as keys from interviews where id = ${id}`;
      return row;
    },

    /** Every row of one listed table for one interview, as JSON objects. */
    async rows(t: PersonalTable, interviewId: string): Promise<Record<string, unknown>[]> {
      const rows = await sql<{ row: Record<string, unknown> }[]>`
        select to_jsonb(x.*) as row from ${sql(t.table)} x where ${belongsTo(sql, t, interviewId)} order by x.${sql(t.orderBy)}`;
      return rows.map((r) => r.row);
    },

    /** What an erasure would touch, per table (for --dry-run). */
    async countErasable(interviewId: string): Promise<RowCounts> {
      const counts: RowCounts = {};
      for (const t of PERSONAL_TABLES) {
        if (t.erase === 'keep') continue;
        const [r] = await sql<{ n: number }[]>`
          select count(*)::int as n from ${sql(t.table)} x where ${belongsTo(sql, t, interviewId)} ${erasableFilter(sql, t)}`;
        counts[countName(t)] = r!.n;
      }
      return counts;
    },
  };
}

/** The rows of table `x` that belong to the interview, directly or through another table. */
function belongsTo(sql: Sql, t: PersonalTable, interviewId: string) {
  if (!t.through) return sql`x.${sql(t.interviewColumn)} = ${interviewId}`;
  const via = t.through;
  return sql`x.${sql(via.column)} in (select v.${sql(via.references)} from ${sql(via.table)} v where v.${sql(t.interviewColumn)} = ${interviewId})`;
}

const countName = (t: PersonalTable) => (t.erase === 'delete' ? `${t.table}_deleted` : `${t.table}_cleared`);

function erasableFilter(sql: Sql, t: PersonalTable) {
  if (t.erase !== 'clear') return sql``;
  const only = t.onlyWhere ? sql`and x.${sql(t.onlyWhere.column)} = ${t.onlyWhere.equals}` : sql``;
  // Only rows that still hold something: a rerun counts nothing twice.
  const holds = t.personal.map((c) => sql`x.${sql(c)} is distinct from ${t.clearTo ?? null}`);
  const any = holds.reduce((acc, h, i) => (i === 0 ? h : sql`${acc} or ${h}`), sql``);
  return sql`${only} and (${any})`;
}

/**
 * Erases the personal rows of one interview inside the caller's transaction `tx`: deletes or
 * clears per table, and turns the interview row into a tombstone with `tombstone` (e.g. deleted_at
 * and the hashes). Returns the counts per table.
 */
export async function erasePersonalRows(tx: Sql, interviewId: string, tombstone: Record<string, unknown>): Promise<RowCounts> {
  // The event log's trigger lets an erasure (and only that) blank operator reasons.
  await tx`select set_config('interviewctl.erasure', 'on', true)`;
  const counts: RowCounts = {};
  for (const t of PERSONAL_TABLES) {
    if (t.erase === 'keep') continue;
    if (t.erase === 'delete') {
      const res = await tx`delete from ${tx(t.table)} x where ${belongsTo(tx, t, interviewId)}`;
      counts[countName(t)] = res.count;
      continue;
    }
    const values = Object.fromEntries(t.personal.map((c) => [c, t.clearTo ?? null]));
    const res = await tx`
      update ${tx(t.table)} x set ${tx(values, ...t.personal)}
      where ${belongsTo(tx, t, interviewId)} ${erasableFilter(tx, t)}`;
    counts[countName(t)] = res.count;
  }
  const fields = { ...ERASED_INTERVIEW_FIELDS, ...tombstone, updated_at: new Date() };
  await tx`update interviews set ${tx(fields as Record<string, unknown>, ...Object.keys(fields))} where id = ${interviewId}`;
  return counts;
}
