import { describe, expect, it } from 'vitest';
import { parseCsv, type CsvRecord } from './csv.js';
import { readHeader, readInviteRow, validateInvite, type CsvHeader, type InviteDefaults, type RowResult } from './invite-rows.js';

const DEFAULTS: InviteDefaults = { durationMs: 20 * 60_000, expiresInMs: 7 * 86_400_000, questionSet: 'default', lang: 'en' };

/** Reads a whole CSV text the way `create --from` does: header first, then each row. */
function readFile(text: string): { header: CsvHeader; rows: RowResult[] } {
  const [head, ...records] = parseCsv(text);
  const header = readHeader(head!);
  if ('error' in header) throw new Error(header.error);
  const seen = new Map<string, number>();
  return { header, rows: records.map((r) => readInviteRow(r, header, DEFAULTS, seen)) };
}

const ok = (r: RowResult) => {
  if (!r.ok) throw new Error(`expected an accepted row, got line ${r.line}: ${r.error}`);
  return r.input;
};
const err = (r: RowResult) => {
  if (r.ok) throw new Error(`expected a rejected row at line ${r.line}`);
  return r;
};

describe('validateInvite', () => {
  it('fills defaults for everything but the name', () => {
    expect(validateInvite({ name: 'Ada' }, DEFAULTS)).toEqual({
      ok: true,
      input: { name: 'Ada', email: null, ref: null, durationMs: 1_200_000, questionSet: 'default', lang: 'en', expiresInMs: 604_800_000 },
    });
  });

  it.each([
    ['20m', 1_200_000],
    ['1h', 3_600_000],
    ['90s', 90_000],
    ['1200', 1_200_000],
    ['60', 60_000],
    ['4h', 14_400_000],
    ['1h30m', 5_400_000],
  ])('accepts duration %j', (duration, ms) => {
    const r = validateInvite({ name: 'Ada', duration }, DEFAULTS);
    expect(r).toMatchObject({ ok: true, input: { durationMs: ms } });
  });

  it.each(['20 minutes', '20min', 'twenty', '1y', '-5m', '1e3', '20m30', 'PT20M'])('rejects duration %j naming the field', (duration) => {
    const r = validateInvite({ name: 'Ada', duration }, DEFAULTS);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toBe(`duration: ${JSON.stringify(duration)} is not a duration (use 20m, 1h, 90s or seconds)`);
  });

  it.each(['30s', '59', '0', '4h1s', '5h'])('rejects duration %j outside 1m to 4h', (duration) => {
    const r = validateInvite({ name: 'Ada', duration }, DEFAULTS);
    expect(r).toEqual({ ok: false, error: `duration: ${duration} is outside 1m to 4h` });
  });

  it('checks expires the same way, naming its own field', () => {
    expect(validateInvite({ name: 'Ada', expires: '48h' }, DEFAULTS)).toMatchObject({ ok: true, input: { expiresInMs: 172_800_000 } });
    expect(validateInvite({ name: 'Ada', expires: 'soon' }, DEFAULTS)).toEqual({ ok: false, error: 'expires: "soon" is not a duration (use 7d, 48h, 30m)' });
    expect(validateInvite({ name: 'Ada', expires: '30s' }, DEFAULTS)).toEqual({ ok: false, error: 'expires: 30s is outside 1m to 365d' });
    expect(validateInvite({ name: 'Ada', expires: '366d' }, DEFAULTS)).toEqual({ ok: false, error: 'expires: 366d is outside 1m to 365d' });
  });

  it('requires a name', () => {
    expect(validateInvite({}, DEFAULTS)).toEqual({ ok: false, error: 'name: required' });
    expect(validateInvite({ name: '   ' }, DEFAULTS)).toEqual({ ok: false, error: 'name: required' });
  });

  it('rejects a name with a line break or control character, and an overlong one', () => {
    expect(validateInvite({ name: 'Ada\nLovelace' }, DEFAULTS)).toMatchObject({ ok: false, error: expect.stringMatching(/^name: /) });
    expect(validateInvite({ name: 'Ada\u0007' }, DEFAULTS)).toMatchObject({ ok: false, error: expect.stringMatching(/^name: /) });
    expect(validateInvite({ name: 'x'.repeat(201) }, DEFAULTS)).toEqual({ ok: false, error: 'name: longer than 200 characters' });
    // 200 emoji are 400 UTF-16 units but 200 characters: allowed.
    expect(validateInvite({ name: '🦊'.repeat(200) }, DEFAULTS).ok).toBe(true);
  });

  it('rejects escape sequences, C1 controls and bidi overrides in name, email and ref, naming the field, not the value', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ name: 'Ada\u009b2J' }, /^name: contains a control character \(U\+009B/],
      [{ name: 'Ada \u202eecalevoL' }, /^name: contains a bidirectional formatting character \(U\+202E/],
      [{ name: 'Ada', ref: 'R-1\u001b]0;owned\u0007' }, /^ref: contains a control character \(U\+001B/],
      [{ name: 'Ada', ref: 'R-1\nfake row' }, /^ref: contains a line break/],
      [{ name: 'Ada', email: 'ada\u001b[2J@example.com' }, /^email: contains a control character/],
    ];
    for (const [fields, error] of cases) {
      const r = validateInvite(fields, DEFAULTS);
      expect(r).toMatchObject({ ok: false, error: expect.stringMatching(error) });
      expect((r as { error: string }).error).not.toContain('example.com');
    }
  });

  it('checks an email of 150 KB by its length at once, without echoing it', () => {
    const long = `${'a'.repeat(150_000)}@${'b.'.repeat(10)}`;
    expect(validateInvite({ name: 'Ada', email: long }, DEFAULTS)).toEqual({ ok: false, error: 'email: longer than 320 characters' });
    // Under the limit, the pattern is linear: a worst case for the old one is answered at once too.
    expect(validateInvite({ name: 'Ada', email: `a@${'b'.repeat(300)}` }, DEFAULTS).ok).toBe(false);
  });

  it('keeps Japanese, emoji, SQL-looking and HTML-looking names verbatim', () => {
    for (const name of ['山田 太郎', 'José Ñúñez', '🦊 Fox 🎉', "Robert'); DROP TABLE interviews;--", '<script>alert(1)</script>', '"; select 1; --', 'O\'Brien & <b>Sons</b>']) {
      expect(validateInvite({ name }, DEFAULTS)).toMatchObject({ ok: true, input: { name } });
    }
  });

  it('trims surrounding spaces from values', () => {
    expect(validateInvite({ name: '  Ada  ', ref: ' A-1 ', email: ' ada@example.com ' }, DEFAULTS)).toMatchObject({
      ok: true,
      input: { name: 'Ada', ref: 'A-1', email: 'ada@example.com' },
    });
  });

  it('checks email, lang, question set name and ref length', () => {
    expect(validateInvite({ name: 'Ada', email: 'not-an-email' }, DEFAULTS)).toEqual({ ok: false, error: 'email: not an email address (expected name@example.com)' });
    expect(validateInvite({ name: 'Ada', email: 'a@b.' }, DEFAULTS).ok).toBe(false);
    expect(validateInvite({ name: 'Ada', email: 'a@b..c' }, DEFAULTS).ok).toBe(false);
    expect(validateInvite({ name: 'Ada', email: 'ada.l@mail.example.co.uk' }, DEFAULTS).ok).toBe(true);
    expect(validateInvite({ name: 'Ada', lang: 'JA' }, DEFAULTS)).toMatchObject({ ok: true, input: { lang: 'ja' } });
    expect(validateInvite({ name: 'Ada', lang: 'fr' }, DEFAULTS)).toEqual({ ok: false, error: 'lang: "fr" is not one of en, ja' });
    expect(validateInvite({ name: 'Ada', questions: 'backend-v2' }, DEFAULTS)).toMatchObject({ ok: true, input: { questionSet: 'backend-v2' } });
    expect(validateInvite({ name: 'Ada', questions: 'a b' }, DEFAULTS)).toEqual({ ok: false, error: 'questions: "a b" is not a question set name' });
    expect(validateInvite({ name: 'Ada', ref: 'r'.repeat(201) }, DEFAULTS)).toEqual({ ok: false, error: 'ref: longer than 200 characters' });
  });
});

describe('readHeader', () => {
  it('maps known columns in any order and case, and lists unknown ones', () => {
    const h = readHeader(parseCsv(' Ref ,NAME,Notes,email,Phone\n')[0]!);
    expect(h).toEqual({ index: { ref: 0, name: 1, email: 3 }, unknown: ['Notes', 'Phone'] });
  });

  it('refuses a header without a name column, saying what it found and where', () => {
    const h = readHeader(parseCsv('email,ref\n')[0]!);
    expect(h).toEqual({ error: 'line 1: the header has no "name" column (found "email", "ref")' });
  });

  it('refuses a file whose first line is not a CSV header at all', () => {
    const h = readHeader(parseCsv('{"invites": [{"name": "Ada"}]}\n')[0]!);
    expect('error' in h && h.error).toMatch(/^line 1: the header has no "name" column/);
  });
});

describe('readInviteRow', () => {
  it('reads a messy file: good rows pass, bad ones carry their line and field', () => {
    const text = [
      'name,email,ref,duration,notes',
      'Ada,ada@example.com,A-1,20m,first',
      '"Lovelace, Ada",,A-2,1h,',
      '山田 太郎,,A-3,90s,',
      '🦊 Fox,,A-4,1200,',
      'NoDuration,,A-5,twenty,',
      ',nobody@example.com,A-6,,',
      'Dup,,A-1,,',
      '"Robert\'); DROP TABLE interviews;--",,A-7,,',
      '<img src=x onerror=alert(1)>,,A-8,,',
      '"multi',
      'line",,A-9,,',
      'Bad"Quote,,A-10,,',
      'NoRef,,,,',
    ].join('\r\n');
    const { header, rows } = readFile(text);
    expect(header.unknown).toEqual(['notes']);
    expect(ok(rows[0]!)).toMatchObject({ name: 'Ada', ref: 'A-1', durationMs: 1_200_000 });
    expect(ok(rows[1]!)).toMatchObject({ name: 'Lovelace, Ada', durationMs: 3_600_000 });
    expect(ok(rows[2]!)).toMatchObject({ name: '山田 太郎', durationMs: 90_000 });
    expect(ok(rows[3]!)).toMatchObject({ name: '🦊 Fox', durationMs: 1_200_000 });
    expect(err(rows[4]!)).toEqual({ ok: false, line: 6, ref: 'A-5', error: 'duration: "twenty" is not a duration (use 20m, 1h, 90s or seconds)' });
    expect(err(rows[5]!)).toEqual({ ok: false, line: 7, ref: 'A-6', error: 'name: required' });
    expect(err(rows[6]!)).toEqual({ ok: false, line: 8, ref: 'A-1', error: 'ref: "A-1" already appears on line 2 of this file' });
    expect(ok(rows[7]!).name).toBe("Robert'); DROP TABLE interviews;--");
    expect(ok(rows[8]!).name).toBe('<img src=x onerror=alert(1)>');
    expect(err(rows[9]!)).toMatchObject({ line: 11, ref: 'A-9', error: expect.stringMatching(/^name: .*line break/) });
    expect(err(rows[10]!)).toMatchObject({ line: 13, ref: 'A-10', error: expect.stringMatching(/^csv: a quote inside an unquoted field/) });
    expect(ok(rows[11]!)).toMatchObject({ name: 'NoRef', ref: null });
    expect(rows).toHaveLength(12);
  });

  it('takes the row defaults from the caller (flags given with --from)', () => {
    const { rows } = readFile('name,lang\nAda,\nTaro,ja\n');
    expect(ok(rows[0]!)).toMatchObject({ lang: 'en', questionSet: 'default', durationMs: 1_200_000, expiresInMs: 604_800_000 });
    expect(ok(rows[1]!)).toMatchObject({ lang: 'ja' });
  });

  it('treats a short row as having empty trailing columns', () => {
    const { rows } = readFile('name,email,ref\nAda\n');
    expect(ok(rows[0]!)).toMatchObject({ name: 'Ada', email: null, ref: null });
  });

  it('does not let a rejected row claim its ref', () => {
    const { rows } = readFile('name,ref,duration\nAda,R-1,nope\nAda,R-1,20m\n');
    expect(rows[0]!.ok).toBe(false);
    expect(ok(rows[1]!)).toMatchObject({ ref: 'R-1' });
  });
});
