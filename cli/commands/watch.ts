import { openListenClient } from '../adapters/db/connect.js';
import { createHookRepo } from '../adapters/db/hooks.js';
import { createLiveKit } from '../adapters/livekit/client.js';
import { startPostgresFeed } from '../adapters/watch/postgres-feed.js';
import { createContext, type GlobalOptions } from '../context.js';
import { endsAt } from '../core/interview.js';
import { UsageError } from '../core/errors.js';
import { isStatus, STATUSES, type Status } from '../core/states.js';
import { createPrinter } from '../output.js';
import { onShutdown } from '../shutdown.js';
import type { DbState, WatchChange } from '../ui/feed.js';
import { waitsForReview } from '../ui/watch-model.js';

export interface WatchOptions {
  status?: string;
  readonly?: boolean;
}

/** One NDJSON line per change: ids, states and times only, never the candidate's name or email. */
export function changeJson(c: WatchChange) {
  return {
    at: c.at.toISOString(),
    seq: c.seq,
    id: c.id,
    from: c.from,
    to: c.to,
    note: c.from !== null && c.from === c.to,
    status: c.row.status,
    actor: c.actor,
    reason: c.reason,
    endsAt: endsAt(c.row)?.toISOString() ?? null,
    endReason: c.row.endReason,
    error: c.row.error,
    // A completed interview no person has decided on yet (`interviewctl review`).
    needsReview: waitsForReview(c.row),
  };
}

/**
 * `interviewctl watch`: the live table on a terminal, or an NDJSON stream of changes with --json
 * or when stdout is not a terminal. Runs until q, Ctrl-C or a signal.
 */
export async function watch(opts: WatchOptions, global: GlobalOptions): Promise<number> {
  if (opts.status !== undefined && !isStatus(opts.status)) throw new UsageError(`--status: ${JSON.stringify(opts.status)} is not one of ${STATUSES.join(', ')}`);
  const status = opts.status as Status | undefined;
  const tui = !global.json && Boolean(process.stdout.isTTY) && Boolean(process.stdin.isTTY);
  const ctx = createContext(global);
  const { out, settings } = ctx;
  let stopped = false;
  let feed: Awaited<ReturnType<typeof startPostgresFeed>> | undefined;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await feed?.stop();
    await ctx.close();
  };
  try {
    const { sql } = await ctx.db();
    const { interviews } = await ctx.repos();
    feed = await startPostgresFeed({
      sql,
      newListenClient: () => openListenClient(settings, 'interviewctl watch'),
      interviews,
      status,
      livekit: tui ? createLiveKit(settings.livekit, { requestTimeoutSeconds: 2 }) : undefined,
      recordingsDir: tui && settings.s3 === undefined ? settings.recordingsDir : undefined,
      coalesceMs: tui ? 40 : 0,
      hookBacklog: () => createHookRepo(sql).backlog(),
    });
  } catch (err) {
    await stop();
    throw err;
  }
  const running = feed;

  if (tui) {
    const color = !process.env.NO_COLOR && process.env.TERM !== 'dumb';
    // Ink's colour library does not read NO_COLOR itself; it must be told before it loads.
    if (!color) process.env.FORCE_COLOR = '0';
    // Ink draws only a final frame when CI is set; stdin and stdout are terminals here, so a person
    // (or a tmux session in a CI job) is watching and wants the live view. Removed, not set to
    // 'false': Ink's colour library turns colours off when CI is there at all, whatever its value.
    for (const key of ['CI', 'CONTINUOUS_INTEGRATION']) delete process.env[key];
    // React's development build costs several times the CPU per frame; nothing here needs it.
    process.env.NODE_ENV ??= 'production';
    onShutdown(stop);
    try {
      const { runWatchTui } = await import('../ui/run-watch.js');
      const how = await runWatchTui(running, { readonly: Boolean(opts.readonly), color, statusFilter: status, stdout: process.stdout, stdin: process.stdin, warn: (m) => out.warn(m) });
      return how === 'interrupted' ? 130 : 0;
    } finally {
      await stop();
    }
  }

  // The stream: results (one JSON line per change) on stdout, connection and webhook news on stderr.
  const { hookBacklogText } = await import('../ui/hook-backlog.js');
  const stream = createPrinter({ json: true, quiet: global.quiet });
  let db: DbState = running.snapshot().db;
  out.info(`watching ${running.snapshot().rows.length} interviews${status ? ` (status ${status})` : ''}; one JSON line per change (Ctrl-C to stop)`);
  const offChange = running.onChange((c) => stream.line(changeJson(c), () => ''));
  let hookText = '';
  const offState = running.subscribe(() => {
    const next = running.snapshot();
    const text = hookBacklogText(next.hooks);
    if (text !== hookText) {
      if (text) out.info(text.replace(/^ · /, ''));
      else if (hookText) out.info('webhooks: no backlog');
      hookText = text;
    }
    if (next.db === db) return;
    if (next.db === 'reconnecting') out.warn(`database connection lost${next.dbProblem ? ` (${next.dbProblem})` : ''}; reconnecting…`);
    else if (next.db === 'live') out.info('reconnected; caught up on changes made meanwhile');
    db = next.db;
  });
  await new Promise<void>((resolve) => {
    // A closed pipe (`watch | head`) ends the stream quietly.
    process.stdout.once('error', () => resolve());
    onShutdown(async () => {
      resolve();
      await stop();
    });
  });
  offChange();
  offState();
  await stop();
  return 0;
}
