import { describe, expect, it } from 'vitest';
import { crossedMark, formatRemaining } from './countdown';
import { levelFromRms } from './mic-meter';

describe('formatRemaining', () => {
  it('shows m:ss under an hour and h:mm:ss above', () => {
    expect(formatRemaining(20 * 60_000)).toBe('20:00');
    expect(formatRemaining(61_000)).toBe('1:01');
    expect(formatRemaining(9_500)).toBe('0:10');
    expect(formatRemaining(3_600_000 + 5 * 60_000 + 7_000)).toBe('1:05:07');
  });

  it('never goes negative', () => {
    expect(formatRemaining(0)).toBe('0:00');
    expect(formatRemaining(-42_000)).toBe('0:00');
  });
});

describe('crossedMark', () => {
  it('announces five minutes and one minute once, when crossed', () => {
    expect(crossedMark(300_400, 299_400)).toBe(5);
    expect(crossedMark(299_400, 298_400)).toBeNull();
    expect(crossedMark(60_200, 59_200)).toBe(1);
    expect(crossedMark(Number.POSITIVE_INFINITY, 120_000)).toBe(5);
  });
});

describe('levelFromRms', () => {
  it('maps -60 dBFS..0 dBFS to 0..1', () => {
    expect(levelFromRms(0)).toBe(0);
    expect(levelFromRms(1)).toBe(1);
    expect(levelFromRms(0.001)).toBeCloseTo(0, 5);
    expect(levelFromRms(0.0316)).toBeCloseTo(0.5, 1);
    expect(levelFromRms(Number.NaN)).toBe(0);
  });
});
