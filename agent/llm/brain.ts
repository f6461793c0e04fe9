import type { Lang } from '../../cli/core/invite-rows.js';
import { followUpPrompt, parseFollowUpReply, roleAnswerPrompt, type TurnPromptInput } from '../../cli/core/interviewer-prompt.js';
import { streamReply, type ReplyTail } from './reply-stream.js';
import type { TurnModel } from './turn-model.js';

/** A line to say: the model's, checked, or the scripted one it was replaced by (and why). */
export interface SpokenReply {
  kind: 'follow_up' | 'acknowledgment' | 'answer';
  text: string;
  /** Why the model's words were not used: late, error, empty, too_long, wrong_language, unsafe, judgement, over_cap. */
  replaced: { reason: string; detail: string } | null;
  ttftMs: number | null;
  durationMs: number | null;
  /**
   * A model's line still being generated: `text` is its first sentence (checked), the rest come
   * here sentence by sentence (each checked), and `settled` says what was said in the end.
   */
  tail?: ReplyTail;
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
 * A line is spoken as it is generated, sentence by sentence, each sentence checked before it is
 * handed on (reply-stream.ts): the candidate hears the first sentence while the rest is written.
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
      const res = await streamReply({
        model: opts.model,
        messages: followUpPrompt({ ...input, lang: opts.lang }),
        limits,
        signal,
        lang: opts.lang,
        // Streamed only once the marker says what the line is; a line without one is read whole.
        parse: (soFar, done) => (done || /^\W*(ASK|NEXT)\s*[:：-]/i.test(soFar) ? parseFollowUpReply(soFar) : undefined),
        // The cap is ours: a follow-up beyond it becomes the scripted line.
        refuse: (kind) => (kind === 'follow_up' && input.followUpsLeft <= 0 ? { reason: 'over_cap', detail: 'no follow-ups left on this question' } : undefined),
        ...(fallback.kind === 'follow_up' ? { questionIfCut: fallback.text } : {}),
      });
      if (!res.ok) return replaced(fallback, res.reason, res.detail, { ttftMs: res.ttftMs, durationMs: res.durationMs });
      return { kind: res.kind, text: res.first, replaced: null, ttftMs: res.ttftMs, durationMs: null, tail: res.tail };
    },
    async roleAnswer(asked, fallback, signal) {
      if (!opts.context) return { ...fallback, replaced: null, ttftMs: null, durationMs: null };
      const res = await streamReply({
        model: opts.model,
        messages: roleAnswerPrompt({ lang: opts.lang, context: opts.context, asked }),
        limits,
        signal,
        lang: opts.lang,
        // Read whole, as it is said whole: mid-stream, the reasoning of a model whose chat template
        // opened its <think> block itself reads as the answer until the closing tag arrives.
        parse: (soFar, done) => (done ? { kind: 'answer', text: soFar.trim() } : undefined),
      });
      if (!res.ok) return replaced(fallback, res.reason, res.detail, { ttftMs: res.ttftMs, durationMs: res.durationMs });
      // Said whole, with the plan's "let's go on" after it: an answer about the role is rare and short.
      const whole = await res.tail.settled;
      return { kind: 'answer', text: whole.text, replaced: whole.replaced, ttftMs: res.ttftMs, durationMs: whole.durationMs };
    },
  };
}
