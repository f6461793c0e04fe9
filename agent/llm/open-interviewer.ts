import { chooseInterviewerMode, type InterviewerMode } from '../../cli/core/interviewer-mode.js';
import type { Lang } from '../../cli/core/invite-rows.js';
import type { Settings } from '../../cli/settings.js';
import { createLlmBrain, type InterviewerBrain } from './brain.js';

export interface Interviewer {
  mode: InterviewerMode;
  brain: InterviewerBrain | undefined;
  /** The model the brain speaks through (the plugin's LLM), so the session reports its metrics. */
  engine?: import('@livekit/agents').llm.LLM;
  close(): Promise<void>;
}

/**
 * The interviewer one interview runs with, decided at its start (SPEC section 11): LLM mode when
 * a model and speech-to-text are configured and the endpoint answers now, else scripted with the
 * reason. An endpoint that is down makes the interview scripted, never failed.
 */
export async function openInterviewer(settings: Pick<Settings, 'llm'>, opts: { speechToText: boolean; lang: Lang; context?: string }): Promise<Interviewer> {
  const llm = settings.llm;
  let llmUnavailable: string | undefined;
  if (llm && opts.speechToText) {
    const { probeLlm } = await import('../../cli/adapters/llm/probe.js');
    llmUnavailable = await probeLlm(llm, Math.max(1000, llm.timeoutMs));
  }
  const mode = chooseInterviewerMode({ llmModel: llm?.model, speechToText: opts.speechToText, llmUnavailable });
  if (mode.mode !== 'llm' || !llm) return { mode, brain: undefined, close: async () => {} };
  let model;
  try {
    const { openTurnModel } = await import('./turn-model.js');
    model = await openTurnModel(llm);
  } catch (err) {
    return { mode: { mode: 'scripted', reason: `LLM client could not start: ${(err as Error).message}` }, brain: undefined, close: async () => {} };
  }
  return {
    mode,
    engine: model.engine,
    brain: createLlmBrain({ model, lang: opts.lang, timeoutMs: llm.timeoutMs, ...(opts.context ? { context: opts.context } : {}) }),
    close: () => model.close(),
  };
}
