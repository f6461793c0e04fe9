import { describe, expect, it } from 'vitest';
import type { Interview } from './interview.js';
import { DEFAULT_RECONCILE_LIMITS, planOpenUpload, planReconcile, type OpenUploadFacts, type ReconcileFacts } from './reconcile.js';

const T0 = new Date('2025-03-01T10:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

function makeInterview(overrides: Partial<Interview> = {}): Interview {
  return {
    id: 'AAAAAAAAAAAAAAAAAAAAAA',
    status: 'used',
    candidateName: 'Ada Lovelace',
    candidateEmail: null,
    ref: null,
    lang: 'en',
    durationMs: 20 * 60_000,
    questionSet: 'default',
    questions: [],
    createdAt: at(-60_000),
    expiresAt: at(7 * 86_400_000),
    usedAt: T0,
    candidateJoinedAt: T0,
    recordingStartedAt: null,
    endedAt: null,
    completedAt: null,
    endReason: null,
    error: null,
    dispatchId: 'AD_first',
    resumeKeyHash: null,
    recordingKey: null,
    transcriptKey: null,
    vttKey: null,
    updatedAt: T0,
    interviewerMode: null,
    interviewerDetail: null,
    ...overrides,
  };
}

/** The room LiveKit shows when every worker was full: the candidate waiting alone. */
const alone = { exists: true, candidate: true, agent: false };

function facts(overrides: Partial<ReconcileFacts> = {}): ReconcileFacts {
  return { now: at(45_000), room: alone, stored: 'unknown', agentSeen: false, redispatchedAt: null, ...overrides };
}

describe('planReconcile: an interviewer that never came', () => {
  it('dispatches it again once 30 s have passed since the join’s dispatch', () => {
    const plan = planReconcile(makeInterview(), facts({ now: at(31_000) }));
    expect(plan.kind).toBe('redispatch');
    expect(plan.why).toMatch(/no interviewer joined the room 31 s after its dispatch/);
  });

  it('waits while the dispatch is younger than redispatchAfterMs', () => {
    expect(planReconcile(makeInterview(), facts({ now: at(29_000) })).kind).toBe('none');
  });

  it('counts from its own last re-dispatch, not the join, and keeps going on every sweep', () => {
    expect(planReconcile(makeInterview(), facts({ now: at(120_000), redispatchedAt: at(100_000) })).kind).toBe('none');
    expect(planReconcile(makeInterview(), facts({ now: at(140_000), redispatchedAt: at(100_000) })).kind).toBe('redispatch');
  });

  it('takes a shorter limit when given one', () => {
    const limits = { ...DEFAULT_RECONCILE_LIMITS, redispatchAfterMs: 2_000 };
    expect(planReconcile(makeInterview(), facts({ now: at(3_000) }), limits).kind).toBe('redispatch');
  });

  it('fails it agent_no_show, and no longer dispatches, past agentNoShowMs', () => {
    const plan = planReconcile(makeInterview(), facts({ now: at(5 * 60_000 + 1), redispatchedAt: at(4 * 60_000) }));
    expect(plan).toMatchObject({ kind: 'fail', error: 'agent_no_show' });
  });

  it('leaves alone an interview whose interviewer is in the room, or was there once', () => {
    expect(planReconcile(makeInterview(), facts({ room: { ...alone, agent: true } })).kind).toBe('none');
    expect(planReconcile(makeInterview(), facts({ agentSeen: true })).kind).toBe('none');
  });

  it('does not dispatch into a room that is gone, or when LiveKit did not answer', () => {
    expect(planReconcile(makeInterview(), facts({ room: { exists: false, candidate: false, agent: false } })).kind).toBe('none');
    expect(planReconcile(makeInterview(), facts({ room: 'unknown' })).kind).toBe('none');
  });

  it('dispatches only for `used`: a recording interview has its interviewer', () => {
    expect(planReconcile(makeInterview({ status: 'recording', recordingStartedAt: at(5_000) }), facts()).kind).toBe('none');
  });
});

describe('planOpenUpload: a multipart upload left open (a killed recorder’s)', () => {
  const HOUR = 3_600_000;
  const upload = (overrides: Partial<OpenUploadFacts> = {}): OpenUploadFacts => ({ now: at(3 * HOUR), initiatedAt: T0, interviewStatus: 'completed', ...overrides });

  it('aborts it once it is an hour old and its interview is over, saying why', () => {
    for (const status of ['completed', 'failed', 'expired', 'revoked'] as const) {
      const plan = planOpenUpload(upload({ interviewStatus: status }));
      expect(plan.kind).toBe('abort_upload');
      expect(plan.why).toBe(`upload left open, begun 3h ago, can no longer complete: its interview is ${status}`);
    }
  });

  it('leaves one whose interview is not in this database (a bucket shared with another deployment)', () => {
    expect(planOpenUpload(upload({ interviewStatus: null }))).toMatchObject({ kind: 'none', why: expect.stringMatching(/not in this database/) });
  });

  it('never touches a live interview’s upload, however old', () => {
    for (const status of ['used', 'recording', 'ending'] as const) {
      const plan = planOpenUpload(upload({ interviewStatus: status, now: at(30 * 86_400_000) }));
      expect(plan).toEqual({ kind: 'none', why: `its interview is ${status}; its recorder may still be writing it` });
    }
  });

  it('leaves a younger one (a spool upload may still be finishing), and one whose start storage does not give', () => {
    expect(planOpenUpload(upload({ now: at(HOUR) }))).toEqual({ kind: 'none', why: 'begun 1h ago; left until it is 1h old' });
    expect(planOpenUpload(upload({ initiatedAt: null })).kind).toBe('none');
  });

  it('takes a shorter age when given one', () => {
    expect(planOpenUpload(upload({ now: at(3_000) }), { ...DEFAULT_RECONCILE_LIMITS, abortUploadsAfterMs: 2_000 })).toEqual({
      kind: 'abort_upload',
      why: 'upload left open, begun 3s ago, can no longer complete: its interview is completed',
    });
  });
});
