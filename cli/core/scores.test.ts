import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { neutraliseCell, toCsv } from './scores.js';

describe('CSV for spreadsheets', () => {
  it('neutralises cells a spreadsheet would run as formulas, and keeps numbers', () => {
    for (const bad of ['=1+1', '+1', '-2', '@SUM(A1)', '\tx', '\rx']) expect(neutraliseCell(bad)).toBe(`'${bad}`);
    expect(neutraliseCell('Ada')).toBe('Ada');
    const csv = toCsv(['a', 'b', 'c'], [['=HYPERLINK("http://x","y")', -1, 'line\nbreak, "quoted"']]);
    expect(parse(csv)).toEqual([['a', 'b', 'c'], [`'=HYPERLINK("http://x","y")`, '-1', 'line\nbreak, "quoted"']]);
    expect(csv.endsWith('\r\n')).toBe(true);
  });
});
