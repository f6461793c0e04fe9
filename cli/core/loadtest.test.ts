import { describe, expect, it } from 'vitest';
import { candidateProcesses, formatGenerator, formatInterviewTable, formatPercentiles, generatorFigures, isLocalUrl, percentiles, secs, summarize, type LoadtestInterview } from './loadtest.js';

const row = (over: Partial<LoadtestInterview> = {}): LoadtestInterview => ({
  id: 'x',
  ref: 'loadtest-1',
  joinMs: 40,
  firstAudioMs: 900,
  gapsMs: [600, 700],
  status: 'completed',
  endReason: 'timer',
  recordingBytes: 1000,
  error: null,
  ...over,
});

describe('loadtest figures', () => {
  it('takes nearest-rank percentiles of what was measured, skipping what was not', () => {
    expect(percentiles([5, 1, 3, NaN, 2, 4])).toEqual({ n: 5, p50: 3, p90: 5, p99: 5, max: 5 });
    expect(percentiles([])).toEqual({ n: 0, p50: null, p90: null, p99: null, max: null });
  });

  it('holds only when every interview was recorded and both p50 targets were met', () => {
    expect(summarize([row(), row()]).held).toBe(true);
    expect(summarize([row(), row({ firstAudioMs: 4000 }), row({ firstAudioMs: 4000 })]).held).toBe(false);
    const lost = summarize([row(), row({ status: 'failed', recordingBytes: null })]);
    expect(lost).toMatchObject({ candidates: 2, completed: 1, recorded: 1, failed: 1, held: false });
    expect(summarize([row({ error: 'join answered 503' })]).failed).toBe(1);
  });

  it('tells a local LiveKit from a remote one', () => {
    expect(isLocalUrl('ws://127.0.0.1:7880')).toBe(true);
    expect(isLocalUrl('ws://localhost:7880')).toBe(true);
    expect(isLocalUrl('ws://[::1]:7880')).toBe(true);
    expect(isLocalUrl('wss://my-project.livekit.cloud')).toBe(false);
    expect(isLocalUrl('ws://10.0.0.5:7880')).toBe(false);
    expect(isLocalUrl('not a url')).toBe(false);
  });

  it('prints seconds, or a dash when unknown', () => {
    expect(secs(1234)).toBe('1.23 s');
    expect(secs(null)).toBe('-');
    expect(secs(NaN)).toBe('-');
  });

  it('prints a table an operator can read, with hostile problem text defused', () => {
    const text = formatInterviewTable([row(), row({ ref: 'loadtest-2', status: 'failed', recordingBytes: null, joinMs: NaN, firstAudioMs: NaN, gapsMs: [], error: 'join answered 503 \u001b[31mred\u001b[0m\nnext' })]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^interview\s+join\s+first audio\s+gap p50\s+status\s+recording\s+problem$/);
    expect(lines[1]).toMatch(/^loadtest-1\s+0\.04 s\s+0\.90 s\s+0\.60 s\s+completed\s+0\.0 MB$/);
    expect(lines[2]).toMatch(/^loadtest-2\s+-\s+-\s+-\s+failed\s+-\s+join answered 503 \?\[31mred\?\[0m\?next$/);
    expect(lines).toHaveLength(3);
    expect(formatPercentiles('gap', percentiles([600, 700]), 1000)).toBe('gap          p50 0.60 s  p90 0.70 s  p99 0.70 s  max 0.70 s  (n=2)  target p50 ≤ 1.00 s');
  });

  it('spreads candidates over processes, and says when the generator itself was behind', () => {
    expect([1, 4, 5, 12, 50].map((n) => candidateProcesses(n, 4))).toEqual([1, 1, 2, 3, 13]);
    // A full machine's p99 alone is not the generator falling behind; its median is.
    const calm = generatorFigures([{ cpuMs: 30_000, loopDelay: { p50Ms: 2, p99Ms: 180, maxMs: 480 } }, { cpuMs: 30_000, loopDelay: { p50Ms: 4, p99Ms: 35, maxMs: 140 } }], 60_000);
    expect(calm).toEqual({ processes: 2, cpuCores: 1, loopDelayP50Ms: 4, loopDelayP99Ms: 180, loopDelayMaxMs: 480, behind: false });
    expect(formatGenerator(calm)).toBe('generator    2 candidate processes, 1.00 cores, event loop late p50 4 ms, p99 180 ms (max 480 ms)');
    const late = generatorFigures([{ cpuMs: 50_000, loopDelay: { p50Ms: 90, p99Ms: 1580, maxMs: 2470 } }], 60_000);
    expect(late.behind).toBe(true);
    expect(formatGenerator(late)).toMatch(/behind: these figures include the generator's own delay/);
  });
});

