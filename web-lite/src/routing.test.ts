import { describe, expect, it } from 'vitest';
import { interviewIdFromPath, landingFor, outcomeForApiError, outcomeForStatus } from './routing';

describe('interviewIdFromPath', () => {
  it('takes the last path segment', () => {
    expect(interviewIdFromPath('/interview/Ab3_x-9')).toBe('Ab3_x-9');
    expect(interviewIdFromPath('/interview/Ab3_x-9/')).toBe('Ab3_x-9');
  });

  it('rejects what cannot be an id', () => {
    expect(interviewIdFromPath('/')).toBeNull();
    expect(interviewIdFromPath('/interview/..%2f..%2fetc%2fpasswd')).toBeNull();
    expect(interviewIdFromPath('/interview/%E0%A4%A')).toBeNull();
  });
});

describe('landingFor', () => {
  it('opens the preflight for a fresh link', () => {
    expect(landingFor('created', false)).toBe('preflight');
  });

  it('rejoins a live interview only with a resumeKey (a reload must not end it)', () => {
    expect(landingFor('used', true)).toBe('rejoin');
    expect(landingFor('recording', true)).toBe('rejoin');
    expect(landingFor('used', false)).toBe('already_used');
    expect(landingFor('recording', false)).toBe('already_used');
  });

  it('thanks the candidate whose interview ended and tells anyone else it ended', () => {
    expect(landingFor('ending', true)).toBe('done');
    expect(landingFor('completed', true)).toBe('done');
    expect(landingFor('completed', false)).toBe('ended');
    expect(landingFor('failed', true)).toBe('ended');
  });

  it('explains expired and revoked links', () => {
    expect(landingFor('expired', false)).toBe('expired');
    expect(landingFor('revoked', true)).toBe('revoked');
  });
});

describe('outcomes during the call', () => {
  it('keeps rejoining while the interview is live', () => {
    expect(outcomeForStatus('used')).toBe('live');
    expect(outcomeForStatus('recording')).toBe('live');
    expect(outcomeForStatus('ending')).toBe('done');
    expect(outcomeForStatus('revoked')).toBe('revoked');
  });

  it('maps API errors', () => {
    expect(outcomeForApiError({ status: 404, code: 'not_found' }, false)).toBe('not_found');
    expect(outcomeForApiError({ status: 409, code: 'already_used' }, true)).toBe('already_used');
    expect(outcomeForApiError({ status: 410, code: 'expired' }, false)).toBe('expired');
    expect(outcomeForApiError({ status: 410, code: 'ended' }, false)).toBe('ended');
    expect(outcomeForApiError({ status: 410, code: 'ended' }, true)).toBe('done');
    expect(outcomeForApiError({ status: 429, code: 'rate_limited' }, true)).toBe('live');
    // The server serves a newer page (its disclosure changed): reload, in or out of the call.
    expect(outcomeForApiError({ status: 409, code: 'disclosure_outdated' }, false)).toBe('reload');
    expect(outcomeForApiError({ status: 409, code: 'disclosure_outdated' }, true)).toBe('reload');
  });
});
