import type { Sql } from '../adapters/db/connect.js';
import { erasePersonalRows } from '../adapters/db/personal-data.js';
import type { ObjectStorage, StoredItem } from '../adapters/storage/storage.js';
import { storagePrefix } from '../core/personal-data.js';

export interface PurgeOutcome {
  id: string;
  status: string;
  createdAt: Date;
  objects: string[];
  applied: boolean;
  error: string | null;
}

/**
 * Deletes recordings, transcripts and personal data of finished interviews created before
 * `before`, and leaves an anonymous row plus an audit row per interview. Storage goes first (every
 * item under the interview's prefix, versions included): if one cannot be deleted, the interview is
 * left as it was and reported, so a re-run finishes it. The rows go by the same table list as
 * `candidate delete` (cli/core/personal-data.ts), so tables added there are purged too.
 */
export async function purge(
  sql: Sql,
  storage: ObjectStorage,
  opts: { before: Date; retention: string; dryRun: boolean },
  emit: (o: PurgeOutcome) => void,
): Promise<{ purged: number; failed: number }> {
  const rows = await sql<{ id: string; status: string; created_at: Date; recording_key: string | null; transcript_key: string | null; vtt_key: string | null; evaluation_key: string | null }[]>`
    select id, status, created_at, recording_key, transcript_key, vtt_key,
      (select e.evaluation_key from interview_evaluations e where e.interview_id = interviews.id and e.evaluation_key is not null order by e.id desc limit 1) as evaluation_key
    from interviews
    where created_at < ${opts.before} and purged_at is null and deleted_at is null
      and status in ('completed', 'expired', 'revoked', 'failed')
    order by created_at`;
  let purged = 0;
  let failed = 0;
  for (const r of rows) {
    // The evaluation file holds the candidate's words (quotes) too.
    const objects = [r.recording_key, r.transcript_key, r.vtt_key, r.evaluation_key].filter((k): k is string => k !== null);
    const outcome: PurgeOutcome = { id: r.id, status: r.status, createdAt: r.created_at, objects, applied: false, error: null };
    if (!opts.dryRun) {
      try {
        const items: StoredItem[] = await storage.listEverything(storagePrefix(r.id));
        for (const key of objects) if (!items.some((i) => i.key === key)) items.push({ key, kind: 'object' });
        for (const item of items) await storage.removeItem(item);
        outcome.objects = [...new Set(items.map((i) => i.key))];
        await sql.begin(async (tx) => {
          const t = tx as unknown as Sql;
          const rows = await erasePersonalRows(t, r.id, { candidate_name: '(purged)', purged_at: new Date() });
          await t`
            insert into purge_audit (interview_id, interview_created, status, objects_deleted, utterances_deleted, webhooks_deleted, retention, rows_erased)
            values (${r.id}, ${r.created_at}, ${r.status}, ${items.length}, ${rows.utterances_deleted ?? 0}, ${rows.webhook_events_deleted ?? 0},
                    ${opts.retention}, ${t.json(rows as never)})`;
        });
        outcome.applied = true;
        purged++;
      } catch (err) {
        outcome.error = (err as Error).message;
        failed++;
      }
    }
    emit(outcome);
  }
  return { purged, failed };
}
