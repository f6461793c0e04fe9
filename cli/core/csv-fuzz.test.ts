import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../test/bench/lib.mjs';
import { CsvParser, parseCsv, type CsvRecord } from './csv.js';

/**
 * The hand-written parser (5-13x faster than csv-parse on batch files, cli/core/csv.ts) against
 * csv-parse on random documents made of the characters that matter to CSV. csv-parse is set up
 * for what ours promises: RFC 4180 quoting, CRLF, LF or a lone CR, a leading BOM, empty lines
 * skipped, rows of any length. Where csv-parse rejects a document (it stops at its first error),
 * ours must flag a record as malformed and agree on every record before it.
 *
 * One difference is csv-parse's, and corrected for here: inside a quoted field it counts the CR
 * and the LF of a CRLF as two lines (between records, as one), so its line numbers run ahead by
 * one after every quoted CRLF. Ours counts a CRLF as one line everywhere, which is what an editor
 * shows.
 */

const CSV_PARSE = { bom: true, relax_column_count: true, skip_empty_lines: true, record_delimiter: ['\r\n', '\n', '\r'], info: true } as const;

type Reference = { ok: true; records: { line: number; fields: string[] }[] } | { ok: false; before: { line: number; fields: string[] }[] };

const count = (s: string, re: RegExp) => s.match(re)?.length ?? 0;

/** csv-parse's records with the line each starts on, counted as ours counts (see above). */
function startLines() {
  let extra = 0;
  return (r: { record: string[]; info: { lines: number } }) => {
    extra += r.record.reduce((n, f) => n + count(f, /\r\n/g), 0);
    // csv-parse gives the line a record ends on; ours the line it starts on.
    const end = r.info.lines - extra;
    return { line: end - r.record.reduce((n, f) => n + count(f, /\r\n|\r|\n/g), 0), fields: r.record };
  };
}

function reference(text: string): Reference {
  // on_record sees each record as it is made, so the records before an error are kept too.
  const records: { line: number; fields: string[] }[] = [];
  const toStart = startLines();
  const on_record = (r: { record: string[]; info: { lines: number } }) => {
    records.push(toStart(r));
    return r;
  };
  try {
    parse(text, { ...CSV_PARSE, on_record });
    return { ok: true, records };
  } catch {
    return { ok: false, before: records };
  }
}

// Weighted: the structural characters often, so quotes meet commas and line ends in every way.
const ALPHABET = ['a', 'b', ' ', 'é', '山', ',', ',', '"', '"', '"', '\n', '\n', '\r', '\r\n'];

function randomDoc(next: () => number): string {
  const length = Math.floor(next() * 24);
  let s = next() < 0.1 ? '\ufeff' : '';
  for (let i = 0; i < length; i++) s += ALPHABET[Math.floor(next() * ALPHABET.length)]!;
  return s;
}

const shape = (records: CsvRecord[]) => records.map((r) => ({ line: r.line, fields: r.fields }));

function chunked(text: string, next: () => number): CsvRecord[] {
  const parser = new CsvParser();
  const out: CsvRecord[] = [];
  let i = 0;
  while (i < text.length) {
    const n = 1 + Math.floor(next() * 5);
    out.push(...parser.push(text.slice(i, i + n)));
    i += n;
  }
  return [...out, ...parser.end()];
}

// A fraction of a second here; a shared 2-core machine under load has taken 60 times that.
const SLOW_MACHINE_MS = 120_000;

describe('CsvParser against csv-parse (differential fuzz)', () => {
  const DOCS = 4000;

  it(`agrees on ${DOCS} random documents: the same records and lines, and an error where csv-parse has one`, () => {
    const next = mulberry32(20261201);
    let rejected = 0;
    for (let n = 0; n < DOCS; n++) {
      const text = randomDoc(next);
      const ours = parseCsv(text);
      const ref = reference(text);
      const where = `document ${n}: ${JSON.stringify(text)}`;
      if (ref.ok) {
        expect(ours.filter((r) => r.error), where).toEqual([]);
        expect(shape(ours), where).toEqual(ref.records);
      } else {
        rejected++;
        const firstBad = ours.findIndex((r) => r.error);
        expect(firstBad, where).toBeGreaterThanOrEqual(0);
        expect(shape(ours.slice(0, firstBad)), where).toEqual(ref.before.slice(0, firstBad));
      }
    }
    // The generator makes both kinds often enough for the comparison to mean something.
    expect(rejected).toBeGreaterThan(DOCS / 10);
    expect(rejected).toBeLessThan(DOCS * 0.9);
  }, SLOW_MACHINE_MS);

  it('gives the same records fed in random chunks as in one piece', () => {
    const next = mulberry32(7);
    for (let n = 0; n < 1000; n++) {
      const text = randomDoc(next);
      expect(chunked(text, next), JSON.stringify(text)).toEqual(parseCsv(text));
    }
  }, SLOW_MACHINE_MS);
});
