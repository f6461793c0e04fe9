import { join } from 'node:path';
import { createReceiptRepo } from '../adapters/db/deletion-receipts.js';
import { createSubjectRepo } from '../adapters/db/subjects.js';
import { openExportSink } from '../adapters/export/sink.js';
import { openStorage, type StoredItem } from '../adapters/storage/storage.js';
import { withContext, type GlobalOptions } from '../context.js';
import { parseDuration } from '../core/duration.js';
import { UnavailableError, UsageError } from '../core/errors.js';
import { table } from '../output.js';
import { printable } from '../ui/row-text.js';
import { deleteInterviewData, type DeleteOutcome } from '../use-cases/candidate-delete.js';
import { exportCandidate } from '../use-cases/candidate-export.js';
import { findSubject, subjectFrom, type SubjectInterview } from '../use-cases/find-candidate.js';
import { limitOption, sinceOption } from './list-options.js';
import { operatorName } from './operator.js';

const when = (d: Date | null) => (d ? d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-');
const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;

interface SubjectOpts {
  email?: string;
  ref?: string;
  by?: string;
}

/** `candidate export`: everything held about a person, as a folder or a .zip with a manifest. */
export async function exportData(id: string | undefined, opts: SubjectOpts & { output?: string; media?: boolean; force?: boolean }, global: GlobalOptions): Promise<number> {
  const subject = subjectFrom(id, opts);
  if (!opts.output) throw new UsageError('-o PATH is required: a folder, or a file name ending in .zip');
  const by = operatorName(opts.by);
  return withContext(global, async (ctx) => {
    const { sql } = await ctx.db();
    const { interviews } = await ctx.repos();
    const found = await findSubject(createSubjectRepo(sql), interviews, subject);
    const storage = await openStorage(ctx.settings);
    const sink = await openExportSink(opts.output!, opts.force === true);
    const bar = ctx.out.progress('media', 0);
    let summary;
    try {
      summary = await exportCandidate({ sql, storage, by }, found, { sink, noMedia: opts.media === false, progress: (done, total) => bar.update(done, total) });
    } catch (err) {
      await sink.abort();
      throw err;
    } finally {
      bar.done();
    }
    const files = summary.items.filter((i) => i.path !== null).length;
    const skipped = summary.items.filter((i) => i.skipped).length;
    ctx.out.result(
      { path: summary.where, interviews: summary.interviews, files: files + 1, mediaBytes: summary.mediaBytes, items: summary.items },
      () =>
        `exported ${found.length} interview${found.length === 1 ? '' : 's'} to ${summary.where}: ${files + 1} files (manifest.json included)` +
        (summary.mediaBytes > 0 ? `, ${mib(summary.mediaBytes)} of media` : '') +
        (skipped > 0 ? `; ${skipped} listed in the manifest but left out` : ''),
    );
    return 0;
  });
}

function describeItems(items: StoredItem[]): string {
  return items.map((i) => `    ${i.key}${i.kind === 'object' ? '' : ` (${i.kind}${i.id ? ` ${i.id}` : ''})`}`).join('\n');
}

function outcomeText(o: DeleteOutcome): string {
  if (o.result === 'would_delete') {
    const p = o.plan!;
    const rows = Object.entries(p.rows).map(([k, v]) => `${k} ${v}`).join(', ') || 'none (already erased)';
    return [
      `${o.id}: would delete`,
      `  rows: ${rows}`,
      `  storage: ${p.storageError ? `cannot list (${p.storageError})` : p.storage.length === 0 ? 'nothing' : `${p.storage.length} items\n${describeItems(p.storage)}`}`,
      `  local files: ${p.local.length === 0 ? 'none' : p.local.join(', ')}`,
    ].join('\n');
  }
  const r = o.receipt!;
  if (o.result === 'already_deleted') return `${o.id}: already deleted on ${when(r.completedAt)} (receipt ${r.id})`;
  if (o.result === 'incomplete') return `${o.id}: personal data in the database erased, but ${r.remaining.length} storage item(s) remain (receipt ${r.id}):\n${describeItems(r.remaining)}\n  ${r.lastError ?? ''}\n  run the same command again once storage is back`;
  const rows = Object.values(r.rowsDeleted).reduce((a, b) => a + b, 0);
  return `${o.id}: deleted (receipt ${r.id}): ${r.keysDeleted.length} storage item(s), ${r.localDeleted.length} local file(s), ${rows} row(s)`;
}

/** `candidate delete`: every storage object and personal field, leaving a tombstone and a receipt. */
export async function deleteData(
  id: string | undefined,
  opts: SubjectOpts & { dryRun?: boolean; reason?: string; force?: boolean; all?: boolean; wait?: string },
  global: GlobalOptions,
): Promise<number> {
  const subject = subjectFrom(id, opts);
  const by = operatorName(opts.by);
  const forceWaitMs = parseDuration(opts.wait ?? '60s');
  if (forceWaitMs === undefined || forceWaitMs > 10 * 60_000) throw new UsageError(`--wait: ${JSON.stringify(opts.wait)} must be a duration up to 10m`);
  if (opts.reason !== undefined && (opts.reason.length > 500 || /[\p{Cc}]/u.test(opts.reason))) throw new UsageError('--reason: at most 500 printable characters');
  return withContext(global, async (ctx) => {
    const { sql } = await ctx.db();
    const { interviews } = await ctx.repos();
    const found = await findSubject(createSubjectRepo(sql), interviews, subject);
    const open = found.filter((f) => !f.deleted);
    if (open.length > 1 && !opts.all) {
      const list = (xs: SubjectInterview[]) => table(['ID', 'STATUS', 'CREATED', 'CANDIDATE'], xs.map((f) => [f.id, f.status, when(f.createdAt), printable(f.name)]));
      ctx.out.result({ error: 'several_matches', interviews: open }, () => list(open));
      throw new UsageError(`${open.length} interviews match; check the list above and pass --all to delete them all, or name one by its ID`);
    }
    const storage = await openStorage(ctx.settings);
    const deps = { sql, interviews, storage, by, forceWaitMs, localDirs: { spool: join(ctx.settings.home, 'spool'), recordings: ctx.settings.recordingsDir } };
    const outcomes: DeleteOutcome[] = [];
    for (const f of found) {
      const o = await deleteInterviewData(deps, f.id, { dryRun: opts.dryRun === true, reason: opts.reason ?? null, force: opts.force === true });
      outcomes.push(o);
      ctx.out.line({ id: o.id, result: o.result, receipt: o.receipt, plan: o.plan }, () => outcomeText(o));
    }
    const incomplete = outcomes.filter((o) => o.result === 'incomplete').length;
    if (incomplete > 0) throw new UnavailableError('storage', `${incomplete} deletion(s) incomplete: storage is unavailable; the receipt says what remains, and a rerun finishes the job`);
    if (opts.dryRun) ctx.out.info('dry run: nothing deleted');
    return 0;
  });
}

/** `candidate receipts`: deletion receipts, newest first. */
export async function receipts(opts: { interview?: string; since?: string; limit?: string }, global: GlobalOptions): Promise<number> {
  const since = sinceOption(opts.since);
  const limit = limitOption(opts.limit);
  return withContext(global, async (ctx) => {
    const { sql } = await ctx.db();
    const { interviews } = await ctx.repos();
    const interviewId = opts.interview === undefined ? undefined : await interviews.resolveId(opts.interview);
    const list = await createReceiptRepo(sql).list({ interviewId, since, limit });
    ctx.out.result(list, () =>
      list.length === 0
        ? 'no deletion receipts'
        : table(
            ['RECEIPT', 'INTERVIEW', 'REQUESTED', 'COMPLETED', 'BY', 'STATUS', 'KEYS', 'ROWS', 'REASON'],
            list.map((r) => [
              String(r.id),
              r.interviewId,
              when(r.requestedAt),
              when(r.completedAt),
              r.by,
              r.status === 'complete' ? 'complete' : `incomplete (${r.remaining.length} left)`,
              String(r.keysDeleted.length),
              String(Object.values(r.rowsDeleted).reduce((a, b) => a + b, 0)),
              r.reason ?? '-',
            ]),
          ),
    );
    return 0;
  });
}
