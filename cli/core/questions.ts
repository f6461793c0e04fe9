import { parseDuration } from './duration.js';
import { isLang, LANGS, type Lang } from './lang.js';
import { unsafeTextProblem } from './text-safety.js';

export interface Question {
  text: string;
  /** How long the candidate may answer before the interviewer moves on. */
  timeLimitMs: number;
  /** What a strong answer shows (for the interviewer's follow-ups and for scoring). */
  rubric?: string;
  /** A short label of what the question probes ("system design"). */
  competency?: string;
  /** The set's scoring scale, copied into each question of an interview (absent: 1–5). */
  scale?: { min: number; max: number };
  /** Follow-ups the interviewer may ask on this question (0–3); absent: DEFAULT_FOLLOW_UPS. */
  followUps?: number;
}

export interface QuestionSet {
  name: string;
  lang: Lang;
  description: string;
  questions: Question[];
  /** The role, for the model: the only facts it may tell a candidate who asks about the job. */
  context?: string;
  /** The set's default follow-ups per question (0–3); already applied to each question. */
  followUps?: number;
}

/** Follow-ups per question when neither the question nor its set says (SPEC section 11). */
export const DEFAULT_FOLLOW_UPS = 1;
export const MAX_FOLLOW_UPS = 3;
export const MAX_RUBRIC_CHARS = 2000;
export const MAX_CONTEXT_CHARS = 4000;
export const MAX_COMPETENCY_CHARS = 60;

/** How many follow-ups a question allows. */
export function followUpsOf(q: Pick<Question, 'followUps'>): number {
  return q.followUps ?? DEFAULT_FOLLOW_UPS;
}

export const DEFAULT_QUESTION_TIME_LIMIT_MS = 120_000;
const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

export const BUILTIN_QUESTION_SETS: readonly QuestionSet[] = [
  {
    name: 'default',
    lang: 'en',
    description: 'A short general screening interview',
    questions: [
      'Could you briefly introduce yourself and your current role?',
      'Tell me about a project you are proud of and the part you played in it.',
      'Describe a time you disagreed with a teammate. How did you resolve it?',
      'What are you looking for in your next role?',
    ].map((text) => ({ text, timeLimitMs: DEFAULT_QUESTION_TIME_LIMIT_MS })),
  },
  {
    name: 'default',
    lang: 'ja',
    description: '一般的な一次面接（短め）',
    questions: [
      '簡単に自己紹介と、現在のお仕事について教えてください。',
      'これまでに誇りに思っているプロジェクトと、その中でのあなたの役割を教えてください。',
      'チームメンバーと意見が合わなかった経験と、どのように解決したかを教えてください。',
      '次の職場で何を求めていますか。',
    ].map((text) => ({ text, timeLimitMs: DEFAULT_QUESTION_TIME_LIMIT_MS })),
  },
];

export function builtinQuestionSet(name: string, lang: Lang): QuestionSet | undefined {
  return BUILTIN_QUESTION_SETS.find((s) => s.name === name && s.lang === lang);
}

/**
 * Validates a question-set document (the JSON of `questions add`). Every problem is returned
 * with its JSON path, so one run tells the author everything to fix.
 *
 * Shape: `{ name, lang?: "en"|"ja", description?, context?, followUps?: 0-3,
 *   questions: [string | {text, timeLimit?, rubric?, competency?, followUps?: 0-3}] }`.
 * The set's `followUps` is written into each question that does not give its own, so an
 * interview's copy of the questions carries everything the interviewer needs.
 */
function pushProblem(errors: string[], problem: string | undefined): void {
  if (problem) errors.push(problem);
}

export function validateQuestionSet(doc: unknown): { ok: true; set: QuestionSet } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return { ok: false, errors: ['the file must hold one JSON object: {"name": …, "questions": […]}'] };
  }
  const d = doc as Record<string, unknown>;
  const name = d.name;
  if (typeof name !== 'string' || !NAME.test(name)) {
    errors.push('name: required, letters, digits, ".", "_" or "-", at most 64 characters');
  }
  const lang = d.lang ?? 'en';
  if (typeof lang !== 'string' || !isLang(lang)) {
    errors.push(`lang: must be one of ${LANGS.join(', ')}`);
  }
  const description = d.description ?? '';
  if (typeof description !== 'string') errors.push('description: must be a string');
  else if (description.length > 1000) errors.push('description: longer than 1000 characters');
  else pushProblem(errors, unsafeTextProblem('description', description));
  const context = optionalText(d.context, 'context', MAX_CONTEXT_CHARS, errors);
  const setFollowUps = optionalFollowUps(d.followUps, 'followUps', errors);
  const questions: Question[] = [];
  if (!Array.isArray(d.questions) || d.questions.length === 0) {
    errors.push('questions: required, a non-empty array');
  } else if (d.questions.length > 50) {
    errors.push('questions: at most 50 questions');
  } else {
    d.questions.forEach((q, i) => {
      const at = `questions[${i}]`;
      const item = typeof q === 'string' ? { text: q } : q;
      if (typeof item !== 'object' || item === null) {
        errors.push(`${at}: must be a string or {"text": …, "timeLimit": "2m"}`);
        return;
      }
      const { text, timeLimit, rubric, competency, followUps } = item as Record<string, unknown>;
      if (typeof text !== 'string' || text.trim() === '') errors.push(`${at}.text: required`);
      else if (text.length > 1000) errors.push(`${at}.text: longer than 1000 characters`);
      else pushProblem(errors, unsafeTextProblem(`${at}.text`, text));
      let timeLimitMs = DEFAULT_QUESTION_TIME_LIMIT_MS;
      if (timeLimit !== undefined) {
        const parsed = typeof timeLimit === 'string' ? parseDuration(timeLimit) : typeof timeLimit === 'number' ? timeLimit * 1000 : undefined;
        if (parsed === undefined || parsed < 10_000 || parsed > 1_800_000) {
          errors.push(`${at}.timeLimit: must be a duration between 10s and 30m`);
        } else timeLimitMs = parsed;
      }
      const r = optionalText(rubric, `${at}.rubric`, MAX_RUBRIC_CHARS, errors);
      const c = optionalText(competency, `${at}.competency`, MAX_COMPETENCY_CHARS, errors);
      const f = optionalFollowUps(followUps, `${at}.followUps`, errors) ?? setFollowUps;
      if (typeof text === 'string') {
        questions.push({ text: text.trim(), timeLimitMs, ...(r ? { rubric: r } : {}), ...(c ? { competency: c } : {}), ...(f !== undefined ? { followUps: f } : {}) });
      }
    });
  }
  applySetScale(d.scale, questions, errors);
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    set: {
      name: name as string,
      lang: lang as Lang,
      description: description as string,
      questions,
      ...(context ? { context } : {}),
      ...(setFollowUps !== undefined ? { followUps: setFollowUps } : {}),
    },
  };
}

/**
 * The set's `scale` ({"min": 1, "max": 5} when absent), written into each question so an
 * interview's copy of its questions says how it is scored.
 */
function applySetScale(v: unknown, questions: Question[], errors: string[]): void {
  if (v === undefined || v === null) return;
  const { min, max } = (typeof v === 'object' && !Array.isArray(v) ? v : {}) as Record<string, unknown>;
  const whole = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 100;
  if (!whole(min) || !whole(max) || max - min < 1 || max - min > 100) {
    errors.push('scale: must be {"min": N, "max": M} with whole numbers 0-100 and min < max (default {"min": 1, "max": 5})');
    return;
  }
  for (const q of questions) q.scale = { min, max };
}

function optionalText(v: unknown, at: string, max: number, errors: string[]): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') {
    errors.push(`${at}: must be a string`);
    return undefined;
  }
  if (v.length > max) {
    errors.push(`${at}: longer than ${max} characters (${v.length})`);
    return undefined;
  }
  // Paragraphs are fine in a context or a rubric (they only reach the model, and terminals through
  // the output module's escaping); every other control or bidi character is refused.
  const problem = unsafeTextProblem(at, v.replace(/\r?\n|\t/g, ' '));
  if (problem) {
    pushProblem(errors, problem);
    return undefined;
  }
  return v.trim() || undefined;
}

function optionalFollowUps(v: unknown, at: string, errors: string[]): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_FOLLOW_UPS) {
    errors.push(`${at}: must be a whole number from 0 to ${MAX_FOLLOW_UPS}`);
    return undefined;
  }
  return v;
}
