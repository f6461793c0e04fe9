import { describe, expect, it } from 'vitest';
import {
  allowedFrom,
  effectiveStatus,
  isInterviewEvent,
  isLive,
  isStatus,
  LIVE_STATUSES,
  STATUSES,
  targetOf,
  TERMINAL_STATUSES,
  transition,
  type InterviewEvent,
  type Status,
} from './states.js';

const EVENTS: InterviewEvent[] = ['join', 'recorder_started', 'end', 'finalized', 'fail', 'expire', 'revoke'];

// SPEC.md section 2, written out by hand: every (state, event) pair not listed here is refused.
const ALLOWED: Partial<Record<Status, Partial<Record<InterviewEvent, Status>>>> = {
  created: { join: 'used', expire: 'expired', revoke: 'revoked' },
  used: { recorder_started: 'recording', end: 'ending', fail: 'failed' },
  recording: { end: 'ending', fail: 'failed' },
  ending: { finalized: 'completed', fail: 'failed' },
};

describe('transition', () => {
  for (const state of STATUSES) {
    for (const event of EVENTS) {
      const to = ALLOWED[state]?.[event];
      if (to) {
        it(`${event} from ${state} goes to ${to}`, () => {
          const r = transition(state, event);
          expect(r).toMatchObject({ ok: true, state: to });
        });
      } else {
        it(`${event} from ${state} is refused and leaves it ${state}`, () => {
          const r = transition(state, event);
          expect(r.ok).toBe(false);
          expect(r.state).toBe(state);
          if (!r.ok) expect(r.reason).toBe(`cannot ${event.replace('_', ' ')} an interview that is ${state}`);
        });
      }
    }
  }

  it('asks for the agent on join, and tells it to stop on end or failure', () => {
    expect(transition('created', 'join')).toMatchObject({ effects: ['dispatch_agent'] });
    expect(transition('recording', 'end')).toMatchObject({ effects: ['notify_agent', 'finalize_recording'] });
    expect(transition('used', 'fail')).toMatchObject({ effects: ['notify_agent'] });
    expect(transition('used', 'recorder_started')).toMatchObject({ effects: [] });
    expect(transition('created', 'revoke')).toMatchObject({ effects: [] });
  });

  it('never leaves a terminal state', () => {
    for (const state of TERMINAL_STATUSES) {
      for (const event of EVENTS) expect(transition(state, event).ok).toBe(false);
    }
  });

  it('reaches every state from created', () => {
    const seen = new Set<Status>(['created']);
    const queue: Status[] = ['created'];
    while (queue.length > 0) {
      const s = queue.shift()!;
      for (const e of EVENTS) {
        const r = transition(s, e);
        if (r.ok && !seen.has(r.state)) {
          seen.add(r.state);
          queue.push(r.state);
        }
      }
    }
    expect([...seen].sort()).toEqual([...STATUSES].sort());
  });
});

describe('allowedFrom and targetOf (the SQL guard)', () => {
  it('agree with transition for every event', () => {
    for (const event of EVENTS) {
      const from = STATUSES.filter((s) => transition(s, event).ok);
      expect([...allowedFrom(event)].sort()).toEqual(from.sort());
      for (const s of from) expect(targetOf(event)).toBe((transition(s, event) as { state: Status }).state);
    }
  });
});

describe('isStatus and isInterviewEvent', () => {
  it('accept exactly the known names', () => {
    for (const s of STATUSES) expect(isStatus(s)).toBe(true);
    for (const e of EVENTS) expect(isInterviewEvent(e)).toBe(true);
    for (const bad of ['', 'CREATED', 'deleted', 'toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(isStatus(bad)).toBe(false);
      expect(isInterviewEvent(bad)).toBe(false);
    }
  });
});

describe('effectiveStatus', () => {
  const now = new Date('2030-01-01T12:00:00Z');
  const before = new Date(now.getTime() - 1);
  const after = new Date(now.getTime() + 1);

  it('reads an unused link past its expiry as expired, at the expiry instant too', () => {
    expect(effectiveStatus('created', before, now)).toBe('expired');
    expect(effectiveStatus('created', now, now)).toBe('expired');
    expect(effectiveStatus('created', after, now)).toBe('created');
  });

  it('never expires a link that was used, revoked or finished', () => {
    for (const s of STATUSES.filter((x) => x !== 'created')) expect(effectiveStatus(s, before, now)).toBe(s);
  });
});

describe('isLive', () => {
  it('is true only while a session runs', () => {
    expect(STATUSES.filter(isLive)).toEqual(['used', 'recording', 'ending']);
    expect(LIVE_STATUSES.some((s) => TERMINAL_STATUSES.includes(s))).toBe(false);
  });
});
