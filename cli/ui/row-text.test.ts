import { describe, expect, it } from 'vitest';
import { clipLine, paint, printable, rowLine, titleLine } from './row-text.js';
import { makeRow } from './testing/fake-feed.js';
import { displayWidth, layoutColumns } from './watch-model.js';

const NOW = Date.parse('2026-11-22T10:00:00Z');
const COLUMNS = layoutColumns(119);
// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('a row as a terminal line', () => {
  it('lines the cells up under the column titles', () => {
    const line = rowLine(makeRow({}, NOW), COLUMNS, NOW, false, false);
    const title = titleLine(COLUMNS);
    expect(line).toMatch(/^ AAAAaaaa Ada Lovelace\s+recording 5:00\s+15:00\s+yes\s+yes\s+1m ago used -> recording$/);
    expect(line.indexOf('recording')).toBe(title.indexOf('STATUS'));
    expect(line.indexOf('15:00')).toBe(title.indexOf('LEFT'));
    expect(line.indexOf('1m ago')).toBe(title.indexOf('LAST EVENT'));
    expect(displayWidth(line)).toBeLessThanOrEqual(120);
  });

  it('colours the status, overtime, absent participants and the last event; inverts the selected row', () => {
    const row = makeRow({ usedAt: new Date(NOW - 21 * 60_000), presence: { candidate: true, agent: false } }, NOW);
    const line = rowLine(row, COLUMNS, NOW, true, false);
    expect(line).toContain('\x1b[32mrecording\x1b[39m');
    expect(line).toContain('\x1b[31m-1:00\x1b[39m');
    expect(line).toContain('\x1b[33mno\x1b[39m');
    expect(line).toMatch(/\x1b\[2m1m ago used -> recording\x1b\[22m$/);
    const selected = rowLine(row, COLUMNS, NOW, true, true);
    expect(selected.startsWith('\x1b[7m>AAAAaaaa')).toBe(true);
    expect(selected.endsWith('\x1b[27m')).toBe(true);
    // The same text either way, and none of the codes with colours off.
    expect(plain(selected)).toBe(rowLine(row, COLUMNS, NOW, false, true));
    expect(rowLine(row, COLUMNS, NOW, false, true)).not.toContain('\x1b');
  });

  it('never passes control characters from the data to the terminal', () => {
    const row = makeRow({ candidate: 'Eve\x1b[2J\x1b]0;owned\x07 Evil\nName' }, NOW);
    const line = rowLine(row, COLUMNS, NOW, false, false);
    expect(line).not.toMatch(/[\x00-\x1f]/);
    expect(line).toContain('Eve [2J ]0;owne…');
    expect(printable('ok\u009b31m')).toBe('ok 31m');
  });

  it('paints nothing for empty text or without colour', () => {
    expect(paint('', 'red', true)).toBe('');
    expect(paint('x', 'red', false)).toBe('x');
    expect(paint('x', 'inverse', true)).toBe('\x1b[7mx\x1b[27m');
  });

  it('cuts a line to a narrow terminal, keeping its styles and closing them', () => {
    const row = makeRow({ candidate: '山田 Taro' }, NOW);
    const narrow = layoutColumns(59);
    const line = rowLine(row, narrow, NOW, true, true);
    expect(displayWidth(plain(line))).toBeGreaterThan(60);
    const cut = clipLine(line, 60);
    expect(displayWidth(plain(cut))).toBeLessThanOrEqual(60);
    expect(plain(line).startsWith(plain(cut))).toBe(true);
    expect(cut.startsWith('\x1b[7m>AAAAaaaa 山田 Taro')).toBe(true);
    expect(cut.endsWith('\x1b[0m')).toBe(true);
    // A wide character that would straddle the edge is left out whole.
    expect(clipLine('ab山', 3)).toBe('ab');
    expect(clipLine('short', 60)).toBe('short');
  });
});
