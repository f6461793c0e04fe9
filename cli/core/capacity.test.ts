import { describe, expect, it } from 'vitest';
import { defaultIdleProcesses, defaultMaxInterviews, FULL_LOAD, hasRoomFor, IDLE_PROCESS_BYTES, interviewLoad } from './capacity.js';

describe('an agent worker’s capacity', () => {
  it('defaults to the measured interviews per core, at least one', () => {
    expect(defaultMaxInterviews(2)).toBe(2);
    expect(defaultMaxInterviews(8)).toBe(8);
    expect(defaultMaxInterviews(1)).toBe(1);
    expect(defaultMaxInterviews(0)).toBe(1);
  });

  it('reports full exactly when its interviews reach the maximum', () => {
    expect(interviewLoad(0, 3)).toBe(0);
    expect(interviewLoad(2, 3)).toBeLessThan(FULL_LOAD);
    expect(interviewLoad(3, 3)).toBeGreaterThanOrEqual(FULL_LOAD);
    expect(interviewLoad(5, 3)).toBe(1);
  });

  it('refuses an offer once running and accepted interviews fill it', () => {
    expect(hasRoomFor(1, 2)).toBe(true);
    expect(hasRoomFor(2, 2)).toBe(false);
  });
});

describe('warm job processes by default', () => {
  const GiB = 1024 ** 3;
  it('keeps one per interview the worker takes, so interviews that start together do not wait for one', () => {
    expect(defaultIdleProcesses(2, 24 * GiB)).toBe(2);
    expect(defaultIdleProcesses(6, 24 * GiB)).toBe(6);
  });
  it('keeps no more than a quarter of the memory holds, at least one, at most 16', () => {
    expect(defaultIdleProcesses(8, 4 * GiB)).toBe(Math.floor(GiB / IDLE_PROCESS_BYTES));
    expect(defaultIdleProcesses(8, 512 * 1024 ** 2)).toBe(1);
    expect(defaultIdleProcesses(100, 256 * GiB)).toBe(16);
  });
});
