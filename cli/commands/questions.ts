import { createReadStream } from 'node:fs';
import { NotFoundError, UsageError } from '../core/errors.js';
import { isLang, LANGS, type Lang } from '../core/lang.js';
import { DEFAULT_FOLLOW_UPS, followUpsOf, validateQuestionSet, type QuestionSet } from '../core/questions.js';
import { formatDuration } from '../core/duration.js';
import { createPrinter, safe, table } from '../output.js';
import { findJsonSyntaxError } from '../core/json-syntax.js';
import { withContext, type GlobalOptions } from '../context.js';

/** A question set file is a few KiB; anything past this is not one (`questions add /dev/urandom`). */
const QUESTION_FILE_MAX = 1024 * 1024;
const PROBLEMS_SHOWN = 50;

export async function add(file: string, global: GlobalOptions): Promise<number> {
  const set = await readQuestionSetFile(file);
  return withContext(global, async (ctx) => {
    const { questionSets } = await ctx.repos();
    const result = await questionSets.upsert(set);
    ctx.out.result({ ...set, result }, () => `${result} question set ${set.name} (${set.lang}, ${questionCount(set)})`);
    return 0;
  });
}

/** `questions validate FILE`: the checks of `add`, without the database (for CI and editors). */
export async function validate(file: string, global: GlobalOptions): Promise<number> {
  const set = await readQuestionSetFile(file);
  createPrinter(global).result({ ...set, valid: true }, () => `valid: question set ${set.name} (${set.lang}, ${questionCount(set)}); nothing stored`);
  return 0;
}

const questionCount = (set: QuestionSet) => `${set.questions.length} question${set.questions.length === 1 ? '' : 's'}`;

/**
 * Reads and checks a question-set file (or stdin for `-`). Every problem is a UsageError naming
 * the file and, for bad JSON, the line and column; never a stretch of the file's text.
 */
async function readQuestionSetFile(path: string): Promise<QuestionSet> {
  const file = path === '-' ? 'stdin' : path;
  let text: string;
  try {
    text = await readBounded(path === '-' ? process.stdin : createReadStream(path), QUESTION_FILE_MAX);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`${file}: no such file`);
    if (err === TOO_BIG) throw new UsageError(`${file}: larger than ${QUESTION_FILE_MAX / 1024} KiB, which no question set is`);
    if ((err as NodeJS.ErrnoException).code === 'EISDIR' || (err as NodeJS.ErrnoException).code === 'EACCES') throw new UsageError(`${file}: cannot be read (${(err as NodeJS.ErrnoException).code})`);
    throw err;
  }
  if (text.includes('\uFFFD')) throw new UsageError(`${file}: not UTF-8 text`);
  text = text.replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new UsageError(`${file}: empty; a question set is one JSON object: {"name": …, "questions": […]}`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the error (which may be anything) and, in
    // Node 20, often gives no position; say where instead.
    const at = findJsonSyntaxError(text);
    const yaml = /\.ya?ml$/i.test(file) ? '; question sets are JSON files, YAML is not read' : '';
    throw new UsageError(`${file}: not valid JSON${at ? ` at line ${at.line}, column ${at.column}: ${at.reason}` : ''}${yaml}`);
  }
  const checked = validateQuestionSet(doc);
  if (!checked.ok) {
    // Every problem, up to a screenful: a generated file can have thousands of the same one.
    const shown = checked.errors.slice(0, PROBLEMS_SHOWN);
    const more = checked.errors.length - shown.length;
    throw new UsageError(`${file}: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`);
  }
  return checked.set;
}

export async function listSets(global: GlobalOptions): Promise<number> {
  return withContext(global, async (ctx) => {
    const { questionSets } = await ctx.repos();
    const sets = await questionSets.list();
    ctx.out.result(sets, () =>
      table(['NAME', 'LANG', 'QUESTIONS', 'SOURCE', 'DESCRIPTION'], sets.map((s) => [s.name, s.lang, String(s.questions.length), s.builtin ? 'built-in' : 'added', s.description])),
    );
    return 0;
  });
}

export async function showSet(name: string, opts: { lang?: string }, global: GlobalOptions): Promise<number> {
  const lang = (opts.lang ?? 'en') as Lang;
  if (!isLang(lang)) throw new UsageError(`--lang: ${JSON.stringify(opts.lang)} is not one of ${LANGS.join(', ')}`);
  return withContext(global, async (ctx) => {
    const { questionSets } = await ctx.repos();
    const set = await questionSets.find(name, lang);
    if (!set) throw new NotFoundError(`no question set ${JSON.stringify(name)} in ${lang}`);
    ctx.out.result(set, () => questionSetDetails(set));
    return 0;
  });
}

/** Everything a set holds, for `questions show`: the role context, and per question its limit, follow-ups, competency and rubric. */
export function questionSetDetails(set: QuestionSet & { builtin: boolean }): string {
  const out = [`${set.name} (${set.lang}, ${set.builtin ? 'built-in' : 'added'})${set.description ? ` — ${safe(set.description)}` : ''}`];
  if (set.context) out.push(`context: ${safe(set.context)}`);
  out.push(`follow-ups per question: ${set.followUps ?? DEFAULT_FOLLOW_UPS}${set.followUps === undefined ? ' (default)' : ''}`);
  // The set's scale is copied into each of its questions (and absent from a set without one).
  const scale = set.questions[0]?.scale;
  out.push(`scale: ${scale ? `${scale.min}-${scale.max}` : '1-5 (default)'}`);
  set.questions.forEach((q, i) => {
    const tags = [formatDuration(q.timeLimitMs), `${followUpsOf(q)} follow-up${followUpsOf(q) === 1 ? '' : 's'}`, ...(q.competency ? [safe(q.competency)] : [])];
    out.push(`${String(i + 1).padStart(2)}. ${safe(q.text)}  [${tags.join(', ')}]`);
    if (q.rubric) out.push(`    rubric: ${safe(q.rubric)}`);
  });
  return out.join('\n');
}

const TOO_BIG = new Error('too big');

/** Reads a stream as UTF-8 text, stopping (and throwing TOO_BIG) past `max` bytes. */
async function readBounded(stream: NodeJS.ReadableStream & { destroy?: () => void }, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stream) {
    const chunk = typeof c === 'string' ? Buffer.from(c) : (c as Buffer);
    size += chunk.length;
    if (size > max) {
      stream.destroy?.();
      throw TOO_BIG;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
