import type { Sql } from './connect.js';
import { erasePersonalRows } from './personal-data.js';

/** A finished interview old enough to purge, with the storage keys its row names. */
export interface PurgeCandidate {
  id: string;
  status: string;
  createdAt: Date;
  /** Recording, transcript, captions and the latest evaluation file, where the row has them. */
  keys: string[];
}

export function createPurgeRepo(sql: Sql) {
  return {
    /** Finished interviews created before `before`, not purged or deleted yet, oldest first. */
    async due(before: Date): Promise<PurgeCandidate[]> {
      // The evaluation file holds the candidate's words (quotes) too.
      return sql<PurgeCandidate[]>`
        select id, status, created_at, array_remove(array[recording_key, transcript_key, vtt_key,
          (select e.evaluation_key from interview_evaluations e where e.interview_id = interviews.id and e.evaluation_key is not null order by e.id desc limit 1)], null) as keys
        from interviews
        where created_at < ${before} and purged_at is null and deleted_at is null
          and status in ('completed', 'expired', 'revoked', 'failed')
        order by created_at`;
    },

    /**
     * In one transaction: erases the interview's personal rows (leaving an anonymous row marked
     * purged) and writes its purge_audit row.
     */
    async recordPurge(c: PurgeCandidate, audit: { objectsDeleted: number; retention: string }): Promise<void> {
      await sql.begin(async (tx) => {
        const t = tx as unknown as Sql;
        const rows = await erasePersonalRows(t, c.id, { candidate_name: '(purged)', purged_at: new Date() });
        await t`
          insert into purge_audit (interview_id, interview_created, status, objects_deleted, utterances_deleted, webhooks_deleted, retention, rows_erased)
          values (${c.id}, ${c.createdAt}, ${c.status}, ${audit.objectsDeleted}, ${rows.utterances_deleted ?? 0}, ${rows.webhook_events_deleted ?? 0},
                  ${audit.retention}, ${t.json(rows as never)})`;
      });
    },
  };
}

export type PurgeRepo = ReturnType<typeof createPurgeRepo>;
