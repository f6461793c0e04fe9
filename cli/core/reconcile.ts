import { endsAt, type Interview } from './interview.js';

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
}

export const DEFAULT_RECONCILE_LIMITS: ReconcileLimits = {
  overrunMs: 2 * 60_000,
  candidateNoShowMs: 10 * 60_000,
  agentNoShowMs: 5 * 60_000,
  redispatchAfterMs: 30_000,
  finalizeMs: 10 * 60_000,
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
