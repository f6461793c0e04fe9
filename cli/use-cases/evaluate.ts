import type { EvaluationRepo, EvaluationRow } from '../adapters/db/evaluations.js';
import type { InterviewRepo } from '../adapters/db/interviews.js';
import type { UtteranceRepo } from '../adapters/db/utterances.js';
import { EvaluationCallError, type Evaluator } from '../adapters/llm/evaluator.js';
import type { ObjectStorage } from '../adapters/storage/storage.js';
import { ConflictError } from '../core/errors.js';
import { buildScorecard, hasCandidateText, nextRunDelayMs, retryDelayMs, type Scorecard } from '../core/evaluation.js';
import type { Interview } from '../core/interview.js';
import { evaluationKeyFor } from '../core/keys.js';
import { maskCandidateName } from '../core/name-mask.js';

export interface EvaluateDeps {
  interviews: InterviewRepo;
  utterances: UtteranceRepo;
  evaluations: EvaluationRepo;
  evaluator: Evaluator;
  storage: () => Promise<ObjectStorage>;
  /** Model calls per run (the first and its retries). */
  attempts: number;
  /** First retry delay; each next one doubles (with jitter). */
  retryBaseMs: number;
  /** How long a run holds the interview before another process may take it over. */
  leaseMs: number;
  sleep?: (ms: number) => Promise<void>;
  /** A note for a person (progress, a storage problem); no personal data. */
  note?: (message: string) => void;
}

export type EvaluateOutcome =
  | { id: string; outcome: 'evaluated'; evaluation: EvaluationRow }
  | { id: string; outcome: 'failed'; evaluation: EvaluationRow }
  | { id: string; outcome: 'exists'; evaluation: EvaluationRow };

/** The `.evaluation.json` document stored beside the recording. */
export function evaluationDocument(interview: Interview, row: EvaluationRow, stamp: { model: string; promptHash: string; rubricHash: string }, scorecard: Scorecard, at: Date) {
  const { version: _v, advisory: _a, ...card } = scorecard;
  return {
    version: 1,
    interviewId: interview.id,
    advisory: true,
    note: 'Advisory: an AI assessment of the answers for a person who decides. Never a decision by itself.',
    evaluationId: row.id,
    evaluatedAt: at.toISOString(),
    model: stamp.model,
    promptHash: stamp.promptHash,
    rubricHash: stamp.rubricHash,
    questionSet: interview.questionSet,
    ...card,
  };
}

const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Evaluates one completed interview: claims it (once; `force` starts a new run and keeps the old
 * one as history), calls the model up to `attempts` times with backoff, checks every quote
 * against the transcript, stores the evaluation file beside the recording and the row in Postgres.
 * A failure is stored with its reason on the evaluation; the interview's status never changes.
 */
export async function evaluateInterview(deps: EvaluateDeps, idOrPrefix: string, opts: { force: boolean; trigger: string }): Promise<EvaluateOutcome> {
  const interview = await deps.interviews.get(idOrPrefix);
  if (interview.status !== 'completed') throw new ConflictError(`interview ${interview.id} is ${interview.status}: only a completed interview is evaluated`, 'not_completed');
  const utterances = await deps.utterances.list(interview.id);
  if (!hasCandidateText(utterances)) {
    throw new ConflictError(`interview ${interview.id} has no candidate text to evaluate (answers were kept as audio only: no speech-to-text was configured)`, 'no_candidate_text');
  }
  const claim = await deps.evaluations.claim(interview.id, { force: opts.force, leaseMs: deps.leaseMs, trigger: opts.trigger });
  if ('busy' in claim) throw new ConflictError(`interview ${interview.id} is being evaluated by another process right now; try again in a minute`, 'evaluation_running');
  if ('done' in claim) return { id: interview.id, outcome: 'exists', evaluation: claim.done };
  const row = claim.claimed;
  // The model scores what was said, not who said it: the name is masked (the greeting says it), and
  // quotes are checked against the same masked text the model quoted from.
  const said = maskCandidateName(utterances, interview.candidateName);
  const input = { lang: interview.lang, questions: interview.questions, utterances: said };
  const stamp = deps.evaluator.stamp(input);
  const sleep = deps.sleep ?? wait;

  let lastError = 'no attempt made';
  for (let attempt = 1; attempt <= deps.attempts; attempt++) {
    if (attempt > 1) {
      const ms = retryDelayMs(attempt, deps.retryBaseMs);
      deps.note?.(`evaluation of ${interview.id}: attempt ${attempt - 1} failed (${lastError}); retrying in ${(ms / 1000).toFixed(1)}s`);
      await sleep(ms);
    }
    await deps.evaluations.attempted(row.id, deps.leaseMs);
    let reply;
    try {
      reply = await deps.evaluator.call(input);
    } catch (err) {
      if (!(err instanceof EvaluationCallError)) {
        await deps.evaluations.fail(row, stamp, `unexpected: ${(err as Error)?.message ?? err}`, null).catch(() => {});
        throw err;
      }
      lastError = err.message;
      continue;
    }
    const scorecard = buildScorecard(reply, interview.questions, said);
    const at = new Date();
    const key = evaluationKeyFor(interview.transcriptKey);
    let storedKey: string | null = null;
    if (key) {
      try {
        const storage = await deps.storage();
        await storage.put(key, `${JSON.stringify(evaluationDocument(interview, row, stamp, scorecard, at), null, 2)}\n`, 'application/json');
        storedKey = key;
      } catch (err) {
        deps.note?.(`evaluation of ${interview.id} kept in the database only: storage failed (${(err as Error).message})`);
      }
    }
    const unsupported = scorecard.questions.filter((q) => q.support === 'unsupported').length;
    const note = `evaluated (advisory: ${scorecard.recommendation}${unsupported ? `, ${unsupported} unsupported score${unsupported === 1 ? '' : 's'}` : ''}); waits for a person's review`;
    const saved = await deps.evaluations.succeed(row, stamp, scorecard, storedKey, note);
    return { id: interview.id, outcome: 'evaluated', evaluation: saved };
  }
  const runs = row.runs;
  const delay = nextRunDelayMs(runs);
  const reason = `${lastError} (${deps.attempts} attempt${deps.attempts === 1 ? '' : 's'})`;
  const failed = await deps.evaluations.fail(row, stamp, reason, delay === null ? null : new Date(Date.now() + delay));
  return { id: interview.id, outcome: 'failed', evaluation: failed };
}

/** Evaluates every interview that is due, one at a time; an error on one never stops the rest. */
export async function evaluatePending(
  deps: EvaluateDeps,
  opts: { force: boolean; trigger: string; retries: 'due' | 'all'; limit: number },
  onOutcome: (o: EvaluateOutcome | { id: string; outcome: 'error'; error: Error }) => void,
  shouldStop: () => boolean = () => false,
): Promise<void> {
  const ids = await deps.evaluations.due({ retries: opts.retries, limit: opts.limit });
  for (const id of ids) {
    if (shouldStop()) return;
    try {
      onOutcome(await evaluateInterview(deps, id, opts));
    } catch (err) {
      onOutcome({ id, outcome: 'error', error: err as Error });
    }
  }
}
