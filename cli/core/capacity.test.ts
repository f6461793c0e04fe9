import { describe, expect, it } from 'vitest';
import { defaultIdleProcesses, defaultMaxInterviews, FULL_LOAD, hasRoomFor, IDLE_PROCESS_BYTES, interviewLoad, LIVEKIT_TARGET_LOAD, mayStartWarmProcess } from './capacity.js';

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
    expect(interviewLoad(5, 3)).toBe(FULL_LOAD);
  });

  it('stays below LiveKit’s target load while it has room, so the node still routes a job to it', () => {
    // livekit-server offers a job only while target_load - load > 0 on some worker.
    for (const max of [1, 2, 4, 6, 12, 14, 64]) {
      for (let running = 0; running < max; running++) expect(LIVEKIT_TARGET_LOAD - interviewLoad(running, max)).toBeGreaterThan(0);
      expect(LIVEKIT_TARGET_LOAD - interviewLoad(max, max)).toBeLessThanOrEqual(0);
    }
    // float32 on the wire: the last free slot of a large worker still rounds below the target.
    expect(Math.fround(LIVEKIT_TARGET_LOAD) - Math.fround(interviewLoad(63, 64))).toBeGreaterThan(0);
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

describe('starting warm job processes', () => {
  it('starts them up to capacity, and holds a replacement back while the worker is full', () => {
    // Start-up of a worker for 2 interviews: two warm processes, not a third.
    expect([0, 1, 2].map((warm) => mayStartWarmProcess(0, warm, 2))).toEqual([true, true, false]);
    // 6 of 8 interviews running, 2 warm: every job the worker may still accept has a process.
    expect(mayStartWarmProcess(6, 2, 8)).toBe(false);
    // One interview ended: a replacement starts.
    expect(mayStartWarmProcess(5, 2, 8)).toBe(true);
    expect(mayStartWarmProcess(8, 0, 8)).toBe(false);
  });
});
