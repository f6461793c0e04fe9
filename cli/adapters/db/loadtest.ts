import type { Sql } from './connect.js';
import { LOADTEST_REF_PREFIX } from '../../core/loadtest.js';

/**
 * Removes what a load test created: its interviews (only those whose ref carries the loadtest-
 * prefix, whatever ids are passed) with their events, webhook deliveries and utterances, in one
 * transaction. Returns the storage keys those interviews named, for the caller to delete.
 */
export function createLoadtestRepo(sql: Sql) {
  return {
    async remove(ids: string[]): Promise<{ removed: number; keys: string[] }> {
      if (ids.length === 0) return { removed: 0, keys: [] };
      const like = `${LOADTEST_REF_PREFIX.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      return sql.begin(async (tx) => {
        const t = tx as unknown as Sql;
        // Only the load test's own interviews, locked; then their rows in the tables that point at
        // them (events, webhook deliveries, utterances), then the interviews.
        const mine = await t<{ id: string }[]>`select id from interviews where id = any(${ids}) and ref like ${like} for update`;
        const gone = mine.map((r) => r.id);
        if (gone.length === 0) return { removed: 0, keys: [] };
        await t`delete from interview_events where interview_id = any(${gone})`;
        await t`delete from webhook_events where interview_id = any(${gone})`;
        await t`delete from utterances where interview_id = any(${gone})`;
        const rows = await t<{ id: string; recording_key: string | null; transcript_key: string | null; vtt_key: string | null }[]>`
          delete from interviews where id = any(${gone}) returning id, recording_key, transcript_key, vtt_key`;
        const keys = rows.flatMap((r) => [r.recording_key, r.transcript_key, r.vtt_key]).filter((k): k is string => k !== null);
        return { removed: rows.length, keys };
      }) as Promise<{ removed: number; keys: string[] }>;
    },
  };
}
