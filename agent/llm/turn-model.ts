import type { llm as llmNs } from '@livekit/agents';
import type { LlmSettings } from '../../cli/settings.js';
import type { ChatMessages } from '../../cli/core/interviewer-prompt.js';
import { visibleText } from '../../cli/core/model-text.js';

/** What came back from one streamed completion, or why nothing usable did. */
export type Completion =
  | { ok: true; text: string; ttftMs: number; durationMs: number }
  | { ok: false; reason: 'late' | 'error'; detail: string; ttftMs: number | null; durationMs: number };

/** A chat model the interviewer asks for one short line at a time. */
export interface TurnModel {
  readonly model: string;
  /** The plugin's LLM, so an AgentSession reports its metrics (llm_metrics) with the turn's others. */
  readonly engine: llmNs.LLM;
  /**
   * Streams one completion. `late`: no first token within `firstTokenMs`, or the whole reply not
   * within `totalMs` (the stream is then closed: nobody waits for it). Never throws. `onText`
   * hears the text so far as each piece arrives (a reply is spoken sentence by sentence).
   * A reasoning model's thinking in the content is not the reply: agents-js drops `<think>…</think>`
   * blocks itself; `visibleText` also drops the forms it lets through (another tag name or case, a
   * block whose opening tag the chat template wrote). The first token is the first one after a
   * `<think>` block; a block the template opened is known only at its closing tag, so its thinking
   * counts as the first token (callers read a line without its ASK:/NEXT: marker whole).
   */
  complete(messages: ChatMessages, limits: { firstTokenMs: number; totalMs: number }, signal?: AbortSignal, onText?: (soFar: string) => void): Promise<Completion>;
  close(): Promise<void>;
}

/**
 * The interviewer's model through @livekit/agents-plugin-openai (any OpenAI-compatible Chat
 * Completions endpoint, SSE streaming). No retries: a retry after a deadline is a candidate
 * waiting in silence, and the scripted line is ready instead.
 */
export async function openTurnModel(settings: LlmSettings): Promise<TurnModel> {
  const [{ llm, initializeLogger, loggerOptions }, openai] = await Promise.all([import('@livekit/agents'), import('@livekit/agents-plugin-openai')]);
  // Plugins log through agents-js's logger, which must exist first (a job process has one).
  if (!loggerOptions()) initializeLogger({ pretty: false, level: 'warn' });
  const model = new openai.LLM({ model: settings.model, baseURL: settings.baseUrl, apiKey: settings.apiKey ?? 'none', temperature: 0.3, maxCompletionTokens: 160 });
  let lastError: string | undefined;
  // Errors of a stream are events on the LLM; without a listener Node would throw them.
  model.on('error', (e) => (lastError = e.error.message));
  return {
    model: settings.model,
    engine: model,
    async complete(messages, limits, signal, onText) {
      const started = performance.now();
      const elapsed = () => performance.now() - started;
      const chatCtx = llm.ChatContext.empty();
      chatCtx.addMessage({ role: 'system', content: messages.system });
      chatCtx.addMessage({ role: 'user', content: messages.user });
      lastError = undefined;
      const stream = model.chat({ chatCtx, connOptions: { maxRetry: 0, retryIntervalMs: 0, timeoutMs: limits.totalMs } });
      let ttftMs: number | null = null;
      let raw = '';
      let text = '';
      let late: string | undefined;
      const timer = setTimeout(() => {
        late = ttftMs === null ? `no first token within ${limits.firstTokenMs} ms` : `reply not complete within ${limits.totalMs} ms`;
        stream.close();
      }, limits.firstTokenMs);
      let totalTimer: NodeJS.Timeout | undefined;
      const onAbort = () => stream.close();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        for await (const chunk of stream) {
          const piece = chunk.delta?.content;
          if (!piece) continue;
          raw += piece;
          const visible = visibleText(raw);
          if (visible === text || (ttftMs === null && visible.trim() === '')) continue;
          text = visible;
          if (ttftMs === null) {
            ttftMs = elapsed();
            clearTimeout(timer);
            totalTimer = setTimeout(() => {
              late = `reply not complete within ${limits.totalMs} ms`;
              stream.close();
            }, Math.max(0, limits.totalMs - ttftMs));
          }
          onText?.(text);
        }
      } catch (err) {
        lastError ??= (err as Error).message;
      } finally {
        clearTimeout(timer);
        clearTimeout(totalTimer);
        signal?.removeEventListener('abort', onAbort);
      }
      const durationMs = elapsed();
      if (late) return { ok: false, reason: 'late', detail: late, ttftMs, durationMs };
      if (signal?.aborted) return { ok: false, reason: 'error', detail: 'aborted', ttftMs, durationMs };
      if (lastError) return { ok: false, reason: 'error', detail: lastError.slice(0, 200), ttftMs, durationMs };
      return { ok: true, text, ttftMs: ttftMs ?? durationMs, durationMs };
    },
    close: () => model.aclose(),
  };
}
