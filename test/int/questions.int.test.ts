import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, stackFrames } from './helpers/cli.js';
import { useCliWorkspace } from './helpers/workspace.js';

// questions add | list | show, and interviews keeping their copy of a set.

const ws = useCliWorkspace('questions');
const { run } = ws;

const file = (name: string, content: string | object) => {
  const path = join(ws.scratch.dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

interface SetJson {
  name: string;
  lang: string;
  description: string;
  questions: { text: string; timeLimitMs: number }[];
  builtin?: boolean;
  result?: string;
}

describe('questions list and show', () => {
  it('lists the built-in default set in English and Japanese', async () => {
    const human = await run(['questions', 'list']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^NAME\s+LANG\s+QUESTIONS\s+SOURCE\s+DESCRIPTION$/m);
    expect(human.stdout).toMatch(/^default\s+en\s+\d+\s+built-in\s+/m);
    expect(human.stdout).toMatch(/^default\s+ja\s+\d+\s+built-in\s+/m);
    const json = JSON.parse((await run(['questions', 'list', '--json'])).stdout) as SetJson[];
    expect(json.filter((s) => s.name === 'default').map((s) => s.lang)).toEqual(['en', 'ja']);
  });

  it('shows the questions of a set, numbered with their time limits', async () => {
    const en = await run(['questions', 'show', 'default']);
    expect(en.code).toBe(0);
    expect(en.stdout).toMatch(/^default \(en, built-in\) — /);
    expect(en.stdout).toMatch(/^ 1\. .+ {2}\[2m, 1 follow-up\]$/m);
    const ja = await run(['questions', 'show', 'default', '--lang', 'ja']);
    expect(ja.stdout).toMatch(/^default \(ja, built-in\)/);
    expect(ja.stdout).toMatch(/^ 1\. .*[\u3040-\u30ff\u4e00-\u9fff]/m);
  });

  it('exits 4 for a set that does not exist, and 2 for a bad language', async () => {
    const missing = await run(['questions', 'show', 'nope']);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toBe('error: no question set "nope" in en\n');
    const lang = await run(['questions', 'show', 'default', '--lang', 'fr']);
    expect(lang.code).toBe(2);
    expect(stackFrames(lang.stderr)).toEqual([]);
  });
});

describe('questions add', () => {
  it('adds a set from a file, then replaces it; interviews keep the copy they were created with', async () => {
    const v1 = file('backend.json', {
      name: 'backend',
      description: 'Backend engineers',
      questions: ['Tell me about a system you designed.', { text: 'How do you debug a slow query?', timeLimit: '3m' }],
    });
    const added = await run(['questions', 'add', v1]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toBe('created question set backend (en, 2 questions)\n');

    const create = await run(['create', '--json', '--name', 'Backend Candidate', '--questions', 'backend']);
    expect(create.code, create.stderr).toBe(0);
    const { id } = JSON.parse(create.stdout) as { id: string };

    const v2 = file('backend-v2.json', { name: 'backend', description: 'Backend, revised', questions: ['A brand new question?'] });
    const replaced = await run(['questions', 'add', v2, '--json']);
    expect(replaced.code).toBe(0);
    expect(JSON.parse(replaced.stdout)).toMatchObject({ name: 'backend', result: 'updated', questions: [{ text: 'A brand new question?' }] });

    const shown = await run(['questions', 'show', 'backend']);
    expect(shown.stdout).toBe('backend (en, added) — Backend, revised\nfollow-ups per question: 1 (default)\nscale: 1-5 (default)\n 1. A brand new question?  [2m, 1 follow-up]\n');
    const interview = JSON.parse((await run(['show', id, '--json'])).stdout) as { questionSet: string; questions: { text: string; timeLimitMs: number }[] };
    expect(interview.questionSet).toBe('backend');
    expect(interview.questions).toEqual([
      { text: 'Tell me about a system you designed.', timeLimitMs: 120_000 },
      { text: 'How do you debug a slow query?', timeLimitMs: 180_000 },
    ]);
  });

  it('copies the role context into each interview at create, one or a batch; a later edit of the set changes none of them', async () => {
    const set = (context: string) => file(`role-${context.length}.json`, { name: 'role', context, questions: ['Tell me about a system you designed.'] });
    expect((await run(['questions', 'add', set('Backend engineer, payments team.')])).code).toBe(0);
    const one = JSON.parse((await run(['create', '--json', '--name', 'Role Candidate', '--questions', 'role'])).stdout) as { id: string };
    const csv = file('role.csv', 'name,ref,questions\nA One,ROLE-1,role\nB Two,ROLE-2,default\n');
    const batch = (await run(['create', '--from', csv, '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; ref: string });
    expect((await run(['questions', 'add', set('Frontend engineer, growth team, on site in Osaka.')])).code).toBe(0);
    const rows = await ws.db.sql<{ id: string; roleContext: string | null }[]>`select id, role_context from interviews where id in ${ws.db.sql([one.id, ...batch.map((b) => b.id)])}`;
    const contextOf = (id: string) => rows.find((r) => r.id === id)?.roleContext;
    expect(contextOf(one.id)).toBe('Backend engineer, payments team.');
    expect(contextOf(batch.find((b) => b.ref === 'ROLE-1')!.id)).toBe('Backend engineer, payments team.');
    // The built-in set has no context.
    expect(contextOf(batch.find((b) => b.ref === 'ROLE-2')!.id)).toBeNull();
  });

  it('reads a set from stdin, with a BOM', async () => {
    const r = await run(['questions', 'add', '-'], { input: `\uFEFF${JSON.stringify({ name: 'frontend', lang: 'ja', questions: ['自己紹介をお願いします。'] })}` });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('created question set frontend (ja, 1 question)\n');
    const list = JSON.parse((await run(['questions', 'list', '--json'])).stdout) as SetJson[];
    expect(list.find((s) => s.name === 'frontend')).toMatchObject({ lang: 'ja', builtin: false });
  });

  it('lets an added set stand in for a built-in one of the same name', async () => {
    const r = await run(['questions', 'add', file('default-en.json', { name: 'default', questions: ['Our own first question?'] })]);
    expect(r.code).toBe(0);
    const list = JSON.parse((await run(['questions', 'list', '--json'])).stdout) as SetJson[];
    expect(list.filter((s) => s.name === 'default' && s.lang === 'en')).toEqual([expect.objectContaining({ builtin: false, questions: [{ text: 'Our own first question?', timeLimitMs: 120_000 }] })]);
    expect(list.find((s) => s.name === 'default' && s.lang === 'ja')?.builtin).toBe(true);
  });

  it('reports every problem in a bad set at once, and stores nothing', async () => {
    const bad = file('bad.json', { name: 'has spaces', lang: 'de', questions: ['fine', '', { text: 'q', timeLimit: '1h' }, 42] });
    const r = await run(['questions', 'add', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    for (const problem of ['name: required', 'lang: must be one of en, ja', 'questions[1].text: required', 'questions[2].timeLimit: must be a duration between 10s and 30m', 'questions[3]: must be a string']) {
      expect(r.stderr).toContain(problem);
    }
    const n = (await ws.db.sql<{ n: number }[]>`select count(*)::int as n from question_sets where lang = 'de' or name = 'has spaces'`)[0]!.n;
    expect(n).toBe(0);
  });

  it('keeps rubric, competency, follow-ups and the role context, and shows them all', async () => {
    const set = file('designer.json', {
      name: 'designer',
      context: 'Senior backend engineer, payments team, remote within the EU.',
      followUps: 2,
      questions: [
        { text: 'Tell me about a service you designed end to end.', rubric: 'Own design decisions, trade-offs, a measured result.', competency: 'system design', followUps: 3 },
        { text: 'Why this team?', timeLimit: '1m' },
      ],
    });
    const r = await run(['questions', 'add', set]);
    expect(r.code, r.stderr).toBe(0);
    const shown = await run(['questions', 'show', 'designer']);
    expect(shown.stdout).toBe(
      [
        'designer (en, added)',
        'context: Senior backend engineer, payments team, remote within the EU.',
        'follow-ups per question: 2',
        'scale: 1-5 (default)',
        ' 1. Tell me about a service you designed end to end.  [2m, 3 follow-ups, system design]',
        '    rubric: Own design decisions, trade-offs, a measured result.',
        ' 2. Why this team?  [1m, 2 follow-ups]',
        '',
      ].join('\n'),
    );
    const json = JSON.parse((await run(['questions', 'show', 'designer', '--json'])).stdout);
    expect(json).toMatchObject({ context: 'Senior backend engineer, payments team, remote within the EU.', followUps: 2, questions: [{ rubric: 'Own design decisions, trade-offs, a measured result.', competency: 'system design', followUps: 3 }, { followUps: 2 }] });
    // An interview's copy of the questions carries them, for the interviewer and for scoring.
    const create = await run(['create', '--json', '--name', 'Grace Hopper', '--questions', 'designer']);
    const { id } = JSON.parse(create.stdout) as { id: string };
    const interview = JSON.parse((await run(['show', id, '--json'])).stdout);
    expect(interview.questions[0]).toMatchObject({ rubric: 'Own design decisions, trade-offs, a measured result.', competency: 'system design', followUps: 3 });
    expect(interview).toMatchObject({ interviewerMode: null, turns: [] });
  });

  it('rejects a 10,000-character rubric, followUps 7 and a non-string competency with their paths, storing nothing', async () => {
    const bad = file('bad-rubric.json', { name: 'rubrics', questions: [{ text: 'q1', rubric: 'x'.repeat(10_000) }, { text: 'q2', followUps: 7 }, { text: 'q3', competency: 42 }] });
    const r = await run(['questions', 'add', bad]);
    expect(r.code).toBe(2);
    for (const problem of ['questions[0].rubric: longer than 2000 characters', 'questions[1].followUps: must be a whole number from 0 to 3', 'questions[2].competency: must be a string']) {
      expect(r.stderr).toContain(problem);
    }
    expect(stackFrames(r.stderr)).toEqual([]);
    const n = (await ws.db.sql<{ n: number }[]>`select count(*)::int as n from question_sets where name = 'rubrics'`)[0]!.n;
    expect(n).toBe(0);
  });

  it('says a file is not JSON, or not there', async () => {
    const notJson = await run(['questions', 'add', file('broken.json', '{"name": "x", "questions": [')]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/^error: .*broken\.json: not valid JSON at line 1, column 29: /);
    expect(stackFrames(notJson.stderr)).toEqual([]);
    const csv = await run(['questions', 'add', file('invites.csv', 'name,email\nAda,ada@example.com\n')]);
    expect(csv.code).toBe(2);
    expect(csv.stderr).toContain('not valid JSON');
    const array = await run(['questions', 'add', file('array.json', '["just", "questions"]')]);
    expect(array.code).toBe(2);
    expect(array.stderr).toContain('the file must hold one JSON object');
    const missing = await run(['questions', 'add', join(ws.scratch.dir, 'missing.json')]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/missing\.json: no such file\n$/);
  });
});

describe('questions add and validate: files as authors write them', () => {
  const stored = async (name: string) => (await ws.db.sql<{ n: number }[]>`select count(*)::int as n from question_sets where name = ${name}`)[0]!.n;
  /** One error line, exit 2, no stack, nothing stored under `name`. */
  const refused = async (path: string, name: string) => {
    const r = await run(['questions', 'add', path]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
    expect(stackFrames(r.stderr)).toEqual([]);
    expect(await stored(name)).toBe(0);
    return r.stderr;
  };

  it('a file that is not JSON: line and column, what is wrong, never the text around it', async () => {
    const broken = file('broken-crlf.json', '{\r\n  "name": "broken",\r\n  "description": "for Ada Lovelace <ada@example.com>"\r\n  "questions": ["q"]\r\n}\r\n');
    const stderr = await refused(broken, 'broken');
    expect(stderr).toBe(`error: ${broken}: not valid JSON at line 4, column 3: expected "," or "}" but found '"' (is a comma missing?)\n`);
    expect(await refused(file('trailing.json', '{"name": "trailing", "questions": ["a", "b",]}'), 'trailing')).toContain('not valid JSON at line 1, column 45: a comma before "]" (JSON allows no trailing comma)');
    expect(await refused(file('set.yaml', 'name: yaml\nquestions:\n  - Tell me about yourself.\n'), 'yaml')).toContain('not valid JSON at line 1, column 1: expected a value but found "n"; question sets are JSON files, YAML is not read');
  });

  it('an empty file, or one of only spaces or a BOM, says so', async () => {
    for (const content of ['', '  \n\r\n', '\uFEFF']) {
      expect(await refused(file('empty.json', content), 'empty')).toMatch(/empty\.json: empty; a question set is one JSON object/);
    }
    const stdin = await run(['questions', 'validate', '-'], { input: '' });
    expect(stdin.code).toBe(2);
    expect(stdin.stderr).toBe('error: stdin: empty; a question set is one JSON object: {"name": …, "questions": […]}\n');
  });

  it('a typo in a field name is reported with its path and the field meant, and nothing is stored', async () => {
    const typo = file('typo.json', { name: 'typo', contxt: 'Backend role', questions: [{ text: 'Tell me about a design.', rubirc: 'Trade-offs and a result.', folowUps: 2 }] });
    const stderr = await refused(typo, 'typo');
    for (const problem of ['contxt: unknown field (did you mean "context"?)', 'questions[0].rubirc: unknown field (did you mean "rubric"?)', 'questions[0].folowUps: unknown field (did you mean "followUps"?)']) {
      expect(stderr).toContain(problem);
    }
  });

  it('duplicate questions, a 5,000-character question, a 50,000-character context and bad limits are all reported at once', async () => {
    const bad = file('many-problems.json', {
      name: 'many-problems',
      context: 'c'.repeat(50_000),
      followUps: '2',
      questions: ['Tell me about yourself.', 'tell me about  yourself.', 'q'.repeat(5000), { text: 'a', timeLimit: '0s' }, { text: 'b', timeLimit: '-5s' }, { text: 'c', timeLimit: '10h' }, { text: 'd', timeLimit: 'abc' }, { text: 'e', followUps: 1.5 }, { text: 'f', followUps: -1 }, { text: 'g', followUps: null }],
    });
    const stderr = await refused(bad, 'many-problems');
    const problems = stderr.replace(/^error: [^:]+: /, '').trimEnd().split('; ');
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'context',
      'followUps',
      'questions[1].text',
      'questions[2].text',
      'questions[3].timeLimit',
      'questions[4].timeLimit',
      'questions[5].timeLimit',
      'questions[6].timeLimit',
      'questions[7].followUps',
      'questions[8].followUps',
    ]);
    expect(stderr).toContain('questions[1].text: the same question as questions[0]');
    expect(stderr).toContain('context: longer than 4000 characters (50000)');
  });

  it('past 50 problems says how many more', async () => {
    const bad = file('typos.json', { name: 'typos', questions: Array.from({ length: 30 }, (_, i) => ({ text: `Question ${i}?`, rubirc: 'r', competncy: 'c' })) });
    const stderr = await refused(bad, 'typos');
    expect(stderr.split('unknown field')).toHaveLength(51);
    expect(stderr).toMatch(/; and 10 more\n$/);
  });

  it('a 20 MB file is refused at 1 MiB without reading the rest', async () => {
    const big = file('big.json', JSON.stringify({ name: 'big', questions: ['q'], padding: 'y'.repeat(20 * 1024 * 1024) }));
    const started = Date.now();
    expect(await refused(big, 'big')).toBe(`error: ${big}: larger than 1024 KiB, which no question set is\n`);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('a BOM and CRLF line endings, emoji and Japanese are fine, and show prints them as written', async () => {
    const text = JSON.stringify({ name: 'ja-crlf', lang: 'ja', description: '一次面接 🎉', context: '東京のチーム 👩‍💻', questions: [{ text: '自己紹介をお願いします 🙂', competency: 'コミュニケーション', rubric: '具体例 ✅' }] }, null, 2);
    const r = await run(['questions', 'add', file('ja-crlf.json', `\uFEFF${text.replace(/\n/g, '\r\n')}`)]);
    expect(r.code, r.stderr).toBe(0);
    const shown = await run(['questions', 'show', 'ja-crlf', '--lang', 'ja']);
    expect(shown.stdout).toBe(
      ['ja-crlf (ja, added) — 一次面接 🎉', 'context: 東京のチーム 👩‍💻', 'follow-ups per question: 1 (default)', 'scale: 1-5 (default)', ' 1. 自己紹介をお願いします 🙂  [2m, 1 follow-up, コミュニケーション]', '    rubric: 具体例 ✅', ''].join('\n'),
    );
  });

  it('show prints the scale of a set that has one', async () => {
    expect((await run(['questions', 'add', file('scaled.json', { name: 'scaled', scale: { min: 0, max: 10 }, questions: ['q'] })])).code).toBe(0);
    expect((await run(['questions', 'show', 'scaled'])).stdout).toMatch(/^scale: 0-10$/m);
  });

  it('validate checks a file as add does, without a database, and stores nothing', async () => {
    // A database that does not exist: validate never opens one.
    const env = ws.db.envFor('ictl_no_such_database');
    const good = await run(['questions', 'validate', file('good.json', { name: 'checked', questions: ['Tell me about yourself.', { text: 'Why us?', timeLimit: '90s', followUps: 0 }] })], { env });
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toBe('valid: question set checked (en, 2 questions); nothing stored\n');
    const json = await run(['questions', 'validate', join(ws.scratch.dir, 'good.json'), '--json'], { env });
    expect(JSON.parse(json.stdout)).toMatchObject({ name: 'checked', valid: true, questions: [{ timeLimitMs: 120_000 }, { timeLimitMs: 90_000, followUps: 0 }] });
    expect(await stored('checked')).toBe(0);

    const three = file('three.json', { name: 'three', questions: [{ text: 'q1', rubric: 'x'.repeat(10_000) }, { text: 'q2', followUps: 7 }, { text: 'q3', competency: 42 }] });
    const bad = await run(['questions', 'validate', three], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`error: ${three}: questions[0].rubric: longer than 2000 characters (10000); questions[1].followUps: must be a whole number from 0 to 3; questions[2].competency: must be a string\n`);
    const badJson = await run(['questions', 'validate', three, '--json'], { env });
    expect(JSON.parse(badJson.stderr)).toEqual({ error: 'usage', message: expect.stringContaining('questions[1].followUps: must be a whole number from 0 to 3') });
    expect(await stored('three')).toBe(0);
  });

  it('re-adding a set changes only interviews created after it: earlier ones keep questions, rubric, follow-ups and context', async () => {
    const v1 = file('reused-v1.json', { name: 'reused', context: 'Role v1.', followUps: 2, questions: [{ text: 'Old question?', rubric: 'Old rubric.', competency: 'old', timeLimit: '3m' }] });
    expect((await run(['questions', 'add', v1])).code).toBe(0);
    const before = JSON.parse((await run(['create', '--json', '--name', 'Early Candidate', '--questions', 'reused'])).stdout) as { id: string };
    // A bad v2 changes nothing; a good one replaces the set.
    expect((await run(['questions', 'add', file('reused-bad.json', { name: 'reused', questions: ['New?', 'New?'] })])).code).toBe(2);
    expect((await run(['questions', 'add', file('reused-v2.json', { name: 'reused', context: 'Role v2.', questions: ['New question?'] })])).code).toBe(0);
    const after = JSON.parse((await run(['create', '--json', '--name', 'Late Candidate', '--questions', 'reused'])).stdout) as { id: string };
    const questionsOf = async (id: string) => (JSON.parse((await run(['show', id, '--json'])).stdout) as { questions: unknown[] }).questions;
    expect(await questionsOf(before.id)).toEqual([{ text: 'Old question?', timeLimitMs: 180_000, rubric: 'Old rubric.', competency: 'old', followUps: 2 }]);
    expect(await questionsOf(after.id)).toEqual([{ text: 'New question?', timeLimitMs: 120_000 }]);
    const rows = await ws.db.sql<{ id: string; roleContext: string | null }[]>`select id, role_context from interviews where id in ${ws.db.sql([before.id, after.id])}`;
    expect(Object.fromEntries(rows.map((r) => [r.id, r.roleContext]))).toEqual({ [before.id]: 'Role v1.', [after.id]: 'Role v2.' });
  });
});
