import type { InterviewRepo, NewInterview } from '../adapters/db/interviews.js';
import type { QuestionSetRepo } from '../adapters/db/question-sets.js';
import { CsvParser, type CsvRecord } from '../core/csv.js';
import { UsageError } from '../core/errors.js';
import { interviewUrl, newInterviewId } from '../core/ids.js';
import type { Interview } from '../core/interview.js';
import { readHeader, readInviteRow, type CsvHeader, type InviteDefaults, type InviteInput } from '../core/invite-rows.js';
import type { Lang } from '../core/lang.js';
import type { Question } from '../core/questions.js';

export interface CreateContext {
  interviews: InterviewRepo;
  questionSets: QuestionSetRepo;
  publicUrl: string;
  now?: () => Date;
}

/** What happened to one input row, in the NDJSON shape SPEC.md section 7 fixes. */
export interface RowOutcome {
  line: number;
  ref: string | null;
  status: 'created' | 'exists' | 'error';
  id: string | null;
  url: string | null;
  error: string | null;
}

export interface BatchSummary {
  rows: number;
  created: number;
  exists: number;
  errors: number;
  withoutRef: number;
  unknownColumns: string[];
}

const CHUNK = 2000;

/** Question sets by name and language, each looked up once; `known` answers without waiting. */
function questionResolver(ctx: CreateContext) {
  const cache = new Map<string, Question[] | null>();
  // Each set's context, by its questions array (the rows of one set share it).
  const contexts = new WeakMap<Question[], string | null>();
  const key = (set: string, lang: Lang) => `${set}\u0000${lang}`;
  const resolve = async (set: string, lang: Lang): Promise<Question[] | null> => {
    const k = key(set, lang);
    if (!cache.has(k)) {
      const found = await ctx.questionSets.find(set, lang);
      if (found) contexts.set(found.questions, found.context ?? null);
      cache.set(k, found?.questions ?? null);
    }
    return cache.get(k)!;
  };
  resolve.contextOf = (questions: Question[]): string | null => contexts.get(questions) ?? null;
  let lastSet = '';
  let lastLang = '';
  let last: Question[] | null | undefined;
  // Rows mostly repeat the previous row's set: that answer is kept apart from the map.
  resolve.known = (set: string, lang: Lang): Question[] | null | undefined => {
    if (set !== lastSet || lang !== lastLang) {
      const k = key(set, lang);
      if (!cache.has(k)) return undefined;
      lastSet = set;
      lastLang = lang;
      last = cache.get(k);
    }
    return last;
  };
  return resolve;
}

function missingSet(input: InviteInput): string {
  return `questions: no question set ${JSON.stringify(input.questionSet)} in ${input.lang} (see \`interviewctl questions list\`)`;
}

function toNew(input: InviteInput, questions: Question[], roleContext: string | null, now: Date): NewInterview {
  return {
    id: newInterviewId(),
    candidateName: input.name,
    candidateEmail: input.email,
    ref: input.ref,
    lang: input.lang,
    durationMs: input.durationMs,
    questionSet: input.questionSet,
    questions,
    roleContext,
    createdAt: now,
    expiresAt: new Date(now.getTime() + input.expiresInMs),
  };
}

/** Creates one interview; with a ref that exists already, returns that one instead. */
export async function createInterview(ctx: CreateContext, input: InviteInput): Promise<{ status: 'created' | 'exists'; interview: Interview }> {
  const resolve = questionResolver(ctx);
  const questions = await resolve(input.questionSet, input.lang);
  if (!questions) throw new UsageError(missingSet(input).replace(/^questions: /, '--questions: '));
  const row = toNew(input, questions, resolve.contextOf(questions), (ctx.now ?? (() => new Date()))());
  const { created, existing } = await ctx.interviews.insertMany([row]);
  if (created.length === 1) return { status: 'created', interview: await ctx.interviews.get(row.id) };
  return { status: 'exists', interview: await ctx.interviews.get(existing.get(input.ref!)!) };
}

/**
 * Creates interviews from CSV text arriving in chunks. Good rows land in chunks of 2,000, each
 * chunk in one statement (all or none), one chunk after another; bad rows are reported with their
 * line and never stop the good ones. Outcomes are handed to `emit` in input order.
 */
export async function createInvitesFromCsv(
  ctx: CreateContext,
  source: AsyncIterable<string>,
  defaults: InviteDefaults,
  hooks: { emit: (outcome: RowOutcome) => void; progress?: (rowsDone: number) => void; unknownColumns?: (names: string[]) => void },
): Promise<BatchSummary> {
  const parser = new CsvParser();
  const resolve = questionResolver(ctx);
  const seenRefs = new Map<string, number>();
  const summary: BatchSummary = { rows: 0, created: 0, exists: 0, errors: 0, withoutRef: 0, unknownColumns: [] };
  let header: CsvHeader | undefined;
  // The chunk being gathered: every row's outcome in input order, and the rows to insert with the
  // outcome each one settles (same index). Records are checked as they are read, so only these stay
  // in memory until their chunk is written.
  let outcomes: RowOutcome[] = [];
  let rows: NewInterview[] = [];
  let rowOutcomes: RowOutcome[] = [];
  let now: Date | undefined;
  // Two chains keep the order: `inserting` runs a chunk's insert once the one before has succeeded
  // (never after a failure), `reporting` emits a chunk's outcomes after the chunk before's. So the
  // next insert starts the moment one ends, while its outcomes are printed and the next chunk is
  // read and checked: the database and this process work at the same time.
  let inserting: Promise<unknown> = Promise.resolve();
  let reporting: Promise<void> = Promise.resolve();

  // Checks one record into the chunk; returns a promise only when it has to look up a question set.
  const add = (record: CsvRecord, header: CsvHeader): Promise<void> | undefined => {
    // A row of nothing but separators (",,,", as spreadsheets export) is an empty line too.
    if (!record.error && record.fields.every((f) => f.trim() === '')) return undefined;
    now ??= (ctx.now ?? (() => new Date()))();
    const r = readInviteRow(record, header, defaults, seenRefs);
    if (!r.ok) {
      outcomes.push({ line: r.line, ref: r.ref, status: 'error', id: null, url: null, error: r.error });
      return undefined;
    }
    const known = resolve.known(r.input.questionSet, r.input.lang);
    if (known !== undefined) return settle(r.line, r.input, known, now);
    const at = now;
    return resolve(r.input.questionSet, r.input.lang).then((questions) => settle(r.line, r.input, questions, at));
  };

  const settle = (line: number, input: InviteInput, questions: Question[] | null, at: Date): undefined => {
    if (!questions) {
      outcomes.push({ line, ref: input.ref, status: 'error', id: null, url: null, error: missingSet(input) });
      return undefined;
    }
    if (input.ref === null) summary.withoutRef++;
    const outcome: RowOutcome = { line, ref: input.ref, status: 'created', id: null, url: null, error: null };
    outcomes.push(outcome);
    rowOutcomes.push(outcome);
    rows.push(toNew(input, questions, resolve.contextOf(questions), at));
    return undefined;
  };

  const flush = async () => {
    if (outcomes.length === 0) return;
    const chunk = { outcomes, rows, rowOutcomes };
    outcomes = [];
    rows = [];
    rowOutcomes = [];
    now = undefined;
    const inserted = inserting.then(() => ctx.interviews.insertMany(chunk.rows));
    inserting = inserted;
    const previous = reporting;
    reporting = Promise.all([inserted, previous]).then(([result]) => report(chunk.outcomes, chunk.rows, chunk.rowOutcomes, result));
    // Awaited by the next chunk or at the end; until then a failure must not count as unhandled.
    reporting.catch(() => {});
    // Reading goes on while this chunk waits for its turn; at most one more chunk is read meanwhile.
    await previous;
  };

  // Ids never hold a slash, so every link is this prefix and the id.
  const urlPrefix = interviewUrl(ctx.publicUrl, '');
  const report = (
    outcomes: RowOutcome[],
    rows: NewInterview[],
    rowOutcomes: RowOutcome[],
    { created, existing }: Awaited<ReturnType<InterviewRepo['insertMany']>>,
  ) => {
    const allCreated = created.length === rows.length;
    const createdIds = allCreated ? undefined : new Set(created.map((c) => c.id));
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const outcome = rowOutcomes[i]!;
      const isNew = allCreated || createdIds!.has(row.id);
      const id = isNew ? row.id : existing.get(row.ref!)!;
      outcome.status = isNew ? 'created' : 'exists';
      outcome.id = id;
      outcome.url = urlPrefix + id;
    }
    for (const o of outcomes) {
      summary.rows++;
      if (o.status === 'created') summary.created++;
      else if (o.status === 'exists') summary.exists++;
      else summary.errors++;
      hooks.emit(o);
    }
    hooks.progress?.(summary.rows);
  };

  const take = async (records: CsvRecord[]) => {
    for (const record of records) {
      if (!header) {
        const h = readHeader(record);
        if ('error' in h) throw new UsageError(h.error);
        header = h;
        summary.unknownColumns = h.unknown.filter((u) => u !== '');
        if (summary.unknownColumns.length > 0) hooks.unknownColumns?.(summary.unknownColumns);
        continue;
      }
      const lookingUp = add(record, header);
      if (lookingUp) await lookingUp;
      if (outcomes.length >= CHUNK) await flush();
    }
  };

  try {
    for await (const chunk of source) {
      if (chunk.includes('\u0000')) throw new UsageError('the input is not a CSV text file (it contains NUL bytes)');
      await take(parser.push(chunk));
    }
    await take(parser.end());
    if (!header) throw new UsageError('the input is empty: expected a header row with at least a "name" column');
    await flush();
  } catch (err) {
    // Rows before the problem are written and reported first, as they would be one at a time;
    // a failure writing them came first, so it is the one to report.
    await reporting;
    throw err;
  }
  await reporting;
  return summary;
}
