import { describe, expect, it } from 'vitest';
import { evaluatedData, hookBody, hookUrlProblem, nextAttempt, parseEventList, retryDelayMs, reviewedData, verdictOf } from './hook-events.js';

describe('hook events', () => {
  it('reads event lists, refusing unknown names', () => {
    expect(parseEventList(undefined)).toBeUndefined();
    expect(parseEventList('*')).toBeUndefined();
    expect(parseEventList('interview.completed, interview.failed,interview.completed')).toEqual(['interview.completed', 'interview.failed']);
    expect(() => parseEventList('interview.completed,interview.done')).toThrow(/"interview.done"/);
  });

  it('accepts http(s) URLs only, without credentials', () => {
    expect(hookUrlProblem('https://ats.example.com/hooks')).toBeUndefined();
    expect(hookUrlProblem('ftp://x.example.com/')).toMatch(/ftp:\/\/ is not supported/);
    expect(hookUrlProblem('https://u:p@x.example.com/')).toMatch(/credentials/);
    expect(hookUrlProblem('x.example.com')).toMatch(/not a URL/);
  });

  it('backs off exponentially with jitter, capped at an hour', () => {
    expect(retryDelayMs(1, 5000, () => 0)).toBe(2500);
    expect(retryDelayMs(1, 5000, () => 1)).toBe(5000);
    expect(retryDelayMs(3, 5000, () => 1)).toBe(20_000);
    expect(retryDelayMs(40, 5000, () => 1)).toBe(3_600_000);
    const spread = new Set(Array.from({ length: 20 }, () => retryDelayMs(4, 5000)));
    expect(spread.size).toBeGreaterThan(1);
  });

  it('gives up once the next try would fall past the 24 h window', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(nextAttempt(1, now, new Date(now.getTime() + 86_400_000), 5000, () => 1)).toEqual(new Date(now.getTime() + 5000));
    expect(nextAttempt(20, now, new Date(now.getTime() + 60_000), 5000)).toBe('give_up');
  });

  it('2xx is delivered, 410 disables, anything else (3xx, 4xx, 5xx, no answer) is retried', () => {
    expect([200, 204, 299].map(verdictOf)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(verdictOf(410)).toBe('endpoint_gone');
    expect([301, 400, 404, 500, 503, null].map(verdictOf)).toEqual(Array(6).fill('retry'));
  });

  it('builds bodies and payloads without more than the event needs', () => {
    const body = hookBody({ id: 'evt_1', type: 'ping', createdAt: new Date(0), data: { a: 1 } });
    expect(body).toEqual({ id: 'evt_1', type: 'ping', version: 1, created_at: '1970-01-01T00:00:00.000Z', data: { a: 1 } });
    const ev = evaluatedData({ interviewId: 'i', ref: 'R', evaluatedAt: new Date(0), model: 'm', recommendation: 'hold', scores: [
      { question: 1, competency: 'a', score: 4, scale: [1, 5] }, { question: 2, competency: 'b', score: 3, scale: [1, 5] }, { question: 3, competency: null, score: null, scale: [1, 5], unsupported: true },
    ] });
    expect(ev).toMatchObject({ overall: 3.5, recommendation: 'hold', recommendation_advisory: true });
    expect(reviewedData({ interviewId: 'i', ref: null, reviewedAt: new Date(0), decision: 'advance', reviewer: 'sam', overriddenQuestions: [3, 1] }).overridden_questions).toEqual([1, 3]);
  });
});
