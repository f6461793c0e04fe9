import { createPurgeRepo } from '../adapters/db/purge.js';
import { openStorage } from '../adapters/storage/storage.js';
import { withContext, type GlobalOptions } from '../context.js';
import { parseDuration } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import { purge as runPurge } from '../use-cases/purge.js';

export async function purge(opts: { olderThan?: string; dryRun?: boolean }, global: GlobalOptions): Promise<number> {
  if (opts.olderThan === undefined) throw new UsageError('--older-than is required, e.g. --older-than 30d');
  const ms = parseDuration(opts.olderThan);
  if (ms === undefined || ms < 86_400_000) throw new UsageError(`--older-than: ${JSON.stringify(opts.olderThan)} must be a duration of at least 1d`);
  return withContext(global, async (ctx) => {
    const { out, settings } = ctx;
    const { sql } = await ctx.db();
    const storage = await openStorage(settings);
    const dryRun = opts.dryRun === true;
    const summary = await runPurge(createPurgeRepo(sql), storage, { before: new Date(Date.now() - ms), retention: opts.olderThan!, dryRun }, (o) =>
      out.line(o, () => `${o.id.slice(0, 8)}  ${o.status.padEnd(9)}  ${o.createdAt.toISOString().slice(0, 10)}  ${dryRun ? 'would purge' : o.applied ? 'purged' : `not purged: ${o.error}`} (${o.objects.length} objects)`),
    );
    out.info(dryRun ? 'dry run: nothing deleted' : `purged ${summary.purged} interviews${summary.failed ? `, ${summary.failed} failed (run again to retry)` : ''}`);
    return summary.failed > 0 ? 6 : 0;
  });
}
