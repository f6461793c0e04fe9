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
export const MAX_TEXT_CHARS = 1000;
export const MAX_QUESTIONS = 50;

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

/** Adds `problem` when there is one; true when it did. */
function pushProblem(errors: string[], problem: string | undefined): boolean {
  if (problem) errors.push(problem);
  return problem !== undefined;
}

/**
 * Validates a question-set document (the JSON of `questions add`). Every problem is returned
 * with its JSON path, so one run tells the author everything to fix.
 *
 * Shape: `{ name, lang?: "en"|"ja", description?, context?, followUps?: 0-3, scale?: {min, max},
 *   questions: [string | {text, timeLimit?, rubric?, competency?, followUps?: 0-3}] }`.
 * A field outside that shape, or a question asked twice, is a problem too; `null` is the same
 * as leaving an optional field out.
 * The set's `followUps` is written into each question that does not give its own, so an
 * interview's copy of the questions carries everything the interviewer needs.
 */
export function validateQuestionSet(doc: unknown): { ok: true; set: QuestionSet } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return { ok: false, errors: ['the file must hold one JSON object: {"name": …, "questions": […]}'] };
  }
  const d = doc as Record<string, unknown>;
  unknownFields(d, SET_FIELDS, '', errors);
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
  else if (description.length > 1000) errors.push(`description: longer than 1000 characters (${description.length})`);
  else pushProblem(errors, unsafeTextProblem('description', description));
  const context = optionalText(d.context, 'context', MAX_CONTEXT_CHARS, errors);
  const setFollowUps = optionalFollowUps(d.followUps, 'followUps', errors);
  const questions: Question[] = [];
  if (!Array.isArray(d.questions) || d.questions.length === 0) {
    errors.push('questions: required, a non-empty array');
  } else {
    // Past the limit each question is still checked, so one run lists everything to fix.
    if (d.questions.length > MAX_QUESTIONS) errors.push(`questions: at most ${MAX_QUESTIONS} questions (${d.questions.length})`);
    const firstAt = new Map<string, number>();
    d.questions.forEach((q, i) => {
      const at = `questions[${i}]`;
      const item = typeof q === 'string' ? { text: q } : q;
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        errors.push(`${at}: must be a string or {"text": …, "timeLimit": "2m"}`);
        return;
      }
      unknownFields(item as Record<string, unknown>, QUESTION_FIELDS, `${at}.`, errors);
      const { text, timeLimit, rubric, competency, followUps } = item as Record<string, unknown>;
      if (text === undefined || text === null) errors.push(`${at}.text: required`);
      else if (typeof text !== 'string') errors.push(`${at}.text: must be a string`);
      else if (text.trim() === '') errors.push(`${at}.text: required (this one is blank)`);
      else if (text.length > MAX_TEXT_CHARS) errors.push(`${at}.text: longer than ${MAX_TEXT_CHARS} characters (${text.length})`);
      else if (!pushProblem(errors, unsafeTextProblem(`${at}.text`, text))) {
        // The interviewer would ask it twice, and the evaluation would score it twice.
        const key = text.trim().replace(/\s+/g, ' ').toLowerCase();
        const first = firstAt.get(key);
        if (first !== undefined) errors.push(`${at}.text: the same question as questions[${first}]`);
        else firstAt.set(key, i);
      }
      let timeLimitMs = DEFAULT_QUESTION_TIME_LIMIT_MS;
      if (timeLimit !== undefined && timeLimit !== null) {
        const parsed = typeof timeLimit === 'string' ? parseDuration(timeLimit) : typeof timeLimit === 'number' ? timeLimit * 1000 : undefined;
        if (parsed === undefined || parsed < 10_000 || parsed > 1_800_000) {
          errors.push(`${at}.timeLimit: must be a duration between 10s and 30m (like "90s" or "3m", or a number of seconds)`);
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

const SET_FIELDS = ['name', 'lang', 'description', 'context', 'followUps', 'scale', 'questions'] as const;
const QUESTION_FIELDS = ['text', 'timeLimit', 'rubric', 'competency', 'followUps'] as const;

/**
 * A field the format does not have is an error, not ignored: a typo ("rubirc") would otherwise
 * store the set without the rubric and nobody would know. The nearest known field is suggested.
 */
function unknownFields(obj: Record<string, unknown>, known: readonly string[], prefix: string, errors: string[]): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const near = nearestField(key, known);
    const hint = FIELD_HINTS.get(`${prefix.replace(/\[\d+\]/, '[]')}${key}`) ?? (near ? `did you mean "${near}"?` : `known: ${known.join(', ')}`);
    errors.push(`${prefix}${fieldPath(key)}: unknown field (${hint})`);
  }
}

// Fields of the commands' --json output, which a round trip (`questions show --json > set.json`) brings along.
const OUTPUT_ONLY = 'it is in the output of questions show/add --json, not in a set file';
const FIELD_HINTS = new Map<string, string>([
  ['builtin', OUTPUT_ONLY],
  ['updatedAt', OUTPUT_ONLY],
  ['result', OUTPUT_ONLY],
  ['valid', OUTPUT_ONLY],
  ['questions[].timeLimitMs', 'a file gives "timeLimit": "2m" (a number is seconds)'],
  ['questions[].scale', 'the scale is the set\'s: {"scale": {"min": 1, "max": 5}} at the top'],
]);

/** A key as a path segment: `rubirc`, or `["time limit"]` when it is not a plain name. */
function fieldPath(key: string): string {
  if (/^[A-Za-z_$][\w$]{0,63}$/.test(key)) return key;
  const shown = [...key].length > 40 ? `${[...key].slice(0, 40).join('')}…` : key;
  // The key comes from the file: JSON-quoted, and with anything a terminal would act on as \u escapes.
  return `[${JSON.stringify(shown).replace(/[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}]`;
}

function nearestField(key: string, known: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');
  let best: { field: string; distance: number } | undefined;
  const k = norm(key);
  for (const field of known) {
    // A key far longer than any field is no typo of one (and a megabyte-long key stays cheap).
    if (Math.abs(k.length - field.length) > 2) continue;
    const distance = editDistance(k, norm(field));
    if (distance <= Math.min(2, Math.floor(field.length / 3)) && (!best || distance < best.distance)) best = { field, distance };
  }
  return best?.field;
}

/** Levenshtein distance, counting a swap of two neighbours as one edit ("rubirc" → "rubric"). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The set's `scale` ({"min": 1, "max": 5} when absent), written into each question so an
 * interview's copy of its questions says how it is scored.
 */
function applySetScale(v: unknown, questions: Question[], errors: string[]): void {
  if (v === undefined || v === null) return;
  const { min, max } = (typeof v === 'object' && !Array.isArray(v) ? v : {}) as Record<string, unknown>;
  if (typeof v === 'object' && !Array.isArray(v)) unknownFields(v as Record<string, unknown>, ['min', 'max'], 'scale.', errors);
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
