import type { InterviewRepo } from '../adapters/db/interviews.js';
import type { OpenUpload } from '../adapters/storage/storage.js';
import { ConflictError } from '../core/errors.js';
import { candidateIdentityFor, roomNameFor } from '../core/ids.js';
import type { Interview } from '../core/interview.js';
import { interviewIdOfKey } from '../core/keys.js';
import { DEFAULT_RECONCILE_LIMITS, planOpenUpload, planReconcile, type ReconcileAction, type ReconcileFacts, type ReconcileLimits } from '../core/reconcile.js';
import type { Status } from '../core/states.js';

export interface ReconcileDeps {
  interviews: InterviewRepo;
  /** Participants' identities in a room, or undefined when the room does not exist. */
  roomParticipants(roomName: string): Promise<string[] | undefined>;
  objectExists(key: string): Promise<boolean>;
  agentSeen(interviewId: string): Promise<boolean>;
  /** When reconcile last dispatched the interview's interviewer again; null if it never did. */
  redispatchedAt(interviewId: string): Promise<Date | null>;
  /**
   * Dispatches the interviewer into the interview's room again (the join's dispatch path) and
   * records it on the interview; false when the interview moved on or another sweep was first.
   */
  redispatch(i: Interview, why: string): Promise<boolean>;
  /**
   * Retries recordings the agent left in this machine's spool (storage was down, or its job
   * died), reporting each; absent where there is no spool to look at (serve's sweep).
   */
  retrySpools?(dryRun: boolean, report: (r: SpoolRetry) => void): Promise<void>;
  /**
   * RECORDER=browser: makes the parts a candidate's page stored for a `failed` interview without
   * a recording into a partial recording, or deletes them when they make none; undefined when
   * the page stored nothing (recoverBrowserParts). Absent: parts are not looked at.
   */
  recoverParts?(i: Interview, dryRun: boolean): Promise<PartsRecovery | undefined>;
  /**
   * The multipart uploads left open under `recordings/` (a killed recorder's), and aborting one:
   * false when it is gone already or another sweep is aborting it. Absent: uploads are not looked at.
   */
  uploads?: { list(): Promise<OpenUpload[]>; abort(u: OpenUpload): Promise<boolean> };
}

/** One interview's left parts (the shape `recoverBrowserParts` reports). */
export interface PartsRecovery {
  result: 'stored' | 'would_store' | 'dropped' | 'would_drop' | 'kept';
  detail: string;
  error: string | null;
}

const MOVED = 'moved by someone else meanwhile';
const UPLOAD_GONE = 'gone meanwhile: another sweep aborted it';

/** How far back reconcile looks for failed interviews whose page's parts were left (a week). */
export const LEFT_PARTS_WINDOW_MS = 7 * 86_400_000;

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
  action: ReconcileAction['kind'] | 'upload_spool' | 'drop_spool' | 'store_parts' | 'drop_parts' | 'abort_upload';
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
  const agentSeen = await deps.agentSeen(i.id);
  // Only a `used` interview without its interviewer can be dispatched again.
  const redispatchedAt = i.status === 'used' && !agentSeen ? await deps.redispatchedAt(i.id) : null;
  return { now, room, stored, agentSeen, redispatchedAt };
}

/**
 * One sweep: first the recordings kept in the local spool (a dead job's is failed with
 * `agent_crashed` as it is stored), then live and ending interviews, then the page's parts of
 * interviews that failed without a recording (RECORDER=browser), then the multipart uploads left
 * open for interviews that are over. With dryRun nothing changes. `spoolsKept` counts spools that
 * could not be stored (storage still down), `partsKept` the interviews whose parts could not be
 * joined or stored (storage down, ffprobe missing, a failed join); `uploadsUnchecked` says why the
 * open uploads could not be listed.
 */
export async function reconcile(
  deps: ReconcileDeps,
  opts: { dryRun: boolean; now?: () => Date; limits?: Partial<ReconcileLimits> },
  emit: (o: ReconcileOutcome) => void,
): Promise<{ checked: number; changed: number; spoolsKept: number; partsKept: number; uploadsUnchecked: string | null }> {
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
  const limits = { ...DEFAULT_RECONCILE_LIMITS, ...opts.limits };
  const expired = opts.dryRun ? 0 : await deps.interviews.expireDue();
  const live = await deps.interviews.listOpen();
  changed += expired;
  for (const i of live) {
    const plan = planReconcile(i, await gather(deps, i, now), limits);
    const outcome: ReconcileOutcome = { id: i.id, status: i.status, action: plan.kind, detail: plan.why, applied: false, error: null };
    if (plan.kind !== 'none' && !opts.dryRun) {
      try {
        if (plan.kind === 'end') await deps.interviews.applyEvent(i.id, 'end', { actor: 'reconcile', reason: plan.why, patch: { end_reason: plan.reason } });
        if (plan.kind === 'complete') await deps.interviews.applyEvent(i.id, 'finalized', { actor: 'reconcile', reason: plan.why });
        if (plan.kind === 'fail') await deps.interviews.applyEvent(i.id, 'fail', { actor: 'reconcile', reason: plan.why, patch: { error: plan.error } });
        // False: another sweep dispatched it first, or it moved on meanwhile.
        const done = plan.kind === 'redispatch' ? await deps.redispatch(i, plan.why) : true;
        outcome.applied = done;
        if (done) changed++;
        else outcome.error = MOVED;
      } catch (err) {
        // Another process moved it first: that is fine, the next sweep looks again.
        outcome.error = err instanceof ConflictError ? MOVED : (err as Error).message;
      }
    }
    if (plan.kind !== 'none' || opts.dryRun) emit(outcome);
  }
  let partsKept = 0;
  if (deps.recoverParts) {
    // After the loop above, so an interview it just failed has its parts looked at in this sweep.
    for (const i of await deps.interviews.listFailedWithoutRecording(new Date(now.getTime() - LEFT_PARTS_WINDOW_MS))) {
      let r: PartsRecovery | undefined;
      try {
        r = await deps.recoverParts(i, opts.dryRun);
      } catch (err) {
        // Storage down, ffprobe missing, a failed join: the parts stay, and the run says so.
        partsKept++;
        emit({ id: i.id, status: i.status, action: 'store_parts', detail: "the page's parts are kept for the next sweep", applied: false, error: (err as Error).message });
        continue;
      }
      if (!r) continue;
      const applied = r.result === 'stored' || r.result === 'dropped';
      if (applied) changed++;
      emit({ id: i.id, status: i.status, action: r.result === 'dropped' || r.result === 'would_drop' ? 'drop_parts' : 'store_parts', detail: r.detail, applied, error: r.error });
    }
  }
  let uploadsUnchecked: string | null = null;
  if (deps.uploads) {
    let open: OpenUpload[] = [];
    try {
      open = await deps.uploads.list();
    } catch (err) {
      // Storage down: the uploads wait for the next sweep, as nothing is lost meanwhile.
      uploadsUnchecked = (err as Error).message;
    }
    const statusOf = new Map<string, Status | null>();
    for (const u of open) {
      // A key that names no interview is not interviewctl's to judge.
      const id = interviewIdOfKey(u.key);
      if (!id) continue;
      if (!statusOf.has(id)) statusOf.set(id, (await deps.interviews.findExact(id))?.status ?? null);
      const status = statusOf.get(id)!;
      const plan = planOpenUpload({ now, initiatedAt: u.initiatedAt, interviewStatus: status }, limits);
      const outcome: ReconcileOutcome = { id, status: status ?? 'missing', action: plan.kind, detail: `${plan.why} (${u.key})`, applied: false, error: null };
      if (plan.kind === 'abort_upload' && !opts.dryRun) {
        try {
          outcome.applied = await deps.uploads.abort(u);
          if (outcome.applied) changed++;
          else outcome.error = UPLOAD_GONE;
        } catch (err) {
          outcome.error = (err as Error).message;
        }
      }
      if (plan.kind !== 'none' || opts.dryRun) emit(outcome);
    }
  }
  return { checked: live.length, changed, spoolsKept, partsKept, uploadsUnchecked };
}
