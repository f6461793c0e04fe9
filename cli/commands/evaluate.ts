import { userInfo } from 'node:os';
import { createEvaluationRepo, type EvaluationRow } from '../adapters/db/evaluations.js';
import { createInterviewRepo } from '../adapters/db/interviews.js';
import { createReviewRepo } from '../adapters/db/reviews.js';
import { withContext, type GlobalOptions } from '../context.js';
import { ConflictError, UnavailableError, UsageError } from '../core/errors.js';
import { RECOMMENDATIONS, scaleOf, type Recommendation } from '../core/evaluation.js';
import { plain } from '../core/report.js';
import { EVALUATION_ATTEMPTS, evaluateDeps } from '../use-cases/evaluate-deps.js';
import { evaluateInterview, evaluatePending, type EvaluateOutcome } from '../use-cases/evaluate.js';

/** The evaluation as --json prints it (the scorecard itself is in `report --format json`). */
export function evaluationJson(e: EvaluationRow) {
  const card = e.result;
  return {
    id: e.id,
    interviewId: e.interviewId,
    status: e.status,
    advisory: true,
    recommendation: card?.recommendation ?? null,
    scores: card?.questions.map((q) => ({ question: q.question, score: q.score, support: q.support, quotes: q.evidence.length, dropped: q.dropped.length })) ?? [],
    error: e.error,
    attempts: e.attempts,
    model: e.model,
    promptHash: e.promptHash,
    rubricHash: e.rubricHash,
    evaluationKey: e.evaluationKey,
    finishedAt: e.finishedAt,
  };
}

function outcomeText(o: EvaluateOutcome): string {
  const e = o.evaluation;
  if (o.outcome === 'failed') return `evaluation of ${o.id} failed: ${plain(e.error ?? 'unknown')}; the interview stays completed (run interviewctl evaluate ${o.id} again later)`;
  const card = e.result!;
  const unsupported = card.questions.filter((q) => q.support === 'unsupported').length;
  const dropped = card.questions.reduce((n, q) => n + q.dropped.length, 0);
  const head = o.outcome === 'exists' ? `${o.id} was evaluated already (${e.finishedAt?.toISOString()}); --force reruns it and keeps this one as history` : `evaluated ${o.id}`;
  return [
    `${head}: advisory recommendation ${card.recommendation} (a person decides: interviewctl review ${o.id} --decision …)`,
    `  ${card.questions.map((q) => `q${q.question} ${q.score}${q.support === 'unsupported' ? ' (unsupported)' : ''}`).join(', ')} on ${card.scale.min}-${card.scale.max}`,
    ...(dropped ? [`  ${dropped} quote${dropped === 1 ? '' : 's'} dropped: not in what the candidate said${unsupported ? `; ${unsupported} score${unsupported === 1 ? '' : 's'} left unsupported` : ''}`] : []),
    ...(e.evaluationKey ? [`  stored at ${e.evaluationKey}`] : []),
  ].join('\n');
}

export async function evaluate(id: string | undefined, opts: { pending?: boolean; force?: boolean }, global: GlobalOptions): Promise<number> {
  if ((id === undefined) === !opts.pending) throw new UsageError('give an interview ID or --pending (not both)');
  return withContext(global, async (ctx) => {
    const { sql } = await ctx.db();
    const deps = await evaluateDeps(sql, ctx.settings, (m) => ctx.out.info(m));
    if (id !== undefined) {
      ctx.out.info(`evaluating ${plain(id)} with ${plain(ctx.settings.llm!.model)} (up to ${EVALUATION_ATTEMPTS} attempts of ${Math.round(ctx.settings.evaluation.timeoutMs / 1000)}s)…`);
      const o = await evaluateInterview(deps, id, { force: Boolean(opts.force), trigger: opts.force ? 'cli --force' : 'cli' });
      ctx.out.result({ outcome: o.outcome, ...evaluationJson(o.evaluation) }, () => outcomeText(o));
      if (o.outcome === 'failed') throw new UnavailableError('llm', `evaluation failed: ${o.evaluation.error}`);
      return 0;
    }
    let failed = 0;
    let count = 0;
    await evaluatePending(deps, { force: Boolean(opts.force), trigger: 'cli --pending', retries: 'all', limit: 10_000 }, (o) => {
      count++;
      if (o.outcome === 'error') {
        failed++;
        ctx.out.line({ interviewId: o.id, outcome: 'error', error: o.error.message }, () => `${o.id}: ${plain(o.error.message)}`);
        return;
      }
      if (o.outcome === 'failed') failed++;
      ctx.out.line({ outcome: o.outcome, ...evaluationJson(o.evaluation) }, () => outcomeText(o));
    });
    ctx.out.info(count === 0 ? 'nothing to evaluate: every completed interview with candidate text has an evaluation' : `${count} interview(s), ${failed} failed`);
    return failed > 0 ? 6 : 0;
  });
}

/** `--score 2=4` (repeatable, or several after one flag): question number → score. */
export function parseOverrides(values: readonly string[], questionCount: number, scale: { min: number; max: number }, interviewId: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) {
    const m = /^\s*q?(\d+)\s*=\s*(-?\d+)\s*$/i.exec(v);
    if (!m) throw new UsageError(`--score ${JSON.stringify(v)}: write QUESTION=SCORE, e.g. --score 2=4`);
    const n = Number(m[1]);
    const score = Number(m[2]);
    if (n < 1 || n > questionCount) throw new UsageError(`--score ${v}: there is no question ${n}; interview ${interviewId} has ${questionCount} question${questionCount === 1 ? '' : 's'} (1-${questionCount})`);
    if (score < scale.min || score > scale.max) throw new UsageError(`--score ${v}: ${score} is off the scale ${scale.min}-${scale.max}`);
    out[String(n)] = score;
  }
  return out;
}

export async function review(id: string, opts: { decision: string; note?: string; score?: string[]; by?: string }, global: GlobalOptions): Promise<number> {
  if (!(RECOMMENDATIONS as readonly string[]).includes(opts.decision)) throw new UsageError(`--decision: ${JSON.stringify(opts.decision)} is not one of ${RECOMMENDATIONS.join(', ')}`);
  const by = (opts.by ?? safeUser()).trim();
  // eslint-disable-next-line no-control-regex
  if (by === '' || by.length > 100 || /[\x00-\x1f\x7f]/.test(by)) throw new UsageError('--by: a name of 1-100 printable characters (default: your user name)');
  if (opts.note !== undefined && opts.note.length > 4000) throw new UsageError(`--note: longer than 4000 characters (${opts.note.length})`);
  return withContext(global, async (ctx) => {
    const { sql } = await ctx.db();
    const interviews = createInterviewRepo(sql);
    const interview = await interviews.get(id);
    if (interview.status !== 'completed') throw new ConflictError(`interview ${interview.id} is ${interview.status}: only a completed interview gets a decision`, 'not_completed');
    const overrides = parseOverrides(opts.score ?? [], interview.questions.length, scaleOf(interview.questions), interview.id);
    const evaluation = await createEvaluationRepo(sql).current(interview.id);
    const saved = await createReviewRepo(sql).add({
      interviewId: interview.id,
      decision: opts.decision as Recommendation,
      note: opts.note?.trim() || null,
      overrides,
      reviewer: by,
      evaluationId: evaluation?.status === 'succeeded' ? evaluation.id : null,
    });
    if (!saved) throw new ConflictError(`interview ${interview.id} is no longer completed`, 'not_completed');
    const ai = evaluation?.result?.recommendation;
    ctx.out.result(
      { ...saved, aiRecommendation: ai ?? null },
      () =>
        `recorded ${saved.decision} on ${interview.id} by ${plain(saved.reviewer)} at ${saved.at.toISOString()}` +
        (ai ? ` (the AI's advisory recommendation was ${ai})` : ' (no AI evaluation)') +
        (Object.keys(overrides).length ? `\n  your scores: ${Object.entries(overrides).map(([q, s]) => `q${q} ${s}`).join(', ')} (the AI's stay beside them)` : ''),
    );
    return 0;
  });
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
