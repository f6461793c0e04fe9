import { listAccess } from '../adapters/db/access-log.js';
import { withContext, type GlobalOptions } from '../context.js';
import { parseDuration } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import { table } from '../output.js';

const when = (d: Date) => d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');

/** Parses --since; undefined when not given. */
export function sinceOption(since: string | undefined): Date | undefined {
  if (since === undefined) return undefined;
  const ms = parseDuration(since);
  if (ms === undefined) throw new UsageError(`--since: ${JSON.stringify(since)} is not a duration (e.g. 24h, 7d)`);
  return new Date(Date.now() - ms);
}

export function limitOption(limit: string | undefined): number {
  const n = limit === undefined ? 200 : Number(limit);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new UsageError(`--limit: ${JSON.stringify(limit)} is not a number from 1 to 100000`);
  return n;
}

/** The access log: who read which candidate's recording, transcript, report or export, and when. */
export async function audit(opts: { interview?: string; since?: string; limit?: string }, global: GlobalOptions): Promise<number> {
  const since = sinceOption(opts.since);
  const limit = limitOption(opts.limit);
  return withContext(global, async (ctx) => {
    const { interviews } = await ctx.repos();
    const interviewId = opts.interview === undefined ? undefined : await interviews.resolveId(opts.interview);
    const rows = await listAccess((await ctx.db()).sql, { interviewId, since, limit });
    ctx.out.result(rows, () =>
      rows.length === 0
        ? 'no access recorded'
        : table(['WHEN', 'BY', 'WHAT', 'INTERVIEW'], rows.map((r) => [when(r.at), r.by, r.what, r.interviewId])),
    );
    return 0;
  });
}
