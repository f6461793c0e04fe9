import { checkReply, type ReplyKind } from '../../cli/core/guardrails.js';
import type { Lang } from '../../cli/core/invite-rows.js';
import { followUpPrompt, parseFollowUpReply, roleAnswerPrompt, type TurnPromptInput } from '../../cli/core/interviewer-prompt.js';
import type { TurnModel } from './turn-model.js';

/** A line to say: the model's, checked, or the scripted one it was replaced by (and why). */
export interface SpokenReply {
  kind: 'follow_up' | 'acknowledgment' | 'answer';
  text: string;
  /** Why the model's words were not used: late, error, empty, too_long, wrong_language, unsafe, judgement, over_cap. */
  replaced: { reason: string; detail: string } | null;
  ttftMs: number | null;
  durationMs: number | null;
}

export type ScriptedLine = { kind: SpokenReply['kind']; text: string };

/** What the interviewer loop asks of a model; the plan (which question, when to stop) stays in the loop. */
export interface InterviewerBrain {
  /** After an answer: a follow-up or an acknowledgment; `fallback` is what the scripted flow would say. */
  afterAnswer(input: Omit<TurnPromptInput, 'lang'>, fallback: ScriptedLine, signal: AbortSignal): Promise<SpokenReply>;
  /** The candidate asked about the role: words from the set's context only. */
  roleAnswer(asked: string, fallback: ScriptedLine, signal: AbortSignal): Promise<SpokenReply>;
}

/**
 * The model behind the guardrails: each reply is streamed with a first-token deadline
 * (LLM_TIMEOUT) and checked in code before it is spoken; anything late, failed, empty, too long,
 * in the wrong language, unsafe or judging is replaced by the scripted line, with the reason.
 * The whole line is checked before any of it is spoken: a forbidden question can sit in its
 * second sentence, and lines are short (a follow-up is capped at 40 words).
 */
export function createLlmBrain(opts: { model: TurnModel; lang: Lang; timeoutMs: number; context?: string }): InterviewerBrain {
  const limits = { firstTokenMs: opts.timeoutMs, totalMs: opts.timeoutMs * 2 };
  const replaced = (fallback: ScriptedLine, reason: string, detail: string, t: { ttftMs: number | null; durationMs: number | null }): SpokenReply => ({
    ...fallback,
    replaced: { reason, detail },
    ...t,
  });
  return {
    async afterAnswer(input, fallback, signal) {
      const res = await opts.model.complete(followUpPrompt({ ...input, lang: opts.lang }), limits, signal);
      const t = { ttftMs: res.ttftMs, durationMs: res.durationMs };
      if (!res.ok) return replaced(fallback, res.reason, res.detail, t);
      const parsed = parseFollowUpReply(res.text);
      if (!parsed) return replaced(fallback, 'empty', 'the model said nothing', t);
      // The cap is ours: a follow-up beyond it becomes the scripted acknowledgment.
      if (parsed.kind === 'follow_up' && input.followUpsLeft <= 0) return replaced(fallback, 'over_cap', 'no follow-ups left on this question', t);
      const checked = checkReply(parsed.text, opts.lang, parsed.kind as ReplyKind);
      if (!checked.ok) return replaced(fallback, checked.problem, checked.detail, t);
      return { kind: parsed.kind, text: checked.text, replaced: null, ...t };
    },
    async roleAnswer(asked, fallback, signal) {
      if (!opts.context) return { ...fallback, replaced: null, ttftMs: null, durationMs: null };
      const res = await opts.model.complete(roleAnswerPrompt({ lang: opts.lang, context: opts.context, asked }), limits, signal);
      const t = { ttftMs: res.ttftMs, durationMs: res.durationMs };
      if (!res.ok) return replaced(fallback, res.reason, res.detail, t);
      const checked = checkReply(res.text, opts.lang, 'answer');
      if (!checked.ok) return replaced(fallback, checked.problem, checked.detail, t);
      return { kind: 'answer', text: checked.text, replaced: null, ...t };
    },
  };
}
