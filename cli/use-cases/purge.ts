import type { Sql } from '../adapters/db/connect.js';
import type { ObjectStorage } from '../adapters/storage/storage.js';

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
 * `before`, and leaves an anonymous row plus an audit row per interview. Storage objects go first:
 * if one cannot be deleted, the interview is left as it was and reported, so a re-run finishes it.
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
    where created_at < ${opts.before} and purged_at is null
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
        for (const key of objects) await storage.remove(key);
        await sql.begin(async (tx) => {
          const t = tx as unknown as Sql;
          const u = await t`delete from utterances where interview_id = ${r.id}`;
          const w = await t`delete from webhook_events where interview_id = ${r.id}`;
          // Scorecards quote the candidate; review notes and integrity notes are about them.
          await t`delete from interview_reviews where interview_id = ${r.id}`;
          await t`delete from interview_evaluations where interview_id = ${r.id}`;
          await t`delete from interview_integrity_notes where interview_id = ${r.id}`;
          await t`
            update interviews set candidate_name = '(purged)', candidate_email = null, ref = null,
              resume_key_hash = null, purged_at = now(), updated_at = now()
            where id = ${r.id}`;
          await t`
            insert into purge_audit (interview_id, interview_created, status, objects_deleted, utterances_deleted, webhooks_deleted, retention)
            values (${r.id}, ${r.created_at}, ${r.status}, ${objects.length}, ${u.count}, ${w.count}, ${opts.retention})`;
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
