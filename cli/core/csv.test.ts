import { describe, expect, it } from 'vitest';
import { CsvParser, csvField, parseCsv, type CsvRecord } from './csv.js';

/** Feeds `parts` one after another to a fresh parser, as a stream would. */
function parseChunks(parts: string[]): CsvRecord[] {
  const parser = new CsvParser();
  const out: CsvRecord[] = [];
  for (const p of parts) out.push(...parser.push(p));
  out.push(...parser.end());
  return out;
}

const rows = (records: CsvRecord[]) => records.map((r) => r.fields);

// Every awkward thing at once: BOM, CRLF and LF mixed, quoted commas, doubled quotes, line breaks
// (CRLF and LF) inside quotes, empty lines, an empty quoted field, a trailing empty field, and a
// Japanese and an emoji name (surrogate pairs that a split may cut in two).
const TRICKY =
  '\uFEFFname,email,ref\r\n' +
  '"Lovelace, Ada",ada@example.com,A-1\r\n' +
  '\r\n' +
  '"Say ""hi""",,"two\r\nlines"\n' +
  '\n' +
  '山田 太郎,taro@example.jp,"multi\nline\nref"\r\n' +
  '"",x@example.com,\n' +
  '🦊 Fox,,last\r\n';

const TRICKY_RECORDS: CsvRecord[] = [
  { line: 1, fields: ['name', 'email', 'ref'] },
  { line: 2, fields: ['Lovelace, Ada', 'ada@example.com', 'A-1'] },
  { line: 4, fields: ['Say "hi"', '', 'two\r\nlines'] },
  { line: 7, fields: ['山田 太郎', 'taro@example.jp', 'multi\nline\nref'] },
  { line: 10, fields: ['', 'x@example.com', ''] },
  { line: 11, fields: ['🦊 Fox', '', 'last'] },
];

describe('parseCsv', () => {
  it('reads plain records with the line each starts on', () => {
    expect(parseCsv('name,email\nAda,ada@example.com\nBob,bob@example.com')).toEqual([
      { line: 1, fields: ['name', 'email'] },
      { line: 2, fields: ['Ada', 'ada@example.com'] },
      { line: 3, fields: ['Bob', 'bob@example.com'] },
    ]);
  });

  it('handles quoted commas, doubled quotes, line breaks in quotes, BOM, CRLF and empty lines', () => {
    expect(parseCsv(TRICKY)).toEqual(TRICKY_RECORDS);
  });

  it('drops a leading BOM only, so the first header reads "name"', () => {
    expect(parseCsv('\uFEFFname\nAda\n')[0]!.fields).toEqual(['name']);
    expect(parseCsv('\uFEFF"name"\nAda\n')).toEqual([
      { line: 1, fields: ['name'] },
      { line: 2, fields: ['Ada'] },
    ]);
  });

  it('treats CRLF, LF and a lone CR as record ends, and counts lines for each', () => {
    expect(parseCsv('a\r\nb\nc\rd')).toEqual([
      { line: 1, fields: ['a'] },
      { line: 2, fields: ['b'] },
      { line: 3, fields: ['c'] },
      { line: 4, fields: ['d'] },
    ]);
  });

  it('skips empty lines anywhere but keeps counting them', () => {
    expect(parseCsv('\n\r\nname\n\n\nAda\r\n\r\n')).toEqual([
      { line: 3, fields: ['name'] },
      { line: 6, fields: ['Ada'] },
    ]);
    expect(parseCsv('')).toEqual([]);
    expect(parseCsv('\r\n\n')).toEqual([]);
  });

  it('keeps a line holding only "" or a comma as a record (it is not empty)', () => {
    expect(parseCsv('""\n,\n')).toEqual([
      { line: 1, fields: [''] },
      { line: 2, fields: ['', ''] },
    ]);
  });

  it('keeps spaces around unquoted values (trimming is the reader’s choice)', () => {
    expect(parseCsv(' a , b ')[0]!.fields).toEqual([' a ', ' b ']);
  });

  it('reports a quote inside an unquoted field on that record only, with its line', () => {
    const out = parseCsv('name,ref\nA"da,1\nBob,2\n');
    expect(out[1]).toMatchObject({ line: 2, error: expect.stringContaining('quote inside an unquoted field') });
    expect(out[2]).toEqual({ line: 3, fields: ['Bob', '2'] });
  });

  it('reports text after a closing quote', () => {
    const out = parseCsv('name,ref\n"Ada"x,1\nBob,2\n');
    expect(out[1]).toMatchObject({ line: 2, error: expect.stringContaining('text after a closing quote') });
    expect(out[2]).toEqual({ line: 3, fields: ['Bob', '2'] });
  });

  it('reports a quote that is never closed at the line where its record starts', () => {
    const out = parseCsv('name,ref\nAda,1\n"Bob,2\nCarol,3\n');
    expect(out).toHaveLength(3);
    expect(out[1]).toEqual({ line: 2, fields: ['Ada', '1'] });
    expect(out[2]).toMatchObject({ line: 3, error: 'a quoted field is never closed' });
  });

  it('counts line breaks inside a malformed record so later lines stay right', () => {
    const out = parseCsv('name\n"a\nb"c\nDan\n');
    expect(out[1]).toMatchObject({ line: 2, error: expect.stringContaining('after a closing quote') });
    expect(out[2]).toEqual({ line: 4, fields: ['Dan'] });
  });
});

describe('CsvParser chunking', () => {
  const texts: Record<string, string> = {
    tricky: TRICKY,
    malformed: 'name,ref\r\n"Ada"x,1\r\nB"ob,2\r\n"Carol\r\nSmith",3\r\n"unclosed,4\r\n',
    'quotes at edges': '"""",""""""\n"a""",b\n',
    'no trailing newline': 'name\r\n"x\r\ny"',
    'lone CR': 'a\rb\r"c\rd"\re',
  };

  for (const [label, text] of Object.entries(texts)) {
    it(`gives the same records for any split into two chunks (${label})`, () => {
      const whole = parseCsv(text);
      for (let k = 0; k <= text.length; k++) {
        expect(parseChunks([text.slice(0, k), text.slice(k)]), `split at ${k}`).toEqual(whole);
      }
    });

    it(`gives the same records for any split into three chunks (${label})`, () => {
      const whole = parseCsv(text);
      for (let a = 0; a <= text.length; a++) {
        for (let b = a; b <= text.length; b++) {
          const got = parseChunks([text.slice(0, a), text.slice(a, b), text.slice(b)]);
          if (JSON.stringify(got) !== JSON.stringify(whole)) expect(got, `split at ${a}, ${b}`).toEqual(whole);
        }
      }
    });

    it(`gives the same records fed one character at a time (${label})`, () => {
      expect(parseChunks([...text.split('')])).toEqual(parseCsv(text));
    });
  }

  it('still drops the BOM when the first chunk is empty (a decoder holding a partial BOM)', () => {
    expect(parseChunks(['', '\uFEFFname\n', 'Ada\n'])).toEqual([
      { line: 1, fields: ['name'] },
      { line: 2, fields: ['Ada'] },
    ]);
  });
});

describe('csvField', () => {
  it('quotes only values that need it, and round-trips through the parser', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    const values = ['plain', 'a,b', 'say "hi"', 'two\r\nlines', 'lf\nonly', '', '山田', '<b>&amp;</b>'];
    const line = values.map(csvField).join(',');
    expect(parseCsv(`${line}\n`)).toEqual([{ line: 1, fields: values }]);
  });
});
