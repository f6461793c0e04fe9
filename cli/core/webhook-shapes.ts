import { candidateIdentityFor, roomNameFor } from './ids.js';

export const SYNTHETIC_EVENTS = [
  'room_started',
  'room_finished',
  'participant_joined',
  'participant_left',
  'participant_connection_aborted',
  'track_published',
  'track_unpublished',
  'egress_started',
  'egress_ended',
] as const;
export type SyntheticEvent = (typeof SYNTHETIC_EVENTS)[number];

/**
 * A LiveKit webhook body in the shape LiveKit sends (protobuf JSON: int64 as strings), for
 * `webhooks trigger`. `rand` supplies the random parts of ids so tests can fix them.
 */
export function syntheticWebhook(
  event: SyntheticEvent,
  interviewId: string,
  who: 'candidate' | 'agent',
  now: Date,
  rand: () => string,
): Record<string, unknown> {
  const seconds = String(Math.floor(now.getTime() / 1000));
  const room = { sid: `RM_${rand()}`, name: roomNameFor(interviewId), emptyTimeout: 300, departureTimeout: 120, creationTime: seconds };
  const identity = who === 'candidate' ? candidateIdentityFor(interviewId) : `agent-AJ_${rand()}`;
  const participant = { sid: `PA_${rand()}`, identity, state: event === 'participant_joined' ? 'ACTIVE' : 'DISCONNECTED', joinedAt: seconds, kind: who === 'agent' ? 'AGENT' : 'STANDARD' };
  const body: Record<string, unknown> = { event, id: `EV_${rand()}`, createdAt: seconds, room };
  if (event.startsWith('participant_') || event.startsWith('track_')) body.participant = participant;
  if (event.startsWith('track_')) body.track = { sid: `TR_${rand()}`, type: 'AUDIO', source: 'MICROPHONE' };
  if (event.startsWith('egress_')) body.egressInfo = { egressId: `EG_${rand()}`, roomName: room.name, status: event === 'egress_ended' ? 'EGRESS_COMPLETE' : 'EGRESS_ACTIVE' };
  return body;
}
