import { tokenize } from '@livekit/agents';
import { checkReply, type ReplyKind } from '../../cli/core/guardrails.js';
import type { Lang } from '../../cli/core/invite-rows.js';
import type { ChatMessages } from '../../cli/core/interviewer-prompt.js';
import type { Completion, TurnModel } from './turn-model.js';

/** How a streamed line ended: the words actually spoken, and why its tail was cut if it was. */
export interface SettledReply {
  kind: 'follow_up' | 'acknowledgment' | 'answer';
  text: string;
  replaced: { reason: string; detail: string } | null;
  durationMs: number | null;
}

/** The sentences of a model's line after the first, each checked before it is handed on. */
export interface ReplyTail {
  sentences: AsyncIterable<string>;
  settled: Promise<SettledReply>;
}

/** What came of a streamed completion once its first sentence was decided. */
export type StreamedStart =
  | { ok: true; kind: SettledReply['kind']; first: string; tail: ReplyTail; ttftMs: number | null }
  | { ok: false; reason: string; detail: string; ttftMs: number | null; durationMs: number | null };

export interface StreamReplyOptions {
  model: TurnModel;
  messages: ChatMessages;
  limits: { firstTokenMs: number; totalMs: number };
  signal: AbortSignal;
  lang: Lang;
  /** Reads the reply so far: its kind once its marker (ASK:/NEXT:) is there, and the words after it. */
  parse(soFar: string, done: boolean): { kind: SettledReply['kind']; text: string } | undefined;
  /** A first sentence of this kind may not be said (e.g. a follow-up beyond the cap). */
  refuse?(kind: SettledReply['kind']): { reason: string; detail: string } | undefined;
  /** Said after a follow-up whose question was cut off (a rejected or late tail): the scripted question. */
  questionIfCut?: string;
}

class Queue implements AsyncIterable<string> {
  private items: string[] = [];
  private closed = false;
  private wake: (() => void) | undefined;
  push(s: string): void {
    this.items.push(s);
    this.wake?.();
  }
  close(): void {
    this.closed = true;
    this.wake?.();
  }
  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    for (;;) {
      const next = this.items.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((r) => (this.wake = r));
      this.wake = undefined;
    }
  }
}

const QUESTION_END = /[?？]\s*$/;

/**
 * One model line, spoken sentence by sentence: the first sentence is checked by the guardrails
 * and handed on as soon as it is complete (while the rest is generated); each later sentence is
 * checked together with what was already said (the length cap is on the whole line) before it
 * is handed on. A first sentence that fails replaces the whole line (nothing was said). A later
 * one that fails, or a model that goes quiet after its first sentence, ends the line there: what
 * was said stands, the rest is dropped, and a follow-up whose question had not been reached gets
 * the scripted question instead; `settled` carries the reason, which becomes the interview event.
 */
export function streamReply(o: StreamReplyOptions): Promise<StreamedStart> {
  const stop = new AbortController();
  const splitter = new tokenize.basic.SentenceTokenizer();
  const queue = new Queue();
  const spoken: string[] = [];
  let kind: SettledReply['kind'] | undefined;
  let handed = 0;
  let cut: { reason: string; detail: string } | null = null;
  let refused: { reason: string; detail: string } | undefined;
  let startedAt: number | null = null;
  let resolveStart!: (s: StreamedStart) => void;
  const start = new Promise<StreamedStart>((r) => (resolveStart = r));
  let resolveSettled!: (s: SettledReply) => void;
  const settled = new Promise<SettledReply>((r) => (resolveSettled = r));
  const began = performance.now();

  const sentence = (s: string): void => {
    if (cut || refused) return;
    if (spoken.length === 0) {
      const no = o.refuse?.(kind!);
      const checked = checkReply(s, o.lang, kind as ReplyKind);
      if (no || !checked.ok) {
        refused = no ?? (checked.ok ? undefined : { reason: checked.problem, detail: checked.detail });
        stop.abort();
        return;
      }
      spoken.push(checked.text);
      resolveStart({ ok: true, kind: kind!, first: checked.text, tail: { sentences: queue, settled }, ttftMs: startedAt });
      return;
    }
    const whole = checkReply(`${spoken.join(' ')} ${s}`, o.lang, kind as ReplyKind);
    if (!whole.ok) {
      cut = { reason: whole.problem, detail: `${whole.detail} (after its first ${spoken.length === 1 ? 'sentence' : `${spoken.length} sentences`} had been said)` };
      stop.abort();
      return;
    }
    const alone = checkReply(s, o.lang, kind as ReplyKind);
    if (!alone.ok) return; // nothing to say in it (an emoji, a stray marker)
    spoken.push(alone.text);
    queue.push(alone.text);
  };

  const onText = (soFar: string): void => {
    if (startedAt === null) startedAt = performance.now() - began;
    const parsed = o.parse(soFar, false);
    if (!parsed) return;
    kind = parsed.kind;
    // The last piece may be a sentence still being written.
    const parts = splitter.tokenize(parsed.text);
    for (; handed < parts.length - 1; handed++) sentence(parts[handed]!);
  };

  void o.model.complete(o.messages, o.limits, AbortSignal.any([o.signal, stop.signal]), onText).then((res: Completion) => {
    const durationMs = res.durationMs;
    if (refused) {
      resolveStart({ ok: false, ...refused, ttftMs: res.ttftMs, durationMs });
    } else if (res.ok) {
      const parsed = o.parse(res.text, true);
      if (parsed) {
        kind = parsed.kind;
        const parts = splitter.tokenize(parsed.text);
        for (; handed < parts.length; handed++) sentence(parts[handed]!);
      }
      if (refused) resolveStart({ ok: false, ...(refused as { reason: string; detail: string }), ttftMs: res.ttftMs, durationMs });
      else if (spoken.length === 0 && !cut) resolveStart({ ok: false, reason: 'empty', detail: 'the model said nothing', ttftMs: res.ttftMs, durationMs });
    } else if (spoken.length === 0) {
      resolveStart({ ok: false, reason: res.reason, detail: res.detail, ttftMs: res.ttftMs, durationMs });
    } else if (!cut && !o.signal.aborted) {
      cut = { reason: res.reason, detail: `${res.detail} (after its first ${spoken.length === 1 ? 'sentence' : `${spoken.length} sentences`} had been said)` };
    }
    let finalKind = kind ?? 'acknowledgment';
    if (cut && finalKind === 'follow_up' && !spoken.some((s) => QUESTION_END.test(s))) {
      // The candidate must not be left waiting for a question that never came.
      if (o.questionIfCut) {
        spoken.push(o.questionIfCut);
        queue.push(o.questionIfCut);
      } else finalKind = 'acknowledgment';
    }
    queue.close();
    resolveSettled({ kind: finalKind, text: spoken.join(' '), replaced: cut, durationMs });
  });
  return start;
}
