import { describe, expect, it } from 'vitest';
import { BUILTIN_QUESTION_SETS, builtinQuestionSet, DEFAULT_QUESTION_TIME_LIMIT_MS, followUpsOf, validateQuestionSet } from './questions.js';

describe('validateQuestionSet', () => {
  it('accepts plain strings and {text, timeLimit} items, with defaults for the rest', () => {
    const r = validateQuestionSet({
      name: 'backend',
      questions: ['  Tell me about yourself.  ', { text: 'Design a URL shortener.', timeLimit: '5m' }, { text: 'Why us?', timeLimit: 90 }],
    });
    expect(r).toEqual({
      ok: true,
      set: {
        name: 'backend',
        lang: 'en',
        description: '',
        questions: [
          { text: 'Tell me about yourself.', timeLimitMs: DEFAULT_QUESTION_TIME_LIMIT_MS },
          { text: 'Design a URL shortener.', timeLimitMs: 300_000 },
          { text: 'Why us?', timeLimitMs: 90_000 },
        ],
      },
    });
  });

  it('keeps Japanese text and the language', () => {
    const r = validateQuestionSet({ name: 'ja-set', lang: 'ja', description: '一次面接', questions: ['自己紹介をお願いします。'] });
    expect(r).toMatchObject({ ok: true, set: { lang: 'ja', description: '一次面接', questions: [{ text: '自己紹介をお願いします。' }] } });
  });

  it('reports every problem at once, each with its JSON path', () => {
    const r = validateQuestionSet({
      name: 'bad name!',
      lang: 'fr',
      description: 42,
      questions: ['ok', '', 7, { text: 'x'.repeat(1001) }, { text: 'short limit', timeLimit: '5s' }, { text: 'bad limit', timeLimit: 'soon' }, { timeLimit: '1m' }],
    });
    expect(r).toEqual({
      ok: false,
      errors: [
        'name: required, letters, digits, ".", "_" or "-", at most 64 characters',
        'lang: must be one of en, ja',
        'description: must be a string',
        'questions[1].text: required (this one is blank)',
        'questions[2]: must be a string or {"text": …, "timeLimit": "2m"}',
        'questions[3].text: longer than 1000 characters (1001)',
        'questions[4].timeLimit: must be a duration between 10s and 30m (like "90s" or "3m", or a number of seconds)',
        'questions[5].timeLimit: must be a duration between 10s and 30m (like "90s" or "3m", or a number of seconds)',
        'questions[6].text: required',
      ],
    });
  });

  it.each([
    [null, 'the file must hold one JSON object'],
    [[], 'the file must hold one JSON object'],
    ['backend', 'the file must hold one JSON object'],
  ])('refuses a document that is not an object (%j)', (doc, message) => {
    const r = validateQuestionSet(doc);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toContain(message);
  });

  it('requires a non-empty list of at most 50 questions', () => {
    expect(validateQuestionSet({ name: 'a' })).toEqual({ ok: false, errors: ['questions: required, a non-empty array'] });
    expect(validateQuestionSet({ name: 'a', questions: [] })).toEqual({ ok: false, errors: ['questions: required, a non-empty array'] });
    const many = (n: number) => Array.from({ length: n }, (_, i) => `Question ${i + 1}?`);
    expect(validateQuestionSet({ name: 'a', questions: many(51) })).toEqual({ ok: false, errors: ['questions: at most 50 questions (51)'] });
    expect(validateQuestionSet({ name: 'a', questions: many(50) }).ok).toBe(true);
  });

  it('takes time limits from 10s to 30m, as strings or seconds', () => {
    const limit = (timeLimit: unknown) => validateQuestionSet({ name: 'a', questions: [{ text: 'q', timeLimit }] });
    expect(limit('10s')).toMatchObject({ ok: true, set: { questions: [{ timeLimitMs: 10_000 }] } });
    expect(limit('30m')).toMatchObject({ ok: true, set: { questions: [{ timeLimitMs: 1_800_000 }] } });
    expect(limit(10)).toMatchObject({ ok: true });
    expect(limit(9).ok).toBe(false);
    expect(limit('31m').ok).toBe(false);
    expect(limit(true).ok).toBe(false);
  });

  it('requires a name of at most 64 safe characters', () => {
    expect(validateQuestionSet({ name: 'a'.repeat(64), questions: ['q'] }).ok).toBe(true);
    expect(validateQuestionSet({ name: 'a'.repeat(65), questions: ['q'] }).ok).toBe(false);
    expect(validateQuestionSet({ name: '../etc', questions: ['q'] }).ok).toBe(false);
    expect(validateQuestionSet({ questions: ['q'] }).ok).toBe(false);
  });
});

describe('validateQuestionSet: rubric, competency, follow-ups and context', () => {
  it('keeps them, and writes the set default of follow-ups into questions without their own', () => {
    const r = validateQuestionSet({
      name: 'backend',
      context: ' Senior backend engineer, payments team, remote in the EU. ',
      followUps: 2,
      questions: [
        { text: 'Tell me about a service you designed.', rubric: 'Own decisions, trade-offs, a measured result.', competency: 'system design', followUps: 0 },
        'Why this role?',
      ],
    });
    expect(r).toEqual({
      ok: true,
      set: {
        name: 'backend',
        lang: 'en',
        description: '',
        context: 'Senior backend engineer, payments team, remote in the EU.',
        followUps: 2,
        questions: [
          { text: 'Tell me about a service you designed.', timeLimitMs: DEFAULT_QUESTION_TIME_LIMIT_MS, rubric: 'Own decisions, trade-offs, a measured result.', competency: 'system design', followUps: 0 },
          { text: 'Why this role?', timeLimitMs: DEFAULT_QUESTION_TIME_LIMIT_MS, followUps: 2 },
        ],
      },
    });
  });

  it('rejects a 10,000-character rubric, followUps 7 and a non-string competency, each with its path', () => {
    const r = validateQuestionSet({
      name: 'bad',
      followUps: -1,
      context: ['not', 'text'],
      questions: [{ text: 'q1', rubric: 'x'.repeat(10_000) }, { text: 'q2', followUps: 7 }, { text: 'q3', competency: 42 }, { text: 'q4', followUps: 1.5 }],
    });
    expect(r).toEqual({
      ok: false,
      errors: [
        'context: must be a string',
        'followUps: must be a whole number from 0 to 3',
        'questions[0].rubric: longer than 2000 characters (10000)',
        'questions[1].followUps: must be a whole number from 0 to 3',
        'questions[2].competency: must be a string',
        'questions[3].followUps: must be a whole number from 0 to 3',
      ],
    });
  });

  it('leaves an old-style set exactly as it was', () => {
    const r = validateQuestionSet({ name: 'old', questions: ['q'] });
    expect(r).toEqual({ ok: true, set: { name: 'old', lang: 'en', description: '', questions: [{ text: 'q', timeLimitMs: DEFAULT_QUESTION_TIME_LIMIT_MS }] } });
    expect(followUpsOf({})).toBe(1);
  });
});

describe('validateQuestionSet: what an author gets wrong', () => {
  const problems = (doc: unknown) => {
    const r = validateQuestionSet(doc);
    return r.ok ? [] : r.errors;
  };

  it('reports a 10,000-character rubric, followUps 7 and a non-string competency in one question, each with its path', () => {
    expect(problems({ name: 'x', questions: [{ text: 'q', rubric: 'x'.repeat(10_000), followUps: 7, competency: 42 }] })).toEqual([
      'questions[0].rubric: longer than 2000 characters (10000)',
      'questions[0].competency: must be a string',
      'questions[0].followUps: must be a whole number from 0 to 3',
    ]);
  });

  it('names a field the format does not have, suggesting the one meant', () => {
    expect(problems({ name: 'x', contxt: 'role', followups: 2, questions: [{ text: 'q', rubirc: 'r', competncy: 'c', folowUps: 1, time_limit: '2m' }] })).toEqual([
      'contxt: unknown field (did you mean "context"?)',
      'followups: unknown field (did you mean "followUps"?)',
      'questions[0].rubirc: unknown field (did you mean "rubric"?)',
      'questions[0].competncy: unknown field (did you mean "competency"?)',
      'questions[0].folowUps: unknown field (did you mean "followUps"?)',
      'questions[0].time_limit: unknown field (did you mean "timeLimit"?)',
    ]);
    expect(problems({ name: 'x', notes: 'mine', questions: ['q'], scale: { min: 1, max: 5, step: 1 } })).toEqual([
      'notes: unknown field (known: name, lang, description, context, followUps, scale, questions)',
      'scale.step: unknown field (known: min, max)',
    ]);
  });

  it('says what to do with the fields of `questions show --json` output brought back in', () => {
    expect(problems({ name: 'x', builtin: false, updatedAt: '2026-01-01T00:00:00Z', questions: [{ text: 'q', timeLimitMs: 60_000, scale: { min: 1, max: 5 } }] })).toEqual([
      'builtin: unknown field (it is in the output of questions show/add --json, not in a set file)',
      'updatedAt: unknown field (it is in the output of questions show/add --json, not in a set file)',
      'questions[0].timeLimitMs: unknown field (a file gives "timeLimit": "2m" (a number is seconds))',
      'questions[0].scale: unknown field (the scale is the set\'s: {"scale": {"min": 1, "max": 5}} at the top)',
    ]);
  });

  it('quotes an odd key in its path, bounded, with nothing a terminal acts on', () => {
    const [problem] = problems({ name: 'x', questions: ['q'], [`time limit\u001b[2J\u202e${'y'.repeat(100)}`]: 1 });
    expect(problem).toBe(`["time limit\\u001b[2J\\u202e${'y'.repeat(25)}…"]: unknown field (known: name, lang, description, context, followUps, scale, questions)`);
    expect(problems({ name: 'x', questions: ['q'], toString: 1, __proto__: 1 } as unknown)).toHaveLength(1);
    expect(problems(JSON.parse('{"name": "x", "questions": ["q"], "__proto__": 1, "constructor": 2}'))).toEqual([
      '__proto__: unknown field (known: name, lang, description, context, followUps, scale, questions)',
      'constructor: unknown field (known: name, lang, description, context, followUps, scale, questions)',
    ]);
  });

  it('refuses a question asked twice (spacing and case aside), naming the first', () => {
    expect(problems({ name: 'x', questions: ['Tell me about yourself.', 'Why us?', { text: '  tell me  about YOURSELF. ' }, 'Why us?'] })).toEqual([
      'questions[2].text: the same question as questions[0]',
      'questions[3].text: the same question as questions[1]',
    ]);
    expect(problems({ name: 'x', lang: 'ja', questions: ['自己紹介をお願いします。', '自己紹介をお願いします。'] })).toEqual(['questions[1].text: the same question as questions[0]']);
  });

  it('says how long a text is, and whether it is missing, blank or not text', () => {
    expect(problems({ name: 'x', questions: ['q'.repeat(5000), { text: 42 }, { text: '   ' }, { rubric: 'r' }, { text: null }] })).toEqual([
      'questions[0].text: longer than 1000 characters (5000)',
      'questions[1].text: must be a string',
      'questions[2].text: required (this one is blank)',
      'questions[3].text: required',
      'questions[4].text: required',
    ]);
    expect(problems({ name: 'x', description: 'd'.repeat(1001), context: 'c'.repeat(50_000), questions: ['q'] })).toEqual([
      'description: longer than 1000 characters (1001)',
      'context: longer than 4000 characters (50000)',
    ]);
  });

  it.each([['0s'], ['-5s'], ['10h'], ['abc'], [''], ['5'], [0], [-5], [1801], [true], [[]], [{}]])('refuses a time limit of %j', (timeLimit) => {
    expect(problems({ name: 'x', questions: [{ text: 'q', timeLimit }] })).toEqual(['questions[0].timeLimit: must be a duration between 10s and 30m (like "90s" or "3m", or a number of seconds)']);
  });

  it.each([[1.5], ['2'], [-1], [4], [true], [[1]]])('refuses followUps %j, in a question and for the set', (followUps) => {
    expect(problems({ name: 'x', followUps, questions: [{ text: 'q', followUps }] })).toEqual(['followUps: must be a whole number from 0 to 3', 'questions[0].followUps: must be a whole number from 0 to 3']);
  });

  it('takes null as leaving an optional field out', () => {
    const r = validateQuestionSet({ name: 'x', lang: null, description: null, context: null, followUps: null, scale: null, questions: [{ text: 'q', timeLimit: null, rubric: null, competency: null, followUps: null }] });
    expect(r).toEqual({ ok: true, set: { name: 'x', lang: 'en', description: '', questions: [{ text: 'q', timeLimitMs: DEFAULT_QUESTION_TIME_LIMIT_MS }] } });
  });

  it('checks every question even past 50, so one run lists everything', () => {
    const questions = Array.from({ length: 52 }, (_, i) => `Question ${i + 1}?`);
    questions[51] = 'Question 1?';
    expect(problems({ name: 'x', questions })).toEqual(['questions: at most 50 questions (52)', 'questions[51].text: the same question as questions[0]']);
  });

  it('refuses control characters, bidi overrides and escape sequences wherever text goes, by position', () => {
    expect(problems({ name: 'x', description: 'd\u001b[2J', context: 'ok\nnext line\u0007', questions: ['bell\u0007', { text: 'rtl \u202eevil', rubric: 'r\u001b]0;t\u0007', competency: 'c\u009b' }] })).toEqual([
      'description: contains a control character (U+001B at character 2)',
      'context: contains a control character (U+0007 at character 13)',
      'questions[0].text: contains a control character (U+0007 at character 5)',
      'questions[1].text: contains a bidirectional formatting character (U+202E at character 5)',
      'questions[1].rubric: contains a control character (U+001B at character 2)',
      'questions[1].competency: contains a control character (U+009B at character 2)',
    ]);
  });

  it('keeps emoji and Japanese everywhere', () => {
    const r = validateQuestionSet({ name: 'ja-emoji', lang: 'ja', description: '絵文字 🎉', context: '東京のチーム 👩‍💻', questions: [{ text: '自己紹介をお願いします 🙂', competency: 'コミュニケーション', rubric: '具体例 ✅' }] });
    expect(r).toMatchObject({ ok: true, set: { description: '絵文字 🎉', context: '東京のチーム 👩‍💻', questions: [{ text: '自己紹介をお願いします 🙂', competency: 'コミュニケーション', rubric: '具体例 ✅' }] } });
  });

  it.each(['my set', 'a/b', '..', '../etc', '.hidden', 'a\\b', ''])('refuses the name %j', (name) => {
    expect(problems({ name, questions: ['q'] })).toEqual(['name: required, letters, digits, ".", "_" or "-", at most 64 characters']);
  });
});

describe('built-in question sets', () => {
  it('has a default set in English and in Japanese, each valid as a document', () => {
    for (const lang of ['en', 'ja'] as const) {
      const set = builtinQuestionSet('default', lang);
      expect(set?.questions.length).toBeGreaterThan(0);
      const again = validateQuestionSet({ ...set, questions: set!.questions.map((q) => ({ text: q.text, timeLimit: q.timeLimitMs / 1000 })) });
      expect(again).toEqual({ ok: true, set });
    }
    expect(builtinQuestionSet('nope', 'en')).toBeUndefined();
    expect(BUILTIN_QUESTION_SETS.find((s) => s.lang === 'ja')!.questions[0]!.text).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
  });
});
