import type { Question } from '../cli/core/questions.js';
import type { Lines } from './lines.js';
import type { Answer } from './speech/voice-in.js';

/** Why the conversation stopped. */
export type EndReason = 'duration' | 'questions_done' | 'candidate_left' | 'ended_elsewhere';

export interface Presence {
  here(): boolean;
  /** Aborts when the candidate leaves the room; a fresh signal after each return. */
  dropSignal(): AbortSignal;
  /** Resolves true when the candidate is back within `ms`, false otherwise or on abort. */
  waitForReturn(ms: number, signal: AbortSignal): Promise<boolean>;
}

export interface InterviewerDeps {
  lines: Lines;
  questions: readonly Question[];
  /** performance.now() at which the interview must be over. */
  deadline: number;
  durationMs: number;
  /** How long the closing words take to say (they end at the deadline). */
  closingMs: number;
  graceMs: number;
  /** Aborts when the interview was ended elsewhere (End button, operator, failure). */
  external: AbortSignal;
  presence: Presence;
  speak(kind: string, text: string, questionIndex: number | null, signal: AbortSignal): Promise<'done' | 'aborted'>;
  listen(kind: string, questionIndex: number, limitMs: number, signal: AbortSignal): Promise<Answer>;
  now?(): number;
  /** Default MIN_QUESTION_WINDOW_MS. */
  minQuestionWindowMs?: number;
}

/** An answer with less voiced time than this gets one follow-up. */
export const SHORT_ANSWER_MS = 3000;
export const WARN_BEFORE_END_MS = 60_000;
/** Time a question needs before the closing words: saying it and hearing something back. */
export const MIN_QUESTION_WINDOW_MS = 8000;

class Interrupted extends Error {}

/**
 * The scripted conversation: greeting with the AI and recording disclosure, each question in
 * order with a per-question limit, one follow-up for a very short answer, a warning about a
 * minute before the end, and closing words that finish at the deadline. A candidate who drops is
 * waited for through the grace period, then the current question is asked again.
 */
export async function runInterview(d: InterviewerDeps): Promise<EndReason> {
  const now = d.now ?? (() => performance.now());
  const closeAt = d.deadline - d.closingMs - 300;
  const questionWindow = d.minQuestionWindowMs ?? MIN_QUESTION_WINDOW_MS;
  const closeCtl = new AbortController();
  const closeTimer = setTimeout(() => closeCtl.abort(), Math.max(0, closeAt - now()));
  const followedUp = new Set<number>();
  let greeted = false;
  let resume = false;
  let warned = d.durationMs < 2 * WARN_BEFORE_END_MS;
  let i = 0;

  const speak = async (kind: string, text: string, qi: number | null, signal: AbortSignal) => {
    if ((await d.speak(kind, text, qi, signal)) === 'aborted') throw new Interrupted();
  };
  const listen = async (kind: string, qi: number, limitMs: number, signal: AbortSignal) => {
    const a = await d.listen(kind, qi, Math.max(1000, Math.min(limitMs, closeAt - now())), signal);
    if (a.outcome === 'aborted') throw new Interrupted();
    return a;
  };

  try {
    for (;;) {
      const phase = AbortSignal.any([d.external, closeCtl.signal, d.presence.dropSignal()]);
      try {
        if (!greeted) {
          await speak('greeting', d.lines.greeting, null, phase);
          greeted = true;
        }
        if (resume) {
          await speak('welcome_back', d.lines.welcomeBack, null, phase);
          resume = false;
        }
        if (i >= d.questions.length) break;
        // A question that cannot be asked and answered before the closing words is not started.
        if (closeAt - now() < questionWindow) break;
        if (!warned && d.deadline - now() <= WARN_BEFORE_END_MS + 5000) {
          await speak('time_warning', d.lines.timeWarning, null, phase);
          warned = true;
        }
        const q = d.questions[i]!;
        await speak('question', q.text, i, phase);
        let a = await listen('answer', i, q.timeLimitMs, phase);
        if (a.outcome === 'answered' && a.speechMs < SHORT_ANSWER_MS && !followedUp.has(i)) {
          followedUp.add(i);
          await speak('follow_up', d.lines.followUp, i, phase);
          a = await listen('follow_up_answer', i, Math.max(10_000, q.timeLimitMs / 2), phase);
        }
        if (a.outcome === 'limit' && i < d.questions.length - 1 && closeAt - now() > 2 * questionWindow) await speak('move_on', d.lines.moveOn, i, phase);
        i++;
      } catch (err) {
        if (!(err instanceof Interrupted)) throw err;
        if (d.external.aborted) return 'ended_elsewhere';
        if (closeCtl.signal.aborted) break;
        // The candidate left: wait through the grace period (not past the closing time).
        const waitSignal = AbortSignal.any([d.external, closeCtl.signal]);
        const back = await d.presence.waitForReturn(Math.min(d.graceMs, Math.max(0, closeAt - now())), waitSignal);
        if (d.external.aborted) return 'ended_elsewhere';
        if (closeCtl.signal.aborted) break;
        if (!back) return 'candidate_left';
        resume = greeted;
      }
    }
    const reason: EndReason = closeCtl.signal.aborted ? 'duration' : 'questions_done';
    if (d.presence.here() && !d.external.aborted) {
      await d.speak('closing', d.lines.closing, null, d.external);
    }
    if (d.external.aborted) return 'ended_elsewhere';
    // At the duration the session ends at the deadline itself, not when the words happen to stop.
    if (reason === 'duration') {
      const wait = d.deadline - now();
      if (wait > 0) await new Promise<void>((r) => { const t = setTimeout(r, wait); d.external.addEventListener('abort', () => { clearTimeout(t); r(); }, { once: true }); });
    }
    return d.external.aborted ? 'ended_elsewhere' : reason;
  } finally {
    clearTimeout(closeTimer);
  }
}
