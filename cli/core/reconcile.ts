import { formatDuration } from './duration.js';
import { endsAt, type Interview } from './interview.js';
import { TERMINAL_STATUSES, type Status } from './states.js';

/** What reconcile could learn about one interview; 'unknown' when the service did not answer. */
export interface ReconcileFacts {
  now: Date;
  room: { exists: boolean; candidate: boolean; agent: boolean } | 'unknown';
  /** Whether the recording, transcript and captions objects are in storage. */
  stored: { recording: boolean; transcript: boolean; vtt: boolean } | 'unknown';
  /** True once an agent was ever seen in the room (from the event log). */
  agentSeen: boolean;
  /** When reconcile last dispatched the interviewer again; null before it ever did (the join's dispatch is `usedAt`). */
  redispatchedAt: Date | null;
}

export interface ReconcileLimits {
  /** How long past its end a live interview may run before it is ended. */
  overrunMs: number;
  /** How long a candidate may take to show up after the first join. */
  candidateNoShowMs: number;
  /** How long the interviewer may take to join after the first join. */
  agentNoShowMs: number;
  /**
   * How long after a dispatch an interviewer that has not joined is dispatched again (until
   * agentNoShowMs): livekit-server never retries a job it could not place because every worker was full.
   */
  redispatchAfterMs: number;
  /** How long a session may stay `ending` while the recording is finalised. */
  finalizeMs: number;
  /**
   * How long after its start a multipart upload left open for an interview that is over (or gone)
   * is aborted: long past any recorder or spool upload still finishing for it.
   */
  abortUploadsAfterMs: number;
}

export const DEFAULT_RECONCILE_LIMITS: ReconcileLimits = {
  overrunMs: 2 * 60_000,
  candidateNoShowMs: 10 * 60_000,
  agentNoShowMs: 5 * 60_000,
  redispatchAfterMs: 30_000,
  finalizeMs: 10 * 60_000,
  abortUploadsAfterMs: 60 * 60_000,
};

export type ReconcileAction =
  | { kind: 'none'; why: string }
  | { kind: 'end'; reason: string; why: string }
  | { kind: 'complete'; why: string }
  | { kind: 'fail'; error: string; why: string }
  | { kind: 'redispatch'; why: string };

const since = (d: Date | null, now: Date) => (d ? now.getTime() - d.getTime() : 0);

/**
 * Decides how to move on an interview that webhooks or the agent may have left behind. Pure:
 * the caller gathers the facts and applies the action through the state machine.
 */
export function planReconcile(i: Interview, f: ReconcileFacts, limits: ReconcileLimits = DEFAULT_RECONCILE_LIMITS): ReconcileAction {
  if (i.status === 'used' || i.status === 'recording') {
    const end = endsAt(i);
    if (end && f.now.getTime() > end.getTime() + limits.overrunMs) {
      return { kind: 'end', reason: 'deadline_passed', why: `still ${i.status} ${Math.round((f.now.getTime() - end.getTime()) / 60_000)} min past its end` };
    }
    const room = f.room;
    if (i.status === 'used' && !i.candidateJoinedAt && since(i.usedAt, f.now) > limits.candidateNoShowMs && (room === 'unknown' || !room.candidate)) {
      return { kind: 'fail', error: 'candidate_no_show', why: 'the candidate never joined the room' };
    }
    if (i.status === 'used' && !f.agentSeen && since(i.usedAt, f.now) > limits.agentNoShowMs && room !== 'unknown' && !room.agent) {
      return { kind: 'fail', error: 'agent_no_show', why: 'no interviewer joined the room after dispatch' };
    }
    if (i.status === 'used' && !f.agentSeen && room !== 'unknown' && room.exists && !room.agent) {
      const waited = since(f.redispatchedAt ?? i.usedAt, f.now);
      if (waited > limits.redispatchAfterMs) {
        return { kind: 'redispatch', why: `no interviewer joined the room ${Math.round(waited / 1000)} s after its dispatch (every agent worker may have been full)` };
      }
    }
    if (room !== 'unknown' && !room.exists && since(i.usedAt, f.now) > limits.agentNoShowMs) {
      return { kind: 'end', reason: 'room_gone', why: 'the LiveKit room no longer exists' };
    }
    return { kind: 'none', why: 'live and within its time' };
  }
  if (i.status === 'ending') {
    const s = f.stored;
    if (i.recordingKey && s !== 'unknown' && s.recording && s.transcript && s.vtt) {
      return { kind: 'complete', why: 'recording and transcript are in storage' };
    }
    if (since(i.endedAt, f.now) > limits.finalizeMs) {
      if (!i.recordingKey) return { kind: 'fail', error: 'recorder_failed', why: 'no recording was ever started' };
      if (s === 'unknown') return { kind: 'none', why: 'storage did not answer; will check again' };
      return { kind: 'fail', error: 'recorder_failed', why: 'the recording or transcript is missing from storage' };
    }
    return { kind: 'none', why: 'still finalising' };
  }
  return { kind: 'none', why: `nothing to do for ${i.status}` };
}

/** What reconcile knows of one multipart upload left open under `recordings/<interviewId>/`. */
export interface OpenUploadFacts {
  now: Date;
  /** When storage says it was begun; null when it does not say. */
  initiatedAt: Date | null;
  /** The status of the interview its key names; null when there is no such interview. */
  interviewStatus: Status | null;
}

export type OpenUploadAction = { kind: 'none'; why: string } | { kind: 'abort_upload'; why: string };

/** An age to read: to the second under two minutes, to the minute above (`45s`, `1h`, `3h12m`). */
const ago = (ms: number) => formatDuration(ms < 120_000 ? Math.round(ms / 1000) * 1000 : Math.round(ms / 60_000) * 60_000);

/**
 * Decides whether an open multipart upload can no longer complete and is to be aborted (it holds
 * storage, invisibly, until it is): only when it is older than `abortUploadsAfterMs` and its
 * interview is over or gone. An upload of a live interview is never touched, however old.
 */
export function planOpenUpload(f: OpenUploadFacts, limits: Pick<ReconcileLimits, 'abortUploadsAfterMs'> = DEFAULT_RECONCILE_LIMITS): OpenUploadAction {
  const status = f.interviewStatus;
  // Not ours to judge: a bucket shared with another deployment holds its live interviews' uploads
  // (as a witness spool whose interview is not in this database is kept).
  if (status === null) return { kind: 'none', why: 'its interview is not in this database (a bucket shared with another deployment?); left alone' };
  if (!TERMINAL_STATUSES.includes(status)) return { kind: 'none', why: `its interview is ${status}; its recorder may still be writing it` };
  if (!f.initiatedAt) return { kind: 'none', why: 'storage does not say when it was begun' };
  const age = f.now.getTime() - f.initiatedAt.getTime();
  if (age <= limits.abortUploadsAfterMs) return { kind: 'none', why: `begun ${ago(age)} ago; left until it is ${ago(limits.abortUploadsAfterMs)} old` };
  return { kind: 'abort_upload', why: `upload left open, begun ${ago(age)} ago, can no longer complete: its interview is ${status}` };
}
