import { STATUSES, targetOf, type Status } from './states.js';

/** Who a LiveKit participant identity is, in our rooms. */
export type IdentityKind = 'candidate' | 'agent' | 'other' | 'none';

export function identityKind(identity: string | null | undefined, interviewId: string): IdentityKind {
  if (!identity) return 'none';
  if (identity === `candidate-${interviewId}`) return 'candidate';
  if (identity.startsWith('agent-')) return 'agent';
  return 'other';
}

export type WebhookAction =
  | { kind: 'candidate_joined' }
  | { kind: 'note'; reason: string }
  | { kind: 'end'; reason: string }
  | { kind: 'ignore' };

const NOTED = new Set(['participant_left', 'participant_connection_aborted', 'egress_started', 'egress_ended', 'room_finished']);

/**
 * What a LiveKit webhook means for an interview. Deliveries may come late, twice or out of order,
 * so nothing here moves a state backwards: a late `room_finished` only ends a session still live.
 */
export function planWebhook(event: string, who: IdentityKind, status: Status): WebhookAction {
  if (event === 'participant_joined' && who === 'candidate') return { kind: 'candidate_joined' };
  if (event === 'participant_joined' && who === 'agent') return { kind: 'note', reason: 'agent joined the room' };
  if (event === 'room_finished' && (status === 'used' || status === 'recording')) return { kind: 'end', reason: 'room_finished' };
  if (NOTED.has(event)) {
    const whom = who === 'none' ? '' : ` (${who})`;
    return { kind: 'note', reason: `${event.replace(/_/g, ' ')}${whom}` };
  }
  return { kind: 'ignore' };
}

/**
 * What a delivery needs to know of its interview, whatever state it is in: nothing (it is ignored
 * in every state, like track and room_started events), its state (to note it), or its state
 * under a row lock (it may change the row: the candidate's join, room_finished).
 */
export function interviewNeed(event: string, who: IdentityKind): InterviewNeed {
  const key = `${event} ${who}`;
  let need = needs.get(key);
  if (need === undefined) {
    const kinds = new Set(STATUSES.map((s) => planWebhook(event, who, s).kind));
    need = kinds.has('candidate_joined') || kinds.has('end') ? 'lock' : kinds.size === 1 && kinds.has('ignore') ? 'none' : 'read';
    // Event types are few, but they come from outside: keep the memo small.
    if (needs.size < 256) needs.set(key, need);
  }
  return need;
}
export type InterviewNeed = 'none' | 'read' | 'lock';
const needs = new Map<string, InterviewNeed>();

/** An interview as a batch of deliveries finds it (read under a row lock when the batch may change it). */
export interface InterviewNow {
  status: Status;
  candidateJoined: boolean;
}

/** One delivery of a batch, in the order it was received. */
export interface DeliveryInBatch {
  id: string;
  event: string;
  participantIdentity: string | null;
  /** When LiveKit says it happened, if it says. */
  createdAt: Date | null;
  /** Its row in the event log exists already (an earlier apply of the same delivery). */
  alreadyApplied: boolean;
}

/** A row to append to interview_events, written at most once per delivery. */
export interface PlannedEvent {
  webhookId: string;
  from: Status;
  to: Status;
  reason: string;
}

/** What a batch of deliveries does to one interview: at most one change of the row, and events. */
export interface InterviewPlan {
  /** One result per delivery, in order (what `webhooks replay` prints). */
  results: string[];
  events: PlannedEvent[];
  /** Set when a delivery ends the session (the guarded `end` transition). */
  endReason: string | null;
  /** Set when the candidate joins for the first time. */
  candidateJoinedAt: Date | null;
}

/**
 * Folds the deliveries of one interview, in received order, into the writes they cause: each
 * delivery sees the state the ones before it left, exactly as if they were applied one by one.
 * A delivery applied before changes nothing (its effect is already in `now`), so applying a batch
 * again writes nothing. `interview` undefined: the room names an interview this database does not know.
 */
export function planDeliveries(interviewId: string, interview: InterviewNow | undefined, deliveries: readonly DeliveryInBatch[], now: Date): InterviewPlan {
  const plan: InterviewPlan = { results: [], events: [], endReason: null, candidateJoinedAt: null };
  if (!interview) {
    plan.results = deliveries.map(() => 'ignored: unknown interview');
    return plan;
  }
  let { status, candidateJoined } = interview;
  for (const d of deliveries) {
    const action = planWebhook(d.event, identityKind(d.participantIdentity, interviewId), status);
    if (action.kind === 'ignore') {
      plan.results.push('ignored');
      continue;
    }
    if (d.alreadyApplied) {
      plan.results.push('no change: already applied');
      continue;
    }
    switch (action.kind) {
      case 'candidate_joined': {
        const first = !candidateJoined;
        if (first) plan.candidateJoinedAt = d.createdAt ?? now;
        candidateJoined = true;
        plan.events.push({ webhookId: d.id, from: status, to: status, reason: first ? 'candidate joined the room' : 'candidate rejoined the room' });
        plan.results.push(first ? 'candidate joined' : 'candidate rejoined');
        break;
      }
      case 'note':
        plan.events.push({ webhookId: d.id, from: status, to: status, reason: action.reason });
        plan.results.push(`noted: ${action.reason}`);
        break;
      case 'end':
        plan.events.push({ webhookId: d.id, from: status, to: targetOf('end'), reason: action.reason });
        plan.endReason = action.reason;
        status = targetOf('end');
        plan.results.push(`ended: ${action.reason}`);
        break;
    }
  }
  return plan;
}
