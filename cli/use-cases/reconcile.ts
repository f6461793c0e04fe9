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
}

export interface ReconcileOutcome {
  id: string;
  status: string;
  action: ReconcileAction['kind'];
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

/** One sweep over live and ending interviews; with dryRun nothing is changed. */
export async function reconcile(deps: ReconcileDeps, opts: { dryRun: boolean; now?: () => Date }, emit: (o: ReconcileOutcome) => void): Promise<{ checked: number; changed: number }> {
  const now = (opts.now ?? (() => new Date()))();
  const expired = opts.dryRun ? 0 : await deps.interviews.expireDue();
  const live = await deps.interviews.listOpen();
  let changed = expired;
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
  return { checked: live.length, changed };
}
