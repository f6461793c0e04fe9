import { listAccess } from '../adapters/db/access-log.js';
import { withContext, type GlobalOptions } from '../context.js';
import { table } from '../output.js';
import { limitOption, sinceOption } from './list-options.js';

const when = (d: Date) => d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');

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
