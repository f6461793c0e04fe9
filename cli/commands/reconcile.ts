import { createLiveKit } from '../adapters/livekit/client.js';
import { openStorage } from '../adapters/storage/storage.js';
import { withContext, type GlobalOptions } from '../context.js';
import { reconcile as sweep, type ReconcileDeps } from '../use-cases/reconcile.js';

/** The reconcile dependencies over real services; serve's periodic sweep uses the same. */
export async function reconcileDeps(interviews: ReconcileDeps['interviews'], settings: import('../settings.js').Settings): Promise<ReconcileDeps> {
  const livekit = createLiveKit(settings.livekit, { requestTimeoutSeconds: 3 });
  const storage = await openStorage(settings);
  return {
    interviews,
    async roomParticipants(roomName) {
      const rooms = await livekit.listRooms([roomName]);
      if (rooms.length === 0) return undefined;
      return (await livekit.listParticipants(roomName)).map((p) => p.identity);
    },
    objectExists: async (key) => (await storage.size(key)) !== undefined,
    agentSeen: (id) => interviews.agentSeen(id),
  };
}

export async function reconcile(opts: { dryRun?: boolean }, global: GlobalOptions): Promise<number> {
  return withContext(global, async (ctx) => {
    const { out, settings } = ctx;
    const { interviews } = await ctx.repos();
    const deps = await reconcileDeps(interviews, settings);
    const dryRun = opts.dryRun === true;
    const summary = await sweep(deps, { dryRun }, (o) => {
      const verb = o.action === 'none' ? 'leave' : o.action;
      const done = { none: 'left', end: 'ended', complete: 'completed', fail: 'failed' }[o.action];
      out.line(o, () => `${o.id.slice(0, 8)}  ${o.status.padEnd(9)}  ${dryRun ? `would ${verb}` : o.applied ? done : `did not ${verb}`}: ${o.detail}${o.error ? ` (${o.error})` : ''}`);
    });
    out.info(`${dryRun ? 'dry run: ' : ''}checked ${summary.checked} live or ending interviews; ${dryRun ? 'nothing changed' : `${summary.changed} moved on`}`);
    return 0;
  });
}
