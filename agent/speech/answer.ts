/** One answer as the interviewer plan sees it; offsets are ms on the recording's clock. */
export interface Answer {
  /** answered: the candidate spoke and their turn ended; limit: time ran out (maybe mid-speech); silent: nothing said. */
  outcome: 'answered' | 'limit' | 'silent' | 'aborted';
  startMs: number;
  endMs: number;
  /** Voiced time within the answer. */
  speechMs: number;
  /** The turn's transcript, when speech-to-text runs. */
  text: string | null;
  /** Clock (recording offset) when the last final transcript of the answer arrived. */
  finalAtMs?: number;
  /** Clock (recording offset) when the end of the turn was decided. */
  turnAtMs?: number;
}

/** What the candidate has said so far in a turn that may be over: a final transcript has landed. */
export interface Draft {
  text: string;
  /** Voiced time so far. */
  speechMs: number;
}
