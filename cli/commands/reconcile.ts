import { join } from 'node:path';
import { createDispatchRepo } from '../adapters/db/dispatches.js';
import { createRecorderStatsRepo } from '../adapters/db/recorder-stats.js';
import { createUtteranceRepo } from '../adapters/db/utterances.js';
import { withContext, type GlobalOptions } from '../context.js';
import { parseDuration } from '../core/duration.js';
import { UnavailableError, UsageError } from '../core/errors.js';
import { reconcile as sweep } from '../use-cases/reconcile.js';
import { reconcileDeps } from '../use-cases/reconcile-deps.js';

/** A duration flag's value in ms, undefined when it is not given. */
function durationFlag(flag: string, value: string | undefined, example: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value) ?? 0;
  if (ms <= 0) throw new UsageError(`${flag}: ${JSON.stringify(value)} is not a duration (e.g. ${example})`);
  return ms;
}

export async function reconcile(opts: { dryRun?: boolean; redispatchAfter?: string; abortUploadsAfter?: string }, global: GlobalOptions): Promise<number> {
  const redispatchAfterMs = durationFlag('--redispatch-after', opts.redispatchAfter, '30s, 2m');
  const abortUploadsAfterMs = durationFlag('--abort-uploads-after', opts.abortUploadsAfter, '1h, 6h');
  return withContext(global, async (ctx) => {
    const { out, settings } = ctx;
    const { interviews } = await ctx.repos();
    const { sql } = await ctx.db();
    const deps = await reconcileDeps(interviews, settings, { utterances: createUtteranceRepo(sql), dispatches: createDispatchRepo(sql), spool: true, checks: createRecorderStatsRepo(sql) });
    const dryRun = opts.dryRun === true;
    const limits = {
      redispatchAfterMs: redispatchAfterMs ?? settings.reconcile.redispatchAfterMs,
      abortUploadsAfterMs: abortUploadsAfterMs ?? settings.reconcile.abortUploadsAfterMs,
    };
    const summary = await sweep(deps, { dryRun, limits }, (o) => {
      const verb = { none: 'leave', end: 'end', complete: 'complete', fail: 'fail', redispatch: 'dispatch the interviewer again', upload_spool: 'upload spool', drop_spool: 'drop spool', store_parts: 'store partial recording', drop_parts: 'delete parts', abort_upload: 'abort upload' }[o.action];
      const done = { none: 'left', end: 'ended', complete: 'completed', fail: 'failed', redispatch: 'interviewer dispatched again', upload_spool: 'spool uploaded', drop_spool: 'spool dropped', store_parts: 'partial recording stored', drop_parts: 'parts deleted', abort_upload: 'upload aborted' }[o.action];
      out.line(o, () => `${o.id.slice(0, 8)}  ${o.status.padEnd(9)}  ${dryRun ? `would ${verb}` : o.applied ? done : `did not ${verb}`}: ${o.detail}${o.error ? ` (${o.error})` : ''}`);
    });
    out.info(`${dryRun ? 'dry run: ' : ''}checked ${summary.checked} live or ending interviews; ${dryRun ? 'nothing changed' : `${summary.changed} moved on`}`);
    // Nothing is lost while they wait: the next run (or serve's sweep) looks again.
    if (summary.uploadsUnchecked) out.warn(`uploads left open in storage were not checked: ${summary.uploadsUnchecked}`);
    if (summary.spoolsKept > 0) {
      throw new UnavailableError('storage', `${summary.spoolsKept} spooled recording(s) could not be stored and stay in ${join(settings.home, 'spool')}; run reconcile again once storage is back`);
    }
    if (summary.partsKept > 0) {
      throw new UnavailableError('storage', `the page's parts of ${summary.partsKept} interview(s) could not be joined or stored and stay where they are (each line says why); run reconcile again once that is mended`);
    }
    return 0;
  });
}
