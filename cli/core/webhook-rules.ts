import type { Status } from './states.js';

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
