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
        'questions[1].text: required',
        'questions[2]: must be a string or {"text": …, "timeLimit": "2m"}',
        'questions[3].text: longer than 1000 characters',
        'questions[4].timeLimit: must be a duration between 10s and 30m',
        'questions[5].timeLimit: must be a duration between 10s and 30m',
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
    expect(validateQuestionSet({ name: 'a', questions: Array(51).fill('q') })).toEqual({ ok: false, errors: ['questions: at most 50 questions'] });
    expect(validateQuestionSet({ name: 'a', questions: Array(50).fill('q') }).ok).toBe(true);
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
