import type { StoredItem } from '../storage/storage.js';
import type { Sql } from './connect.js';
import type { RowCounts } from './personal-data.js';
import { numberId, type WithTextId } from './sql.js';

/** Proof of one interview's deletion: no personal data, only what, when, who, why and how many. */
export interface DeletionReceipt {
  id: number;
  interviewId: string;
  requestedAt: Date;
  completedAt: Date | null;
  by: string;
  reason: string | null;
  status: 'incomplete' | 'complete';
  rowsDeleted: RowCounts;
  keysDeleted: StoredItem[];
  remaining: StoredItem[];
  localDeleted: string[];
  attempts: number;
  lastError: string | null;
}

type Stored = WithTextId<DeletionReceipt>;
const toReceipt = (r: Stored) => numberId<DeletionReceipt>(r);

export function createReceiptRepo(sql: Sql) {
  // Every column, by_name as `by` (BY is a keyword, hence the column's name).
  const receipt = sql`id, interview_id, requested_at, completed_at, by_name as "by", reason, status, rows_deleted, keys_deleted, remaining, local_deleted, attempts, last_error`;
  return {
    async forInterview(interviewId: string): Promise<DeletionReceipt | undefined> {
      const [r] = await sql<Stored[]>`select ${receipt} from deletion_receipts where interview_id = ${interviewId}`;
      return r ? toReceipt(r) : undefined;
    },

    /** The first attempt's receipt, written in the transaction that erases the rows. */
    async open(tx: Sql, r: { interviewId: string; by: string; reason: string | null; rows: RowCounts; remaining: StoredItem[] }): Promise<DeletionReceipt> {
      const [row] = await tx<Stored[]>`
        insert into deletion_receipts (interview_id, by_name, reason, status, rows_deleted, remaining)
        values (${r.interviewId}, ${r.by}, ${r.reason}, 'incomplete', ${tx.json(r.rows as never)}, ${tx.json(r.remaining as never)})
        returning ${receipt}`;
      return toReceipt(row!);
    },

    /** After the storage and local clean-up of an attempt: adds what went, says what is left. */
    async settle(id: number, r: { deleted: StoredItem[]; remaining: StoredItem[]; localDeleted: string[]; error: string | null; retry: boolean }): Promise<DeletionReceipt> {
      const complete = r.remaining.length === 0 && r.error === null;
      const [row] = await sql<Stored[]>`
        update deletion_receipts set
          keys_deleted = keys_deleted || ${sql.json(r.deleted as never)}::jsonb,
          local_deleted = local_deleted || ${sql.json(r.localDeleted as never)}::jsonb,
          remaining = ${sql.json(r.remaining as never)},
          status = ${complete ? 'complete' : 'incomplete'},
          completed_at = case when ${complete} then now() else null end,
          attempts = attempts + ${r.retry ? 1 : 0},
          last_error = ${r.error}
        where id = ${id}
        returning ${receipt}`;
      return toReceipt(row!);
    },

    async list(filter: { interviewId?: string; since?: Date; limit: number }): Promise<DeletionReceipt[]> {
      const rows = await sql<Stored[]>`
        select ${receipt} from deletion_receipts where true
          ${filter.interviewId ? sql`and interview_id = ${filter.interviewId}` : sql``}
          ${filter.since ? sql`and requested_at >= ${filter.since}` : sql``}
        order by requested_at desc, id desc limit ${filter.limit}`;
      return rows.map(toReceipt);
    },
  };
}

export type ReceiptRepo = ReturnType<typeof createReceiptRepo>;
