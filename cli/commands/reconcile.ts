import { join } from 'node:path';
import { createUtteranceRepo, type UtteranceRepo } from '../adapters/db/utterances.js';
import { createLiveKit } from '../adapters/livekit/client.js';
import { openStorage } from '../adapters/storage/storage.js';
import { withContext, type GlobalOptions } from '../context.js';
import { UnavailableError } from '../core/errors.js';
import { reconcile as sweep, type ReconcileDeps } from '../use-cases/reconcile.js';

/**
 * The reconcile dependencies over real services; serve's periodic sweep uses the same. With
 * `spool.utterances` it also retries the recordings kept in `$INTERVIEWCTL_HOME/spool`.
 */
export async function reconcileDeps(
  interviews: ReconcileDeps['interviews'],
  settings: import('../settings.js').Settings,
  spool?: { utterances: UtteranceRepo },
): Promise<ReconcileDeps> {
  const livekit = createLiveKit(settings.livekit, { requestTimeoutSeconds: 3 });
  const storage = await openStorage(settings);
  const deps: ReconcileDeps = {
    interviews,
    async roomParticipants(roomName) {
      const rooms = await livekit.listRooms([roomName]);
      if (rooms.length === 0) return undefined;
      return (await livekit.listParticipants(roomName)).map((p) => p.identity);
    },
    objectExists: async (key) => (await storage.size(key)) !== undefined,
    agentSeen: (id) => interviews.agentSeen(id),
  };
  if (spool) {
    deps.retrySpools = async (dryRun, report) => {
      const { recoverSpool } = await import('../../agent/recover-spool.js');
      await recoverSpool({ spoolDir: join(settings.home, 'spool'), storage, interviews, utterances: spool.utterances, actor: 'reconcile', dryRun, onOutcome: report });
    };
  }
  return deps;
}

export async function reconcile(opts: { dryRun?: boolean }, global: GlobalOptions): Promise<number> {
  return withContext(global, async (ctx) => {
    const { out, settings } = ctx;
    const { interviews } = await ctx.repos();
    const deps = await reconcileDeps(interviews, settings, { utterances: createUtteranceRepo((await ctx.db()).sql) });
    const dryRun = opts.dryRun === true;
    const summary = await sweep(deps, { dryRun }, (o) => {
      const verb = { none: 'leave', end: 'end', complete: 'complete', fail: 'fail', upload_spool: 'upload spool', drop_spool: 'drop spool' }[o.action];
      const done = { none: 'left', end: 'ended', complete: 'completed', fail: 'failed', upload_spool: 'spool uploaded', drop_spool: 'spool dropped' }[o.action];
      out.line(o, () => `${o.id.slice(0, 8)}  ${o.status.padEnd(9)}  ${dryRun ? `would ${verb}` : o.applied ? done : `did not ${verb}`}: ${o.detail}${o.error ? ` (${o.error})` : ''}`);
    });
    out.info(`${dryRun ? 'dry run: ' : ''}checked ${summary.checked} live or ending interviews; ${dryRun ? 'nothing changed' : `${summary.changed} moved on`}`);
    if (summary.spoolsKept > 0) {
      throw new UnavailableError('storage', `${summary.spoolsKept} spooled recording(s) could not be stored and stay in ${join(settings.home, 'spool')}; run reconcile again once storage is back`);
    }
    return 0;
  });
}
