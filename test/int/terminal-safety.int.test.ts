import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createInterviewRepo } from '../../cli/adapters/db/interviews.js';
import { createQuestionSetRepo } from '../../cli/adapters/db/question-sets.js';
import { makeNewInterview } from './helpers/builders.js';
import { stackFrames } from './helpers/cli.js';
import { useCliWorkspace } from './helpers/workspace.js';

// Escape sequences from data never reach an operator's terminal: refused at input (flags, CSV,
// question sets), and made harmless at output for rows an older version stored.

const ws = useCliWorkspace('terminal-safety');
// ESC ] 0 ; … BEL retitles the terminal; CSI 2J clears it; U+009B is a one-byte CSI; U+202E
// reverses what follows; a line break forges a table row.
const HOSTILE = ['\u001b]0;owned\u0007', '\u001b[2J', '\u009b31m', '\u202e', '\nfake-id  created  forged row'];
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('refused at input', () => {
  it('create with a hostile name, email or ref exits 2, naming the field and not the value', async () => {
    for (const bad of HOSTILE) {
      for (const [flag, value] of [['--name', `Ada${bad}`], ['--email', `ada${bad}@example.com`], ['--ref', `R${bad}`]] as const) {
        const args = flag === '--name' ? ['create', flag, value] : ['create', '--name', 'Ada', flag, value];
        const r = await ws.run(args);
        expect(`${flag} ${JSON.stringify(bad)} → ${r.code}`).toBe(`${flag} ${JSON.stringify(bad)} → 2`);
        expect(r.stderr).toMatch(new RegExp(`^error: ${flag}: contains`, 'm'));
        expect(r.stderr).not.toMatch(UNSAFE);
        expect(r.stderr).not.toContain('example.com');
      }
    }
  });

  it('a CSV row with an escape in its ref or email is rejected by line; the good rows are created', async () => {
    const file = join(ws.scratch.dir, 'hostile.csv');
    writeFileSync(file, `name,email,ref\nGood One,,T-1\nBad Ref,,"T-2\u001b[2J"\nBad Mail,"x\u009b@example.com",T-3\nBidi \u202eeman,,T-4\n`);
    const r = await ws.run(['create', '--from', file, '--json']);
    expect(r.code).toBe(5);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { line: number; status: string; error: string | null });
    expect(rows.map((x) => [x.line, x.status])).toEqual([[2, 'created'], [3, 'error'], [4, 'error'], [5, 'error']]);
    expect(rows[1]!.error).toMatch(/^ref: contains a control character/);
    expect(rows[2]!.error).toMatch(/^email: contains a control character/);
    expect(rows[3]!.error).toMatch(/^name: contains a bidirectional formatting character/);
    expect(r.stdout).not.toContain('example.com');
  });

  it('questions add: escapes, bidi overrides and NUL in a question or description exit 2 with the JSON path; no stack', async () => {
    const cases: [unknown, RegExp][] = [
      [{ name: 'x1', questions: ['Fine?', 'Tell me\u001b[2J about it'] }, /questions\[1\]\.text: contains a control character/],
      [{ name: 'x2', questions: ['A\u0000B'] }, /questions\[0\]\.text: contains a control character \(U\+0000/],
      [{ name: 'x3', description: 'role \u202e', questions: ['Q?'] }, /description: contains a bidirectional/],
    ];
    for (const [doc, error] of cases) {
      const file = join(ws.scratch.dir, 'set.json');
      writeFileSync(file, JSON.stringify(doc));
      const r = await ws.run(['questions', 'add', file]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(error);
      expect(stackFrames(r.stderr)).toEqual([]);
    }
  });

  it('questions add /dev/urandom stops at 1 MiB and exits 2', async () => {
    const r = await ws.run(['questions', 'add', '/dev/urandom']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/larger than 1024 KiB/);
    expect(stackFrames(r.stderr)).toEqual([]);
  });
});

describe('made harmless at output', () => {
  it('list, show and questions list print stored escape sequences as spaces, and no forged row', async () => {
    // As an older version could have stored them.
    const rows = HOSTILE.map((bad, i) => makeNewInterview({ candidateName: `Name${bad}`, candidateEmail: `e${i}${bad}@example.com`, ref: `REF-${i}${bad}` }));
    await createInterviewRepo(ws.db.sql).insertMany(rows);
    await createQuestionSetRepo(ws.db.sql).upsert({
      name: 'hostile',
      lang: 'en',
      description: `desc\u001b]0;x\u0007\nFORGED`,
      context: `role\u001b[2J\nFORGED context`,
      questions: [{ text: `Q\u009b2J\u202e?`, timeLimitMs: 60_000, rubric: `r\u001b]0;owned\u0007\nFORGED rubric`, competency: `c\u202e\u009b31m` }],
    });

    const list = await ws.run(['list', '--limit', '50']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).not.toMatch(UNSAFE);
    expect(list.stdout).not.toMatch(/^fake-id/m);
    const [{ n }] = await ws.db.sql<{ n: number }[]>`select count(*)::int as n from interviews`;
    expect(list.stdout.trim().split('\n')).toHaveLength(1 + n);
    for (const r of rows) {
      const show = await ws.run(['show', r.id]);
      expect(show.code, show.stderr).toBe(0);
      expect(show.stdout).not.toMatch(UNSAFE);
      expect(show.stdout).not.toMatch(/^fake-id/m);
    }
    const sets = await ws.run(['questions', 'list']);
    expect(sets.stdout).not.toMatch(UNSAFE);
    expect(sets.stdout).not.toMatch(/^FORGED/m);
    const one = await ws.run(['questions', 'show', 'hostile']);
    expect(one.stdout).not.toMatch(UNSAFE);
    expect(one.stdout).not.toMatch(/^FORGED/m);
    expect(one.stdout).toContain('    rubric: r ]0;owned  FORGED rubric\n');
    // --json keeps the data as it is, escaped by JSON where JSON escapes it.
    const json = JSON.parse((await ws.run(['show', rows[0]!.id, '--json'])).stdout) as { ref: string };
    expect(json.ref).toBe(rows[0]!.ref);
  });
});
