import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, ndjson, stackFrames } from './helpers/cli.js';
import { useCliWorkspace } from './helpers/workspace.js';

// create --from: the CSV contract of SPEC section 7 and the bad input of issue 2.

const PUBLIC_URL = 'https://jobs.example.com';
const ws = useCliWorkspace('batch', { PUBLIC_URL });
const { run } = ws;

const file = (name: string, content: string | Buffer) => {
  const path = join(ws.scratch.dir, name);
  writeFileSync(path, content);
  return path;
};

interface Outcome {
  line: number;
  ref: string | null;
  status: 'created' | 'exists' | 'error';
  id: string | null;
  url: string | null;
  error: string | null;
}

const count = async (where: string) => {
  const n = (await ws.db.sql<{ n: number }[]>`select count(*)::int as n from interviews where ref like ${where}`)[0]!.n;
  return n;
};

// Every kind of bad input issue 2 lists, in one file: BOM, CRLF, quoted commas/quotes/line breaks,
// an empty line, Japanese and emoji names, a duplicate ref, a missing name, an unknown column,
// durations good and bad, SQL- and HTML-looking names.
const MESSY =
  '\uFEFFname,email,ref,duration,lang,notes\r\n' + // 1
  'Ada Lovelace,ada@example.com,M-1,20m,en,first\r\n' + // 2
  '"Lovelace, Ada",,M-2,1h,,"has, commas"\r\n' + // 3
  '\r\n' + // 4
  '"Grace ""Amazing"" Hopper",,M-3,90s,,\r\n' + // 5
  '山田 太郎,taro@example.jp,M-4,1200,ja,\r\n' + // 6
  '🦊 Fox 🎉,,M-5,,,\r\n' + // 7
  '"Two\r\nLines",,M-6,,,\r\n' + // 8-9
  'Slow Talker,,M-7,twenty minutes,,\r\n' + // 10
  ',nobody@example.com,M-8,,,\r\n' + // 11
  'Dup Ref,,M-1,,,\r\n' + // 12
  '"Robert\'); DROP TABLE interviews;--",,M-9,,,\r\n' + // 13
  '<img src=x onerror=alert(1)>,,M-10,,,"<b>note</b>"\r\n' + // 14
  'Bad"Quote,,M-11,,,\r\n' + // 15
  'Wrong Lang,,M-12,,fr,\r\n' + // 16
  'Too Long,,M-13,5h,,\r\n'; // 17

const CREATED: Record<string, { line: number; name: string; durationMs: number; lang: string }> = {
  'M-1': { line: 2, name: 'Ada Lovelace', durationMs: 1_200_000, lang: 'en' },
  'M-2': { line: 3, name: 'Lovelace, Ada', durationMs: 3_600_000, lang: 'en' },
  'M-3': { line: 5, name: 'Grace "Amazing" Hopper', durationMs: 90_000, lang: 'en' },
  'M-4': { line: 6, name: '山田 太郎', durationMs: 1_200_000, lang: 'ja' },
  'M-5': { line: 7, name: '🦊 Fox 🎉', durationMs: 1_200_000, lang: 'en' },
  'M-9': { line: 13, name: "Robert'); DROP TABLE interviews;--", durationMs: 1_200_000, lang: 'en' },
  'M-10': { line: 14, name: '<img src=x onerror=alert(1)>', durationMs: 1_200_000, lang: 'en' },
};

const REJECTED: [line: number, ref: string, error: RegExp][] = [
  [8, 'M-6', /^name: contains a line break \(U\+000D at character 4\)$/],
  [10, 'M-7', /^duration: "twenty minutes" is not a duration \(use 20m, 1h, 90s or seconds\)$/],
  [11, 'M-8', /^name: required$/],
  [12, 'M-1', /^ref: "M-1" already appears on line 2 of this file$/],
  [15, 'M-11', /^csv: a quote inside an unquoted field/],
  [16, 'M-12', /^lang: "fr" is not one of en, ja$/],
  [17, 'M-13', /^duration: 5h is outside 1m to 4h$/],
];

describe('create --from a messy CSV', () => {
  let first: Outcome[];
  let firstRun: Awaited<ReturnType<typeof run>>;

  beforeAll(async () => {
    firstRun = await run(['create', '--from', file('messy.csv', MESSY), '--json']);
    first = ndjson<Outcome>(firstRun.stdout);
  });

  it('prints one NDJSON line per input row, in order, and exits 5 because some were rejected', () => {
    expect(firstRun.code).toBe(5);
    expect(first.map((o) => o.line)).toEqual([2, 3, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17]);
    for (const o of first) expect(Object.keys(o).sort()).toEqual(['error', 'id', 'line', 'ref', 'status', 'url']);
  });

  it('creates the good rows with their own values, names verbatim', async () => {
    for (const [ref, want] of Object.entries(CREATED)) {
      const o = first.find((x) => x.ref === ref)!;
      expect(o, ref).toMatchObject({ line: want.line, status: 'created', error: null });
      expect(o.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(o.url).toBe(`${PUBLIC_URL}/interview/${o.id}`);
      const [row] = await ws.db.sql`select candidate_name, duration_ms, lang, status from interviews where id = ${o.id!}`;
      expect(row, ref).toEqual({ candidateName: want.name, durationMs: want.durationMs, lang: want.lang, status: 'created' });
    }
  });

  it('reports each bad row with its line and field, and stores none of them', async () => {
    for (const [line, ref, error] of REJECTED) {
      const o = first.find((x) => x.line === line)!;
      expect(o, `line ${line}`).toMatchObject({ ref, status: 'error', id: null, url: null });
      expect(o.error).toMatch(error);
    }
    expect(await count('M-%')).toBe(Object.keys(CREATED).length);
  });

  it('warns once about the unknown column and sums up on stderr', () => {
    expect(firstRun.stderr.match(/ignoring unknown column/g)).toHaveLength(1);
    expect(firstRun.stderr).toContain('warning: ignoring unknown column: notes');
    expect(firstRun.stderr).toContain('7 created, 0 already existed, 7 rejected (14 rows)');
  });

  it('creates nothing on a re-run and reports exists with the same ids', async () => {
    const again = await run(['create', '--from', join(ws.scratch.dir, 'messy.csv'), '--json']);
    expect(again.code).toBe(5);
    const second = ndjson<Outcome>(again.stdout);
    expect(second.map((o) => [o.line, o.status])).toEqual(first.map((o) => [o.line, o.status === 'created' ? 'exists' : o.status]));
    for (const o of second.filter((x) => x.status === 'exists')) expect(o.id).toBe(first.find((x) => x.line === o.line)!.id);
    expect(again.stderr).toContain('0 created, 7 already existed, 7 rejected (14 rows)');
    expect(await count('M-%')).toBe(Object.keys(CREATED).length);
  });

  it('prints readable lines without --json: results on stdout, rejected rows on stderr', async () => {
    const human = await run(['create', '--from', join(ws.scratch.dir, 'messy.csv')]);
    expect(human.code).toBe(5);
    expect(human.stdout).toMatch(new RegExp(`^exists +line 2 {2}${PUBLIC_URL}/interview/[A-Za-z0-9_-]{22} {2}ref=M-1$`, 'm'));
    expect(human.stdout).not.toContain('error');
    expect(human.stderr).toContain('error: line 10: duration: "twenty minutes" is not a duration');
    expect(human.stderr).toContain('error: line 8: name: contains a line break (U+000D at character 4)');
    expect(stackFrames(human.stderr)).toEqual([]);
  });
});

describe('create --from, other inputs', () => {
  it('reads CSV from stdin with -, and takes flags as defaults for every row', async () => {
    const r = await run(['create', '--from', '-', '--json', '--lang', 'ja', '--duration', '30m'], { input: 'name,ref,duration\nStdin One,S-1,\nStdin Two,S-2,45m\n' });
    expect(r.code, r.stderr).toBe(0);
    const out = ndjson<Outcome>(r.stdout);
    expect(out.map((o) => [o.line, o.ref, o.status])).toEqual([
      [2, 'S-1', 'created'],
      [3, 'S-2', 'created'],
    ]);
    const rows = await ws.db.sql`select ref, lang, duration_ms from interviews where ref like 'S-%' order by ref`;
    expect(rows).toEqual([
      { ref: 'S-1', lang: 'ja', durationMs: 1_800_000 },
      { ref: 'S-2', lang: 'ja', durationMs: 2_700_000 },
    ]);
  });

  it('accepts a file with only a header (nothing to do) and exits 0', async () => {
    const r = await run(['create', '--from', file('header-only.csv', 'name,email,ref\r\n')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('0 created, 0 already existed, 0 rejected (0 rows)');
  });

  it('notes that rows without a ref would be created again by a re-run', async () => {
    const r = await run(['create', '--from', file('no-ref.csv', 'name\nNo Ref Person\n')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("note: 1 row(s) have no ref; running this file again would create them again");
  });

  it('keeps line numbers right across read chunks, a quoted CRLF split between them, and 5,000-row batches', async () => {
    // The file is read in 64 KiB chunks: put the CR of a quoted CRLF on the last byte of the first.
    const header = 'name,ref,duration,notes\r\n';
    const rowOf = (i: number, pad = '') => `Person ${i}${pad},L-${i},20m,"note\r\nsecond line"\r\n`;
    let text = header;
    let i = 0;
    while (text.length + 2 * rowOf(i).length < 65_536) text += rowOf(i++);
    const crAt = text.length + rowOf(i).indexOf('\r');
    const pad = 'x'.repeat(65_535 - crAt);
    text += rowOf(i++, pad);
    expect(text.indexOf('\r\nsecond', 65_500)).toBe(65_535);
    while (i < 6_000) text += rowOf(i++);
    const badLine = text.split('\r\n').length; // each row spans two lines
    text += 'Last Person,L-bad,soon,"a\r\nb"\r\n';
    const r = await run(['create', '--from', file('big.csv', text), '--json']);
    expect(r.code, r.stderr).toBe(5);
    const out = ndjson<Outcome>(r.stdout);
    expect(out).toHaveLength(6_001);
    expect(out.at(-1)).toMatchObject({ line: badLine, ref: 'L-bad', status: 'error' });
    expect(out.at(-2)).toMatchObject({ line: badLine - 2, ref: 'L-5999', status: 'created' });
    expect(await count('L-%')).toBe(6_000);
  });

  // Once a hang: a batch's COPY that lost a ref to another batch failed on the server, and
  // postgres.js never settles a COPY writable that fails after end() (porsager/postgres#1173).
  it('two runs of the same file whose inserts collide both finish, creating each ref once', { timeout: 30_000 }, async () => {
    const rows = Array.from({ length: 300 }, (_, k) => `Racer ${k},R-${k}`).join('\n');
    const path = file('race.csv', `name,ref\n${rows}\n`);
    // Hold both runs at their insert, then let go.
    const holder = await ws.db.sql.reserve();
    let runs: Promise<Awaited<ReturnType<typeof run>>>[] = [];
    try {
      await holder`begin`;
      await holder`lock table interviews in share mode`;
      runs = [0, 1].map(() => run(['create', '--from', path, '--json'], { timeoutMs: 8_000 }));
      const deadline = Date.now() + 15_000;
      for (;;) {
        const n = (await ws.db.sql<{ n: number }[]>`
          select count(*)::int as n from pg_stat_activity
          where datname = current_database() and application_name = 'interviewctl' and wait_event_type = 'Lock'`)[0]!.n;
        if (n >= 2) break;
        if (Date.now() > deadline) throw new Error(`only ${n} of 2 batch runs reached their COPY`);
        await new Promise((r) => setTimeout(r, 25));
      }
    } finally {
      await holder`commit`.catch(() => {});
      holder.release();
    }
    const [a, b] = await Promise.all(runs);
    expect([a!.code, b!.code]).toEqual([0, 0]);
    const oa = ndjson<Outcome>(a!.stdout);
    const ob = ndjson<Outcome>(b!.stdout);
    for (let k = 0; k < 300; k++) {
      expect([oa[k]?.status, ob[k]?.status].sort(), `R-${k}`).toEqual(['created', 'exists']);
      expect(oa[k]!.id).toBe(ob[k]!.id);
    }
    expect(await count('R-%')).toBe(300);
  });
});

describe('create --from input that is not a CSV file', () => {
  const rejects = async (label: string, content: string | Buffer, message: RegExp) => {
    const before = await ws.db.sql<{ n: number }[]>`select count(*)::int as n from interviews`;
    const r = await run(['create', '--from', file(label, content)]);
    expect(r.code, label).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(stackFrames(r.stderr)).toEqual([]);
    const after = await ws.db.sql<{ n: number }[]>`select count(*)::int as n from interviews`;
    expect(after[0]!.n).toBe(before[0]!.n);
  };

  it('a binary file', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0xff, 0xfe]);
    await rejects('photo.png', png, /^error: .*photo\.png: not UTF-8 text \(bad bytes near byte 0\); save the CSV as UTF-8\n$/);
  });

  it('a CSV saved as UTF-16 (it holds NUL bytes)', async () => {
    await rejects('utf16.csv', Buffer.from('name,ref\r\nAda,U-1\r\n', 'utf16le'), /^error: the input is not a CSV text file \(it contains NUL bytes\)\n$/);
  });

  it('a JSON file', async () => {
    await rejects('invites.json', '[{"name": "Ada", "ref": "J-1"}]\n', /^error: line 1: the header has no "name" column/);
  });

  it('an empty file', async () => {
    await rejects('empty.csv', '', /^error: the input is empty: expected a header row with at least a "name" column\n$/);
  });

  it('a file that does not exist (exit 4) or a folder (exit 2)', async () => {
    const missing = await run(['create', '--from', join(ws.scratch.dir, 'nope.csv')]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/nope\.csv: no such file\n$/);
    const folder = await run(['create', '--from', ws.scratch.dir]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(/: not a file\n$/);
  });
});
