import type { Sql } from './connect.js';
import { LOADTEST_REF_PREFIX } from '../../core/loadtest.js';

const FINAL = ['completed', 'failed', 'expired', 'revoked'];

export interface LoadtestLeftover {
  id: string;
  status: string;
  keys: string[];
}

/**
 * What a load test leaves behind, found and purged the way `interviewctl purge` purges: only
 * interviews whose ref carries the loadtest- prefix (whatever ids are passed). The interview row and
 * its event history stay (the event log is append-only, an audit trail); utterances and webhook
 * deliveries go, and a purge_audit row says so with retention "loadtest".
 */
export function createLoadtestRepo(sql: Sql) {
  const like = `${LOADTEST_REF_PREFIX.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return {
    /** The load test's interviews among `ids` not purged yet, with the storage keys they name. */
    async find(ids: string[]): Promise<LoadtestLeftover[]> {
      if (ids.length === 0) return [];
      return sql<LoadtestLeftover[]>`
        select id, status, array_remove(array[recording_key, transcript_key, vtt_key], null) as keys from interviews
        where id = any(${ids}) and ref like ${like} and purged_at is null order by id`;
    },

    /** Purges finished ones among `ids` (their objects already deleted by the caller); returns how many. */
    async purge(ids: string[], objectsDeleted: Map<string, number>): Promise<number> {
      if (ids.length === 0) return 0;
      return sql.begin(async (tx) => {
        const t = tx as unknown as Sql;
        const rows = await t<{ id: string; status: string; createdAt: Date }[]>`
          select id, status, created_at from interviews
          where id = any(${ids}) and ref like ${like} and purged_at is null and status = any(${FINAL})
          order by id for update`;
        for (const r of rows) {
          const u = await t`delete from utterances where interview_id = ${r.id}`;
          const w = await t`delete from webhook_events where interview_id = ${r.id}`;
          await t`update interviews set candidate_email = null, resume_key_hash = null, purged_at = now(), updated_at = now() where id = ${r.id}`;
          await t`
            insert into purge_audit (interview_id, interview_created, status, objects_deleted, utterances_deleted, webhooks_deleted, retention)
            values (${r.id}, ${r.createdAt}, ${r.status}, ${objectsDeleted.get(r.id) ?? 0}, ${u.count}, ${w.count}, 'loadtest')`;
        }
        return rows.length;
      }) as Promise<number>;
    },
  };
}
