import { describe, expect, it } from 'vitest';
import { makeRow } from './testing/fake-feed.js';
import {
  agoText,
  bytesText,
  cellsOf,
  displayWidth,
  eventText,
  fit,
  layoutColumns,
  matchesFilter,
  nextSort,
  scrollWindow,
  sortRows,
  visibleRows,
} from './watch-model.js';

const NOW = Date.parse('2026-11-22T10:00:00Z');

describe('cells of a row', () => {
  it('shows elapsed and time left of a live interview from its first join and duration', () => {
    const cells = cellsOf(makeRow({}, NOW), NOW);
    expect(cells).toMatchObject({ id: 'AAAAaaaa', status: 'recording', elapsed: '5:00', remaining: '15:00', cand: 'yes', agent: 'yes', rec: '' });
  });

  it('shows overtime as negative time left, and "?" when presence is unknown', () => {
    const row = makeRow({ usedAt: new Date(NOW - 21 * 60_000), presence: { candidate: null, agent: false } }, NOW);
    expect(cellsOf(row, NOW)).toMatchObject({ remaining: '-1:00', cand: '?', agent: 'no' });
  });

  it('freezes elapsed at the end and leaves live-only cells empty for finished interviews', () => {
    const row = makeRow({ status: 'completed', endedAt: new Date(NOW - 60_000), presence: { candidate: null, agent: null } }, NOW);
    expect(cellsOf(row, NOW)).toMatchObject({ elapsed: '4:00', remaining: '-', cand: '', agent: '' });
  });

  it('shows a completed interview as "to review" until a person reviews it', () => {
    const at = new Date(NOW - 1000);
    const evaluated = makeRow({ status: 'completed', lastEvent: { seq: 9, at, from: 'completed', to: 'completed', actor: 'evaluator', reason: 'evaluated' } }, NOW);
    expect(cellsOf(evaluated, NOW).status).toBe('to review');
    expect(matchesFilter(evaluated, 'review')).toBe(true);
    const reviewed = makeRow({ status: 'completed', lastEvent: { seq: 10, at, from: 'completed', to: 'completed', actor: 'reviewer:Grace', reason: 'reviewed: hold' } }, NOW);
    expect(cellsOf(reviewed, NOW).status).toBe('completed');
    expect(matchesFilter(reviewed, 'review')).toBe(false);
  });

  it('describes changes and notes', () => {
    expect(eventText({ from: 'used', to: 'recording', reason: null, actor: 'agent' })).toBe('used -> recording');
    expect(eventText({ from: 'recording', to: 'recording', reason: 'agent joined the room', actor: 'livekit' })).toBe('agent joined the room');
    expect(agoText(new Date(NOW - 125_000), NOW)).toBe('2m ago');
    expect(agoText(new Date(NOW - 300), NOW)).toBe('now');
  });

  it('formats recording sizes', () => {
    expect(bytesText(null)).toBe('');
    expect(bytesText(512)).toBe('512 B');
    expect(bytesText(5 * 1024 * 1024)).toBe('5.0 MiB');
    expect(bytesText(300 * 1024 * 1024)).toBe('300 MiB');
  });
});

describe('order and filter', () => {
  const a = makeRow({ id: 'aaaa' + '0'.repeat(18), candidate: 'Zoë', status: 'created', usedAt: null, lastEvent: null, createdAt: new Date(NOW - 10_000) }, NOW);
  const b = makeRow({ id: 'bbbb' + '0'.repeat(18), candidate: 'Ada', lastEvent: { seq: 9, at: new Date(NOW - 1000), from: 'used', to: 'recording', actor: 'agent', reason: null } }, NOW);
  const c = makeRow({ id: 'cccc' + '0'.repeat(18), candidate: '山田 太郎', status: 'used', usedAt: new Date(NOW - 19 * 60_000) }, NOW);

  it('sorts by latest change, status, time left, candidate and creation', () => {
    const ids = (key: Parameters<typeof sortRows>[1]) => sortRows([a, b, c], key).map((r) => r.id.slice(0, 4));
    expect(ids('activity')).toEqual(['bbbb', 'aaaa', 'cccc']);
    expect(ids('status')).toEqual(['bbbb', 'cccc', 'aaaa']);
    expect(ids('remaining')).toEqual(['cccc', 'bbbb', 'aaaa']);
    expect(ids('candidate')).toEqual(['bbbb', 'aaaa', 'cccc']);
    expect(nextSort('created')).toBe('activity');
  });

  it('filters by id prefix, candidate or exact status', () => {
    expect(matchesFilter(a, 'AAA')).toBe(true);
    expect(matchesFilter(c, '山田')).toBe(true);
    expect(visibleRows([a, b, c], 'used', 'activity').map((r) => r.id.slice(0, 4))).toEqual(['cccc']);
    expect(visibleRows([a, b, c], '  ', 'activity')).toHaveLength(3);
  });
});

describe('layout', () => {
  it('fits text to a column counting wide characters as two', () => {
    expect(displayWidth('山田 太郎')).toBe(9);
    expect(fit('山田 太郎', 6)).toBe('山田 …');
    expect(fit('山田太郎', 6)).toBe('山田… ');
    expect(displayWidth(fit('山田 太郎', 6))).toBe(6);
    expect(fit('Ada', 5)).toBe('Ada  ');
  });

  it('counts a combining accent as no column, so a decomposed "é" fits like a precomposed one', () => {
    const decomposed = 'Rene\u0301e';
    expect(displayWidth(decomposed)).toBe(5);
    expect(fit(decomposed, 8)).toBe(`${decomposed}   `);
    expect(displayWidth(fit(decomposed, 8))).toBe(displayWidth(fit('Ren\u00e9e', 8)));
    // Cut between graphemes: the accent stays on its letter.
    expect(fit('Rene\u0301e Noe\u0308l', 5)).toBe('Rene\u0301…');
  });

  it('gives the last-event column what the terminal has left', () => {
    const cols = layoutColumns(120);
    expect(cols.reduce((n, c) => n + c.width + 1, 0)).toBe(120);
    expect(layoutColumns(40).at(-1)!.width).toBe(10);
  });

  it('scrolls just enough to keep the selection in view', () => {
    expect(scrollWindow(10, 20, 5, 0)).toBe(0);
    expect(scrollWindow(100, 10, 15, 0)).toBe(6);
    expect(scrollWindow(100, 10, 3, 6)).toBe(3);
    expect(scrollWindow(100, 10, 8, 6)).toBe(6);
  });
});
