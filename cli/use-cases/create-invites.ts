import type { InterviewRepo, NewInterview } from '../adapters/db/interviews.js';
import type { QuestionSetRepo } from '../adapters/db/question-sets.js';
import { CsvParser, type CsvRecord } from '../core/csv.js';
import { UsageError } from '../core/errors.js';
import { interviewUrl, newInterviewId } from '../core/ids.js';
import type { Interview } from '../core/interview.js';
import { readHeader, readInviteRow, type CsvHeader, type InviteDefaults, type InviteInput, type Lang } from '../core/invite-rows.js';
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

const CHUNK = 5000;

function questionResolver(ctx: CreateContext) {
  const cache = new Map<string, Question[] | null>();
  return async (set: string, lang: Lang): Promise<Question[] | null> => {
    const key = `${set}\u0000${lang}`;
    if (!cache.has(key)) cache.set(key, (await ctx.questionSets.find(set, lang))?.questions ?? null);
    return cache.get(key)!;
  };
}

function missingSet(input: InviteInput): string {
  return `questions: no question set ${JSON.stringify(input.questionSet)} in ${input.lang} (see \`interviewctl questions list\`)`;
}

function toNew(input: InviteInput, questions: Question[], now: Date): NewInterview {
  return {
    id: newInterviewId(),
    candidateName: input.name,
    candidateEmail: input.email,
    ref: input.ref,
    lang: input.lang,
    durationMs: input.durationMs,
    questionSet: input.questionSet,
    questions,
    createdAt: now,
    expiresAt: new Date(now.getTime() + input.expiresInMs),
  };
}

/** Creates one interview; with a ref that exists already, returns that one instead. */
export async function createInterview(ctx: CreateContext, input: InviteInput): Promise<{ status: 'created' | 'exists'; interview: Interview }> {
  const questions = await questionResolver(ctx)(input.questionSet, input.lang);
  if (!questions) throw new UsageError(missingSet(input).replace(/^questions: /, '--questions: '));
  const row = toNew(input, questions, (ctx.now ?? (() => new Date()))());
  const { created, existing } = await ctx.interviews.insertMany([row]);
  if (created.length === 1) return { status: 'created', interview: await ctx.interviews.get(row.id) };
  return { status: 'exists', interview: await ctx.interviews.get(existing.get(input.ref!)!) };
}

/**
 * Creates interviews from CSV text arriving in chunks. Good rows land in chunks of 5,000, each
 * chunk in one transaction; bad rows are reported with their line and never stop the good ones.
 * Outcomes are handed to `emit` in input order.
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
  let pending: CsvRecord[] = [];

  const flush = async () => {
    if (!header || pending.length === 0) return;
    const now = (ctx.now ?? (() => new Date()))();
    const outcomes: RowOutcome[] = [];
    const rows: { outcome: RowOutcome; row: NewInterview }[] = [];
    for (const record of pending) {
      const r = readInviteRow(record, header, defaults, seenRefs);
      if (!r.ok) {
        outcomes.push({ line: r.line, ref: r.ref, status: 'error', id: null, url: null, error: r.error });
        continue;
      }
      const questions = await resolve(r.input.questionSet, r.input.lang);
      if (!questions) {
        outcomes.push({ line: r.line, ref: r.input.ref, status: 'error', id: null, url: null, error: missingSet(r.input) });
        continue;
      }
      if (r.input.ref === null) summary.withoutRef++;
      const outcome: RowOutcome = { line: r.line, ref: r.input.ref, status: 'created', id: null, url: null, error: null };
      outcomes.push(outcome);
      rows.push({ outcome, row: toNew(r.input, questions, now) });
    }
    const { created, existing } = await ctx.interviews.insertMany(rows.map((r) => r.row));
    const createdIds = new Set(created.map((c) => c.id));
    for (const { outcome, row } of rows) {
      const id = createdIds.has(row.id) ? row.id : existing.get(row.ref!)!;
      outcome.status = createdIds.has(row.id) ? 'created' : 'exists';
      outcome.id = id;
      outcome.url = interviewUrl(ctx.publicUrl, id);
    }
    for (const o of outcomes) {
      summary.rows++;
      if (o.status === 'created') summary.created++;
      else if (o.status === 'exists') summary.exists++;
      else summary.errors++;
      hooks.emit(o);
    }
    pending = [];
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
      pending.push(record);
      if (pending.length >= CHUNK) await flush();
    }
  };

  for await (const chunk of source) {
    if (chunk.includes('\u0000')) throw new UsageError('the input is not a CSV text file (it contains NUL bytes)');
    await take(parser.push(chunk));
  }
  await take(parser.end());
  if (!header) throw new UsageError('the input is empty: expected a header row with at least a "name" column');
  await flush();
  return summary;
}
