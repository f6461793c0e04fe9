/**
 * Which interviewer a new interview gets (SPEC section 11): `llm` needs both a model and
 * speech-to-text (the model must read the candidate's words); anything less runs the scripted flow.
 * Pure: the agent decides per interview at its start, `doctor` and `show` print the same reasons.
 */
export type InterviewerMode = { mode: 'llm'; model: string } | { mode: 'scripted'; reason: string };

export interface ModeInputs {
  /** The configured model, undefined when LLM_BASE_URL/LLM_MODEL are unset. */
  llmModel: string | undefined;
  /** Speech-to-text configured (DEEPGRAM_API_KEY). */
  speechToText: boolean;
  /** Set when the endpoint was found unusable (unreachable at start, unknown model). */
  llmUnavailable?: string;
}

export function chooseInterviewerMode(inputs: ModeInputs): InterviewerMode {
  if (inputs.llmModel === undefined) return { mode: 'scripted', reason: 'no LLM configured (set LLM_BASE_URL and LLM_MODEL)' };
  if (!inputs.speechToText) return { mode: 'scripted', reason: 'no speech-to-text (set DEEPGRAM_API_KEY): the model could not read the answers' };
  if (inputs.llmUnavailable !== undefined) return { mode: 'scripted', reason: `LLM unavailable: ${inputs.llmUnavailable}` };
  return { mode: 'llm', model: inputs.llmModel };
}

/** One line for `doctor`, `show` and the agent's start-up log. */
export function describeInterviewerMode(m: InterviewerMode): string {
  return m.mode === 'llm' ? `llm (${m.model})` : `scripted: ${m.reason}`;
}
