import type { Sql } from '../adapters/db/connect.js';
import { createEvaluationRepo } from '../adapters/db/evaluations.js';
import { createInterviewRepo } from '../adapters/db/interviews.js';
import { createUtteranceRepo } from '../adapters/db/utterances.js';
import { createEvaluator } from '../adapters/llm/evaluator.js';
import { openStorage, type ObjectStorage } from '../adapters/storage/storage.js';
import { ConfigError } from '../core/errors.js';
import type { Settings } from '../settings.js';
import type { EvaluateDeps } from './evaluate.js';

/** Model calls per run, and the first retry delay (doubling, with jitter). */
export const EVALUATION_ATTEMPTS = 3;
const RETRY_BASE_MS = 1000;

/** What an evaluation runs with; `note` gets progress and problems (no personal data). */
export async function evaluateDeps(sql: Sql, settings: Settings, note?: (m: string) => void): Promise<EvaluateDeps> {
  if (!settings.llm) throw new ConfigError(['LLM_BASE_URL and LLM_MODEL: needed to evaluate interviews (any OpenAI-compatible Chat Completions endpoint and its model)']);
  let storage: Promise<ObjectStorage> | undefined;
  return {
    interviews: createInterviewRepo(sql),
    utterances: createUtteranceRepo(sql),
    evaluations: createEvaluationRepo(sql),
    evaluator: await createEvaluator(settings.llm, settings.evaluation.timeoutMs),
    storage: () => (storage ??= openStorage(settings)),
    attempts: EVALUATION_ATTEMPTS,
    retryBaseMs: RETRY_BASE_MS,
    // Every attempt's timeout plus the waits between them, and a margin.
    leaseMs: EVALUATION_ATTEMPTS * (settings.evaluation.timeoutMs + 8 * RETRY_BASE_MS) + 60_000,
    note,
  };
}
