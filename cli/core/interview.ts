import type { Lang } from './lang.js';
import type { Question } from './questions.js';
import type { Status } from './states.js';

/** One interview as every process sees it. Times are Dates; durations are ms. */
export interface Interview {
  id: string;
  status: Status;
  candidateName: string;
  candidateEmail: string | null;
  ref: string | null;
  lang: Lang;
  durationMs: number;
  questionSet: string;
  questions: Question[];
  /** The set's `context` as it was at create (migration 00014); null when it had none. */
  roleContext?: string | null;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  candidateJoinedAt: Date | null;
  recordingStartedAt: Date | null;
  endedAt: Date | null;
  completedAt: Date | null;
  endReason: string | null;
  error: string | null;
  dispatchId: string | null;
  /** sha-256 of the resume key handed to the first joiner; the key itself is never stored. */
  resumeKeyHash: string | null;
  recordingKey: string | null;
  transcriptKey: string | null;
  vttKey: string | null;
  updatedAt: Date;
  /** The interviewer it ran with (SPEC section 11); null before the agent started it. */
  interviewerMode: 'llm' | 'scripted' | null;
  /** The model (llm) or why it ran scripted. */
  interviewerDetail: string | null;
  /** Set when the candidate's data was deleted (`candidate delete`): the row is a tombstone. */
  deletedAt?: Date | null;
}

export interface InterviewEventRow {
  id: number;
  interviewId: string;
  at: Date;
  from: Status | null;
  to: Status;
  actor: string;
  reason: string | null;
}

/** When a live interview must end: its duration counted from the first join. */
export function endsAt(interview: Pick<Interview, 'usedAt' | 'durationMs'>): Date | null {
  return interview.usedAt ? new Date(interview.usedAt.getTime() + interview.durationMs) : null;
}

/** The short form operators see in tables and type back (a unique prefix works too). */
export function shortId(id: string): string {
  return id.slice(0, 8);
}
