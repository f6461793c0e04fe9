import { describe, expect, it } from 'vitest';
import { formatClock, formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['20m', 1_200_000],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
    ['2w', 1_209_600_000],
    ['250ms', 250],
    ['1h30m', 5_400_000],
    ['1d12h', 129_600_000],
    ['1.5h', 5_400_000],
    ['0.5m', 30_000],
    ['1200', 1_200_000],
    ['0', 0],
    [' 20m ', 1_200_000],
    ['20M', 1_200_000],
    ['1H30M', 5_400_000],
  ])('%j is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '   ', 'm', '20 m', '20min', '20 minutes', '1y', '-5m', '+5m', '1e3', '1,5h', '1h 30m', '1.h', '.5h', 'h1', '20m!', 'PT20M', 'NaN', 'Infinity', '1h-30m'])(
    '%j is not a duration',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [250, '250ms'],
    [1000, '1s'],
    [45_000, '45s'],
    [60_000, '1m'],
    [90_000, '1m30s'],
    [1_200_000, '20m'],
    [3_600_000, '1h'],
    [5_400_000, '1h30m'],
    [604_800_000, '7d'],
    [90_061_000, '1d1h1m1s'],
    [-90_000, '-1m30s'],
  ])('%d ms is %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('rounds to whole seconds from one second up', () => {
    expect(formatDuration(1_499)).toBe('1s');
    expect(formatDuration(59_600)).toBe('1m');
  });

  it('round-trips through parseDuration for whole seconds', () => {
    for (const ms of [1000, 59_000, 61_000, 3_599_000, 3_601_000, 86_399_000, 90_061_000, 31_536_000_000]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });
});

describe('formatClock', () => {
  it.each([
    [0, '0:00'],
    [5_000, '0:05'],
    [245_000, '4:05'],
    [3_723_000, '1:02:03'],
    [59_999, '0:59'],
    [-65_000, '-1:05'],
  ])('%d ms is %j', (ms, text) => {
    expect(formatClock(ms)).toBe(text);
  });
});
