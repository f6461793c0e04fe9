import { describe, expect, it } from 'vitest';
import { interviewNeed, planDeliveries, type DeliveryInBatch } from './webhook-rules.js';

const ID = 'AAAAAAAAAAAAAAAAAAAAAA';
const at = new Date('2026-01-05T09:00:00Z');
const d = (id: string, event: string, who: string | null, extra: Partial<DeliveryInBatch> = {}): DeliveryInBatch => ({
  id, event, participantIdentity: who === 'candidate' ? `candidate-${ID}` : who === 'agent' ? 'agent-AJ_1' : who, createdAt: null, alreadyApplied: false, ...extra,
});

describe('interviewNeed', () => {
  it('reads nothing for events ignored in every state, locks for those that may change the row', () => {
    expect(interviewNeed('track_published', 'candidate')).toBe('none');
    expect(interviewNeed('room_started', 'none')).toBe('none');
    expect(interviewNeed('participant_joined', 'other')).toBe('none');
    expect(interviewNeed('participant_left', 'candidate')).toBe('read');
    expect(interviewNeed('participant_joined', 'agent')).toBe('read');
    expect(interviewNeed('participant_joined', 'candidate')).toBe('lock');
    expect(interviewNeed('room_finished', 'none')).toBe('lock');
  });
});

describe('planDeliveries', () => {
  it('lets each delivery see what the ones before it did: one end, then notes; a first join, then rejoins', () => {
    const plan = planDeliveries(ID, { status: 'recording', candidateJoined: false }, [
      d('E1', 'participant_joined', 'candidate', { createdAt: new Date('2026-01-05T08:59:00Z') }),
      d('E2', 'room_finished', null),
      d('E3', 'participant_joined', 'candidate'),
      d('E4', 'room_finished', null),
    ], at);
    expect(plan.results).toEqual(['candidate joined', 'ended: room_finished', 'candidate rejoined', 'noted: room finished']);
    expect(plan.endReason).toBe('room_finished');
    expect(plan.candidateJoinedAt).toEqual(new Date('2026-01-05T08:59:00Z'));
    expect(plan.events.map((e) => `${e.webhookId} ${e.from}→${e.to} ${e.reason}`)).toEqual([
      'E1 recording→recording candidate joined the room',
      'E2 recording→ending room_finished',
      'E3 ending→ending candidate rejoined the room',
      'E4 ending→ending room finished',
    ]);
  });

  it('writes nothing for deliveries applied before, and never moves a finished interview', () => {
    const again = planDeliveries(ID, { status: 'ending', candidateJoined: true }, [d('E1', 'participant_joined', 'candidate', { alreadyApplied: true }), d('E2', 'room_finished', null, { alreadyApplied: true }), d('E5', 'track_published', 'candidate')], at);
    expect(again).toEqual({ results: ['no change: already applied', 'no change: already applied', 'ignored'], events: [], endReason: null, candidateJoinedAt: null });
    const done = planDeliveries(ID, { status: 'completed', candidateJoined: true }, [d('E9', 'room_finished', null)], at);
    expect(done.endReason).toBeNull();
    expect(done.results).toEqual(['noted: room finished']);
  });

  it('ignores deliveries for an interview this database does not know', () => {
    expect(planDeliveries(ID, undefined, [d('E1', 'room_finished', null)], at).results).toEqual(['ignored: unknown interview']);
  });
});
