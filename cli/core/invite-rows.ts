import { parseDuration } from './duration.js';
import type { CsvRecord } from './csv.js';
import { unsafeTextProblem } from './text-safety.js';
import { isLang, LANGS, type Lang } from './lang.js';

export const INVITE_COLUMNS = ['name', 'email', 'ref', 'duration', 'questions', 'lang', 'expires'] as const;
export type InviteColumn = (typeof INVITE_COLUMNS)[number];
// Kept for branches written before Lang moved to its own module; import from ./lang.js.
export { LANGS, type Lang } from './lang.js';

/** What one invite needs, with defaults already applied. */
export interface InviteInput {
  name: string;
  email: string | null;
  ref: string | null;
  durationMs: number;
  questionSet: string;
  lang: Lang;
  expiresInMs: number;
}

export interface InviteDefaults {
  durationMs: number;
  expiresInMs: number;
  questionSet: string;
  lang: Lang;
}

export type RowResult =
  | { ok: true; line: number; input: InviteInput }
  | { ok: false; line: number; ref: string | null; error: string };

export const LIMITS = {
  nameMax: 200,
  emailMax: 320,
  refMax: 200,
  minDurationMs: 60_000,
  maxDurationMs: 4 * 3_600_000,
  minExpiresMs: 60_000,
  maxExpiresMs: 365 * 86_400_000,
};

// Linear: one run of non-@ characters, one @, then labels split on dots with no backtracking
// between them (the old /[^\s@]+\.[^\s@]+$/ tail was quadratic: 26.7 s of CPU for a 150 KB value).
const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;
const SET_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

/** The header row, mapped to known columns; unknown ones are reported so the caller can warn once. */
export interface CsvHeader {
  index: Partial<Record<InviteColumn, number>>;
  unknown: string[];
}

export function readHeader(record: CsvRecord): CsvHeader | { error: string } {
  const index: Partial<Record<InviteColumn, number>> = {};
  const unknown: string[] = [];
  record.fields.forEach((raw, i) => {
    const name = raw.trim().toLowerCase();
    if ((INVITE_COLUMNS as readonly string[]).includes(name)) {
      if (index[name as InviteColumn] === undefined) index[name as InviteColumn] = i;
    } else unknown.push(raw.trim());
  });
  if (index.name === undefined) {
    const seen = record.fields.map((f) => JSON.stringify(f.trim())).join(', ').slice(0, 120);
    return { error: `line ${record.line}: the header has no "name" column (found ${seen || 'nothing'})` };
  }
  return { index, unknown };
}

// A batch file repeats a handful of duration texts: each is parsed once (bounded, in case a file
// has a different one on every row).
const durationCache = new Map<string, number | undefined>();
function cachedDuration(text: string): number | undefined {
  if (durationCache.has(text)) return durationCache.get(text);
  const ms = parseDuration(text);
  if (durationCache.size < 256) durationCache.set(text, ms);
  return ms;
}

const trimmed = (value: string | undefined): string => (value === undefined ? '' : value.trim());
const column = (fields: string[], i: number | undefined): string | undefined => (i === undefined ? undefined : fields[i]);

/** Validates one invite, whether it came from a CSV row or from flags. */
export function validateInvite(
  fields: Partial<Record<InviteColumn, string | undefined>>,
  defaults: InviteDefaults,
): { ok: true; input: InviteInput } | { ok: false; error: string } {
  const get = (k: InviteColumn) => trimmed(fields[k]);
  const name = get('name');
  if (name === '') return { ok: false, error: 'name: required' };
  // Counted in code points, but only when the cheap UTF-16 length says it might be too long.
  if (name.length > LIMITS.nameMax && [...name].length > LIMITS.nameMax) return { ok: false, error: `name: longer than ${LIMITS.nameMax} characters` };
  const nameProblem = unsafeTextProblem('name', name);
  if (nameProblem) return { ok: false, error: nameProblem };

  // The length first, then a linear pattern; the value is never echoed (SPEC section 10).
  const email = get('email');
  if (email.length > LIMITS.emailMax) return { ok: false, error: `email: longer than ${LIMITS.emailMax} characters` };
  const emailProblem = unsafeTextProblem('email', email);
  if (emailProblem) return { ok: false, error: emailProblem };
  if (email !== '' && !EMAIL.test(email)) return { ok: false, error: 'email: not an email address (expected name@example.com)' };
  const ref = get('ref');
  if (ref.length > LIMITS.refMax) return { ok: false, error: `ref: longer than ${LIMITS.refMax} characters` };
  const refProblem = unsafeTextProblem('ref', ref);
  if (refProblem) return { ok: false, error: refProblem };

  let durationMs = defaults.durationMs;
  const durationText = get('duration');
  if (durationText !== '') {
    const d = cachedDuration(durationText);
    if (d === undefined) return { ok: false, error: `duration: ${JSON.stringify(durationText)} is not a duration (use 20m, 1h, 90s or seconds)` };
    if (d < LIMITS.minDurationMs || d > LIMITS.maxDurationMs) {
      return { ok: false, error: `duration: ${durationText} is outside 1m to 4h` };
    }
    durationMs = d;
  }

  let expiresInMs = defaults.expiresInMs;
  const expiresText = get('expires');
  if (expiresText !== '') {
    const e = cachedDuration(expiresText);
    if (e === undefined) return { ok: false, error: `expires: ${JSON.stringify(expiresText)} is not a duration (use 7d, 48h, 30m)` };
    if (e < LIMITS.minExpiresMs || e > LIMITS.maxExpiresMs) {
      return { ok: false, error: `expires: ${expiresText} is outside 1m to 365d` };
    }
    expiresInMs = e;
  }

  const questionSet = get('questions') || defaults.questionSet;
  if (!SET_NAME.test(questionSet)) return { ok: false, error: `questions: ${JSON.stringify(questionSet)} is not a question set name` };

  const langText = get('lang').toLowerCase() || defaults.lang;
  if (!isLang(langText)) {
    return { ok: false, error: `lang: ${JSON.stringify(get('lang'))} is not one of ${LANGS.join(', ')}` };
  }

  return {
    ok: true,
    input: {
      name,
      email: email || null,
      ref: ref || null,
      durationMs,
      questionSet,
      lang: langText as Lang,
      expiresInMs,
    },
  };
}

/**
 * Turns one CSV record into an invite or a line-numbered error. `seenRefs` tracks refs earlier in
 * the same file so a duplicate inside one file is rejected rather than silently merged.
 */
export function readInviteRow(
  record: CsvRecord,
  header: CsvHeader,
  defaults: InviteDefaults,
  seenRefs: Map<string, number>,
): RowResult {
  // One object of a fixed shape per row (absent columns read as undefined, as missing keys would).
  const { index } = header;
  const f = record.fields;
  const fields: Partial<Record<InviteColumn, string>> = {
    name: column(f, index.name),
    email: column(f, index.email),
    ref: column(f, index.ref),
    duration: column(f, index.duration),
    questions: column(f, index.questions),
    lang: column(f, index.lang),
    expires: column(f, index.expires),
  };
  const refRaw = fields.ref?.trim() || null;
  if (record.error) return { ok: false, line: record.line, ref: refRaw, error: `csv: ${record.error}` };
  const result = validateInvite(fields, defaults);
  if (!result.ok) return { ok: false, line: record.line, ref: refRaw, error: result.error };
  const ref = result.input.ref;
  if (ref !== null) {
    const first = seenRefs.get(ref);
    if (first !== undefined) {
      return { ok: false, line: record.line, ref, error: `ref: ${JSON.stringify(ref)} already appears on line ${first} of this file` };
    }
    seenRefs.set(ref, record.line);
  }
  return { ok: true, line: record.line, input: result.input };
}
