import { parseDuration } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import { isStatus, STATUSES } from '../core/states.js';
import { recordingCheckText } from '../core/report.js';
import { withContext, type GlobalOptions } from '../context.js';
import { listConsents } from '../adapters/db/consents.js';
import { createReceiptRepo } from '../adapters/db/deletion-receipts.js';
import { dataRightsDetails } from './present-data-rights.js';
import { assessmentLines, assessmentOf, interviewDetails, interviewJson, interviewTable, reviewQueueTable } from './present.js';
import { unsafeTextProblem } from '../core/text-safety.js';
import { createRecorderStatsRepo } from '../adapters/db/recorder-stats.js';

export async function list(opts: { status?: string; since?: string; limit?: string; needsReview?: boolean }, global: GlobalOptions): Promise<number> {
  if (opts.needsReview) return listNeedsReview(opts, global);
  if (opts.status !== undefined && !isStatus(opts.status)) throw new UsageError(`--status: ${JSON.stringify(opts.status)} is not one of ${STATUSES.join(', ')}`);
  let since: Date | undefined;
  if (opts.since !== undefined) {
    const ms = parseDuration(opts.since);
    if (ms === undefined) throw new UsageError(`--since: ${JSON.stringify(opts.since)} is not a duration (e.g. 24h, 7d)`);
    since = new Date(Date.now() - ms);
  }
  const limit = opts.limit === undefined ? 50 : Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new UsageError(`--limit: ${JSON.stringify(opts.limit)} is not a number from 1 to 100000`);
  return withContext(global, async (ctx) => {
    const { interviews } = await ctx.repos();
    const rows = await interviews.list({ status: opts.status as never, since, limit });
    ctx.out.result(rows.map((r) => interviewJson(r, ctx.settings.publicUrl)), () => interviewTable(rows));
    return 0;
  });
}

export async function show(id: string, global: GlobalOptions): Promise<number> {
  return withContext(global, async (ctx) => {
    const { interviews } = await ctx.repos();
    const interview = await interviews.get(id);
    const events = await interviews.events(interview.id);
    const { sql } = await ctx.db();
    const assessment = await assessmentOf(sql, interview.id);
    const droppedFrames = await createRecorderStatsRepo(sql).droppedFrames(interview.id);
    const recordingCheck = await createRecorderStatsRepo(sql).recordingCheck(interview.id);
    const checkLines: [string, string][] = recordingCheck ? [['recording check', `${recordingCheck.agrees ? '' : 'CHECK IT: '}${recordingCheckText(recordingCheck)}`], ['audio witness', recordingCheck.witnessKey]] : [];
    const { createTurnMetricsRepo } = await import('../adapters/db/turn-metrics.js');
    const turns = await createTurnMetricsRepo(sql).list(interview.id);
    const consents = await listConsents(sql, interview.id);
    const deletion = (await createReceiptRepo(sql).forInterview(interview.id)) ?? null;
    ctx.out.result(
      { ...interviewJson(interview, ctx.settings.publicUrl), recorderDroppedFrames: droppedFrames, recordingCheck, questions: interview.questions, events, turns, ...assessment, consents, deletion },
      () => interviewDetails(interview, events, ctx.settings.publicUrl, [...checkLines, ...dataRightsDetails(consents, deletion), ...assessmentLines(assessment)], droppedFrames),
    );
    return 0;
  });
}

/** A reason is stored and shown to operators (show, watch): the same rule as every stored text. */
function checkReason(reason: string | undefined): void {
  if (reason === undefined) return;
  if (reason.length > 500) throw new UsageError('--reason: longer than 500 characters');
  const problem = unsafeTextProblem('--reason', reason);
  if (problem) throw new UsageError(problem);
}

export async function revoke(id: string, opts: { reason?: string }, global: GlobalOptions): Promise<number> {
  checkReason(opts.reason);
  return withContext(global, async (ctx) => {
    const { interviews } = await ctx.repos();
    const current = await interviews.get(id);
    const moved = await interviews.applyEvent(current.id, 'revoke', { actor: 'operator', reason: opts.reason ?? 'revoked by operator' });
    ctx.out.result(interviewJson(moved, ctx.settings.publicUrl), () => `revoked ${moved.id}`);
    return 0;
  });
}

export async function end(id: string, opts: { reason?: string }, global: GlobalOptions): Promise<number> {
  checkReason(opts.reason);
  return withContext(global, async (ctx) => {
    const { interviews } = await ctx.repos();
    const current = await interviews.get(id);
    const reason = opts.reason ?? 'ended by operator';
    const moved = await interviews.applyEvent(current.id, 'end', { actor: 'operator', reason, patch: { end_reason: 'operator_ended' } });
    ctx.out.result(interviewJson(moved, ctx.settings.publicUrl), () => `ending ${moved.id}; the interviewer closes the session now`);
    return 0;
  });
}

/** `list --needs-review`: completed interviews waiting for a person's decision, oldest first. */
async function listNeedsReview(opts: { status?: string; since?: string; limit?: string }, global: GlobalOptions): Promise<number> {
  if (opts.status !== undefined || opts.since !== undefined) throw new UsageError('--needs-review lists completed interviews without a decision; it takes only --limit');
  const limit = opts.limit === undefined ? 50 : Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new UsageError(`--limit: ${JSON.stringify(opts.limit)} is not a number from 1 to 100000`);
  return withContext(global, async (ctx) => {
    const { createScoreRepo } = await import('../adapters/db/scores.js');
    const rows = await createScoreRepo((await ctx.db()).sql).needsReview(limit);
    ctx.out.result(
      rows.map((r) => ({ ...r, advisory: r.recommendation !== null })),
      () => reviewQueueTable(rows),
    );
    return 0;
  });
}
