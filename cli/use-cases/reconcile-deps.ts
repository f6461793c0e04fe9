import { join } from 'node:path';
import type { RecordingCheck } from '../adapters/db/recorder-stats.js';
import type { DispatchRepo } from '../adapters/db/dispatches.js';
import type { UtteranceRepo } from '../adapters/db/utterances.js';
import { createLiveKit, SESSION_ROOM_TIMEOUTS } from '../adapters/livekit/client.js';
import { openStorage } from '../adapters/storage/storage.js';
import { awaitsPartsJoin, partsSettledAt } from '../core/browser-recording.js';
import { roomNameFor } from '../core/ids.js';
import { RECORDINGS_PREFIX } from '../core/keys.js';
import type { Settings } from '../settings.js';
import type { PartsRecovery, ReconcileDeps } from './reconcile.js';

/**
 * The reconcile dependencies over real services; serve's periodic sweep uses the same. With
 * `spool` it also retries the recordings kept in `$INTERVIEWCTL_HOME/spool` (this machine's
 * agent's); both make the parts a RECORDER=browser page left into partial recordings, compared
 * with the interviewer's audio witness when `checks` (RecorderStatsRepo) is given; both abort the
 * multipart uploads a killed recorder left open (none in a local folder).
 */
export async function reconcileDeps(
  interviews: ReconcileDeps['interviews'],
  settings: Settings,
  opts: {
    utterances: UtteranceRepo;
    dispatches: DispatchRepo;
    spool: boolean;
    checks?: { recordingCheck(id: string): Promise<RecordingCheck | null>; setRecordingCheck(id: string, check: RecordingCheck): Promise<void> };
  },
): Promise<ReconcileDeps> {
  const livekit = createLiveKit(settings.livekit, { requestTimeoutSeconds: 3 });
  const storage = await openStorage(settings);
  const partsDeps = { storage, interviews, utterances: opts.utterances, workDir: join(settings.home, 'reconcile-parts'), actor: 'reconcile', checks: opts.checks };
  const deps: ReconcileDeps = {
    interviews,
    async roomParticipants(roomName) {
      const rooms = await livekit.listRooms([roomName]);
      if (rooms.length === 0) return undefined;
      return (await livekit.listParticipants(roomName)).map((p) => p.identity);
    },
    objectExists: async (key) => (await storage.size(key)) !== undefined,
    agentSeen: (id) => interviews.agentSeen(id),
    redispatchedAt: (id) => opts.dispatches.lastRedispatchAt(id),
    // The join's own dispatch path: into an existing room it adds a dispatch with a fresh claim.
    redispatch: (i, why) => opts.dispatches.redispatch(i.id, i.dispatchId, () => livekit.startSession(roomNameFor(i.id), { interviewId: i.id }, SESSION_ROOM_TIMEOUTS), why),
    uploads: {
      list: () => storage.listOpenUploads(RECORDINGS_PREFIX),
      // One sweep at a time per upload (serve replicas, an operator's reconcile): the one that
      // aborts it says so, the others are told it is gone.
      abort: async (u) => (await interviews.exclusively(`abort-upload:${u.uploadId}`, () => storage.abortUpload(u))) ?? false,
    },
  };
  // Only where the page records: other recorders leave no parts, and a sweep of every failed
  // interview's storage every minute would cost them a listing each (and fail with storage down).
  if (settings.recorder === 'browser') {
    // serve takes a failed interview's last parts for a few seconds (FAILED_PARTS_GRACE_MS): they
    // are joined once that is over, by this sweep or the next.
    const stillComing = async (id: string): Promise<PartsRecovery | undefined> => {
      const settled = partsSettledAt(await interviews.failedAt(id));
      if (Date.now() >= settled) return undefined;
      return { result: 'kept', detail: `the page may store its last parts until ${new Date(settled).toISOString()}; a sweep after that joins them`, error: null };
    };
    deps.recoverParts = async (i, dryRun) => {
      const { recoverBrowserParts } = await import('../../agent/recording/recover-parts.js');
      if (dryRun) return (await stillComing(i.id)) ?? recoverBrowserParts(partsDeps, i, dryRun);
      // One sweep at a time per interview: two joining the same parts would each move its times.
      return interviews.exclusively(`browser-parts:${i.id}`, async () => {
        // Read again under the lock: a sweep that just finished may have given it its recording.
        const now = await interviews.get(i.id);
        if (!awaitsPartsJoin(now)) return undefined;
        return (await stillComing(now.id)) ?? recoverBrowserParts(partsDeps, now, dryRun);
      });
    };
  }
  if (opts.spool) {
    deps.retrySpools = async (dryRun, report) => {
      const { recoverSpool } = await import('../../agent/recover-spool.js');
      const { checkPartialRecording } = await import('../../agent/recording/recover-parts.js');
      const compareWitness = async (id: string) => checkPartialRecording(partsDeps, await interviews.get(id));
      await recoverSpool({ spoolDir: join(settings.home, 'spool'), storage, interviews, utterances: opts.utterances, actor: 'reconcile', dryRun, onOutcome: report, compareWitness });
    };
  }
  return deps;
}
