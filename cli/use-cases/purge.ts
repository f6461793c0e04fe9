import type { PurgeRepo } from '../adapters/db/purge.js';
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
  repo: PurgeRepo,
  storage: ObjectStorage,
  opts: { before: Date; retention: string; dryRun: boolean },
  emit: (o: PurgeOutcome) => void,
): Promise<{ purged: number; failed: number }> {
  let purged = 0;
  let failed = 0;
  for (const r of await repo.due(opts.before)) {
    const outcome: PurgeOutcome = { id: r.id, status: r.status, createdAt: r.createdAt, objects: r.keys, applied: false, error: null };
    if (!opts.dryRun) {
      try {
        const items: StoredItem[] = await storage.listEverything(storagePrefix(r.id));
        for (const key of r.keys) if (!items.some((i) => i.key === key)) items.push({ key, kind: 'object' });
        for (const item of items) await storage.removeItem(item);
        outcome.objects = [...new Set(items.map((i) => i.key))];
        await repo.recordPurge(r, { objectsDeleted: items.length, retention: opts.retention });
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
