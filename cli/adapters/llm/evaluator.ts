import { createHash } from 'node:crypto';
import { zodResponseFormat } from 'openai/helpers/zod';
import { DEFAULT_SCALE, describeSchemaError, evaluationReplySchema, replyProblems, scaleOf, type EvaluationReply } from '../../core/evaluation.js';
import { evaluationMessages, promptFingerprint, rubricFingerprint, type EvaluationInput } from '../../core/evaluation-prompt.js';
import { jsonFromModel } from '../../core/model-text.js';
import type { LlmSettings } from '../../settings.js';

/** Why one model call gave no usable evaluation; the text is stored as the run's reason. */
export class EvaluationCallError extends Error {
  constructor(message: string, readonly kind: 'timeout' | 'http' | 'network' | 'malformed' | 'schema' | 'refused') {
    super(message);
  }
}

export interface EvaluatorCall {
  reply: EvaluationReply;
}

export interface Evaluator {
  model: string;
  stamp(input: EvaluationInput): { model: string; promptHash: string; rubricHash: string };
  /** One model call: the reply checked against the schema, or an EvaluationCallError. */
  call(input: EvaluationInput): Promise<EvaluationReply>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The evaluator over an OpenAI-compatible Chat Completions endpoint, with structured output
 * (`response_format: json_schema`). The reply is validated with zod here as well: endpoints that
 * ignore the schema exist, and a reply off the scale must never be stored.
 */
export async function createEvaluator(llm: LlmSettings, timeoutMs: number): Promise<Evaluator> {
  const { default: OpenAI, APIConnectionTimeoutError, APIError, APIConnectionError } = await import('openai');
  // Retries are ours (with backoff, counted on the run), so the client makes exactly one request.
  const client = new OpenAI({ baseURL: llm.baseUrl, apiKey: llm.apiKey ?? 'not-needed', timeout: timeoutMs, maxRetries: 0 });
  const formatOf = (input: EvaluationInput) => zodResponseFormat(evaluationReplySchema(input.questions.length, scaleOf(input.questions)), 'interview_evaluation');
  return {
    model: llm.model,
    stamp(input) {
      // The schema of a one-question set on the default scale: the same prompt hashes the same for
      // every set (question count and scale are in the rubric hash), so audits can group by it.
      const canonical = zodResponseFormat(evaluationReplySchema(1, DEFAULT_SCALE), 'interview_evaluation').json_schema;
      return { model: llm.model, promptHash: sha256(promptFingerprint(canonical)), rubricHash: sha256(rubricFingerprint(input.questions)) };
    },
    async call(input) {
      const schema = evaluationReplySchema(input.questions.length, scaleOf(input.questions));
      let content: string | null | undefined;
      try {
        const completion = await client.chat.completions.create({
          model: llm.model,
          messages: evaluationMessages(input),
          response_format: formatOf(input),
          temperature: 0,
        });
        const choice = completion.choices?.[0];
        if (choice?.message?.refusal) throw new EvaluationCallError(`the model refused: ${choice.message.refusal.slice(0, 200)}`, 'refused');
        content = choice?.message?.content;
      } catch (err) {
        if (err instanceof EvaluationCallError) throw err;
        if (err instanceof APIConnectionTimeoutError) throw new EvaluationCallError(`no answer from the model within ${Math.round(timeoutMs / 1000)}s (EVALUATION_TIMEOUT)`, 'timeout');
        if (err instanceof APIError && err.status !== undefined) throw new EvaluationCallError(`the model endpoint answered HTTP ${err.status}`, 'http');
        if (err instanceof APIConnectionError) throw new EvaluationCallError(`cannot reach the model endpoint (${llm.baseUrl})`, 'network');
        // The client could not read the body as JSON (a proxy's HTML page, garbage).
        throw new EvaluationCallError(`unreadable answer from the model endpoint: ${String((err as Error)?.message ?? err).slice(0, 160)}`, 'malformed');
      }
      if (!content || content.trim() === '') throw new EvaluationCallError('the model returned an empty answer', 'malformed');
      // Endpoints that ignore response_format wrap the object in a code fence, prose or a
      // reasoning model's <think> block; the schema below still decides whether it fits.
      const parsed = jsonFromModel(content);
      if (parsed === undefined) throw new EvaluationCallError('the model did not return valid JSON', 'malformed');
      const checked = schema.safeParse(parsed);
      if (!checked.success) throw new EvaluationCallError(`the model's answer does not fit the schema: ${describeSchemaError(checked.error)}`, 'schema');
      const problems = replyProblems(checked.data, input.questions.length);
      if (problems.length > 0) throw new EvaluationCallError(`the model's answer does not fit the schema: ${problems.join('; ')}`, 'schema');
      return checked.data;
    },
  };
}
