import type { InterviewRepo } from '../adapters/db/interviews.js';
import { ConflictError } from '../core/errors.js';
import { candidateIdentityFor, roomNameFor } from '../core/ids.js';
import type { Interview } from '../core/interview.js';
import { planReconcile, type ReconcileAction, type ReconcileFacts } from '../core/reconcile.js';

export interface ReconcileDeps {
  interviews: InterviewRepo;
  /** Participants' identities in a room, or undefined when the room does not exist. */
  roomParticipants(roomName: string): Promise<string[] | undefined>;
  objectExists(key: string): Promise<boolean>;
  agentSeen(interviewId: string): Promise<boolean>;
  /**
   * Retries recordings the agent left in this machine's spool (storage was down, or its job
   * died), reporting each; absent where there is no spool to look at (serve's sweep).
   */
  retrySpools?(dryRun: boolean, report: (r: SpoolRetry) => void): Promise<void>;
}

/** One spooled recording retried (the shape `recoverSpool` reports). */
export interface SpoolRetry {
  interviewId: string;
  status: string;
  key: string;
  result: 'stored' | 'would_store' | 'dropped' | 'would_drop' | 'failed';
  detail: string;
  error: string | null;
}

export interface ReconcileOutcome {
  id: string;
  status: string;
  action: ReconcileAction['kind'] | 'upload_spool' | 'drop_spool';
  detail: string;
  applied: boolean;
  error: string | null;
}

async function gather(deps: ReconcileDeps, i: Interview, now: Date): Promise<ReconcileFacts> {
  let room: ReconcileFacts['room'] = 'unknown';
  if (i.status !== 'ending') {
    try {
      const ids = await deps.roomParticipants(roomNameFor(i.id));
      room = ids === undefined
        ? { exists: false, candidate: false, agent: false }
        : { exists: true, candidate: ids.includes(candidateIdentityFor(i.id)), agent: ids.some((p) => p.startsWith('agent-')) };
    } catch {
      room = 'unknown';
    }
  }
  let stored: ReconcileFacts['stored'] = 'unknown';
  if (i.status === 'ending' && i.recordingKey) {
    try {
      const [recording, transcript, vtt] = await Promise.all([i.recordingKey, i.transcriptKey, i.vttKey].map((k) => (k ? deps.objectExists(k) : Promise.resolve(false))));
      stored = { recording: recording!, transcript: transcript!, vtt: vtt! };
    } catch {
      stored = 'unknown';
    }
  }
  return { now, room, stored, agentSeen: await deps.agentSeen(i.id) };
}

/**
 * One sweep: first the recordings kept in the local spool (a dead job's is failed with
 * `agent_crashed` as it is stored), then live and ending interviews. With dryRun nothing changes.
 * `spoolsKept` counts spools that could not be stored (storage still down).
 */
export async function reconcile(deps: ReconcileDeps, opts: { dryRun: boolean; now?: () => Date }, emit: (o: ReconcileOutcome) => void): Promise<{ checked: number; changed: number; spoolsKept: number }> {
  let changed = 0;
  let spoolsKept = 0;
  await deps.retrySpools?.(opts.dryRun, (r) => {
    const drop = r.result === 'dropped' || r.result === 'would_drop';
    const applied = r.result === 'stored' || r.result === 'dropped';
    if (applied) changed++;
    if (r.result === 'failed') spoolsKept++;
    emit({ id: r.interviewId, status: r.status, action: drop ? 'drop_spool' : 'upload_spool', detail: `${r.detail} (${r.key})`, applied, error: r.error });
  });
  const now = (opts.now ?? (() => new Date()))();
  const expired = opts.dryRun ? 0 : await deps.interviews.expireDue();
  const live = await deps.interviews.listOpen();
  changed += expired;
  for (const i of live) {
    const plan = planReconcile(i, await gather(deps, i, now));
    const outcome: ReconcileOutcome = { id: i.id, status: i.status, action: plan.kind, detail: plan.why, applied: false, error: null };
    if (plan.kind !== 'none' && !opts.dryRun) {
      try {
        if (plan.kind === 'end') await deps.interviews.applyEvent(i.id, 'end', { actor: 'reconcile', reason: plan.why, patch: { end_reason: plan.reason } });
        if (plan.kind === 'complete') await deps.interviews.applyEvent(i.id, 'finalized', { actor: 'reconcile', reason: plan.why });
        if (plan.kind === 'fail') await deps.interviews.applyEvent(i.id, 'fail', { actor: 'reconcile', reason: plan.why, patch: { error: plan.error } });
        outcome.applied = true;
        changed++;
      } catch (err) {
        // Another process moved it first: that is fine, the next sweep looks again.
        outcome.error = err instanceof ConflictError ? 'moved by someone else meanwhile' : (err as Error).message;
      }
    }
    if (plan.kind !== 'none' || opts.dryRun) emit(outcome);
  }
  return { checked: live.length, changed, spoolsKept };
}
