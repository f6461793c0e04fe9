import { candidateIntent, mayFollowUp, MAX_SIDE_TURNS, timeLeftLine, type CandidateIntent } from '../cli/core/interviewer-plan.js';
import type { Lang } from '../cli/core/invite-rows.js';
import { followUpsOf, type Question } from '../cli/core/questions.js';
import type { Lines } from './lines.js';
import type { InterviewerBrain, SpokenReply } from './llm/brain.js';
import type { Answer, Draft } from './speech/answer.js';

/** Why the conversation stopped. */
export type EndReason = 'duration' | 'questions_done' | 'candidate_left' | 'ended_elsewhere';

export interface Presence {
  here(): boolean;
  /** Aborts when the candidate leaves the room; a fresh signal after each return. */
  dropSignal(): AbortSignal;
  /** Resolves true when the candidate is back within `ms`, false otherwise or on abort. */
  waitForReturn(ms: number, signal: AbortSignal): Promise<boolean>;
}

/** The interviewer's clock: performance.now() and timers in production, a fake one in tests. */
export interface Clock {
  now(): number;
  /** Calls `fn` after `ms`; returns a cancel function. */
  after(ms: number, fn: () => void): () => void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  after: (ms, fn) => {
    const t = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(t);
  },
};

/** What a spoken turn answers, for its latency row: the end of the candidate's answer and the model's figures. */
export interface TurnMeta {
  /** Recording offset (ms) at which the candidate's answer this turn follows ended. */
  answerEndMs?: number;
  reply?: SpokenReply;
}

export interface InterviewerDeps {
  lines: Lines;
  questions: readonly Question[];
  lang?: Lang;
  /** clock.now() at which the interview must be over. */
  deadline: number;
  durationMs: number;
  /** How long the closing words take to say (they end at the deadline). */
  closingMs: number;
  graceMs: number;
  /** Aborts when the interview was ended elsewhere (End button, operator, failure). */
  external: AbortSignal;
  presence: Presence;
  speak(kind: string, text: string, questionIndex: number | null, signal: AbortSignal, meta?: TurnMeta): Promise<'done' | 'aborted'>;
  /** `onDraft` hears what the candidate has said so far while the turn may still go on (LLM mode). */
  listen(kind: string, questionIndex: number, limitMs: number, signal: AbortSignal, onDraft?: (draft: Draft) => void): Promise<Answer>;
  /** LLM mode: the model words follow-ups, acknowledgments and answers about the role. Absent: scripted. */
  brain?: InterviewerBrain;
  /** The candidate's last turn was their own question (repeat, time left, the role…), not an answer. */
  onCandidateQuestion?(questionIndex: number, intent: CandidateIntent): void;
  /** A model's words were replaced by the scripted line (an event on the interview). */
  onReplaced?(questionIndex: number, replaced: { reason: string; detail: string }): void;
  /** Default realClock. */
  clock?: Clock;
  /** Default MIN_QUESTION_WINDOW_MS. */
  minQuestionWindowMs?: number;
}

/** An answer with less voiced time than this gets one follow-up in the scripted flow. */
export const SHORT_ANSWER_MS = 3000;
export const WARN_BEFORE_END_MS = 60_000;
/** Time a question needs before the closing words: saying it and hearing something back. */
export const MIN_QUESTION_WINDOW_MS = 8000;

class Interrupted extends Error {}

/** Two transcripts of one turn compare equal whatever their spacing and case. */
const sameWords = (text: string) => text.trim().replace(/\s+/g, ' ').toLowerCase();

/**
 * The conversation. The plan is ours in both modes: greeting with the AI and recording
 * disclosure, each question in order with a per-question limit, follow-ups within the question's
 * cap, a warning about a minute before the end, and closing words that finish at the deadline.
 * Scripted: one fixed follow-up after a very short answer. LLM: the brain words a follow-up that
 * refers to the answer or a neutral acknowledgment. In both, the candidate's own questions
 * (repeat, time left, the role, anything for the hiring team) are answered from our code, and the
 * same question then continues. A candidate who drops is waited for through the grace period,
 * then the current question is asked again.
 */
export async function runInterview(d: InterviewerDeps): Promise<EndReason> {
  const clock = d.clock ?? realClock;
  const now = () => clock.now();
  const lang = d.lang ?? 'en';
  const closeAt = d.deadline - d.closingMs - 300;
  const questionWindow = d.minQuestionWindowMs ?? MIN_QUESTION_WINDOW_MS;
  const closeCtl = new AbortController();
  const cancelClose = clock.after(closeAt - now(), () => closeCtl.abort());
  const followUpsUsed = new Map<number, number>();
  let greeted = false;
  let resume = false;
  let warned = d.durationMs < 2 * WARN_BEFORE_END_MS;
  let i = 0;
  // The end of the last answer, for the latency of whatever is said next.
  let answerEnd: number | undefined;

  const speak = async (kind: string, text: string, qi: number | null, signal: AbortSignal, reply?: SpokenReply) => {
    const meta: TurnMeta = { ...(answerEnd !== undefined ? { answerEndMs: answerEnd } : {}), ...(reply ? { reply } : {}) };
    answerEnd = undefined;
    if ((await d.speak(kind, text, qi, signal, meta)) === 'aborted') throw new Interrupted();
  };
  const listen = async (kind: string, qi: number, limitMs: number, signal: AbortSignal, onDraft?: (draft: Draft) => void) => {
    const a = await d.listen(kind, qi, Math.max(1000, Math.min(limitMs, closeAt - now())), signal, onDraft);
    if (a.outcome === 'aborted') throw new Interrupted();
    if (a.outcome === 'answered') answerEnd = a.endMs;
    return a;
  };
  const replacedIfAny = (qi: number, r: SpokenReply, signal: AbortSignal) => {
    if (signal.aborted) throw new Interrupted();
    if (r.replaced) d.onReplaced?.(qi, r.replaced);
  };
  /** A line spoken as the model wrote it: what it came to, and why its tail was cut if it was. */
  const settledTail = async (qi: number, r: SpokenReply) => {
    if (!r.tail) return undefined;
    const settled = await r.tail.settled;
    if (settled.replaced) d.onReplaced?.(qi, settled.replaced);
    return settled;
  };

  /** The candidate asked something of their own: answered from our code (or the set's context), then back to the question. */
  const answerOwnQuestion = async (intent: CandidateIntent, asked: string, q: Question, qi: number, phase: AbortSignal) => {
    if (intent === 'repeat') return speak('repeat', q.text, qi, phase);
    if (intent === 'time_left') return speak('time_left', `${timeLeftLine(lang, d.deadline - now())} ${d.lines.goOn}`, qi, phase);
    const fallback = { kind: 'answer' as const, text: d.lines.hiringTeam };
    const reply = intent === 'role' && d.brain ? await d.brain.roleAnswer(asked, fallback, phase) : undefined;
    if (reply) replacedIfAny(qi, reply, phase);
    return speak(intent === 'role' ? 'role_answer' : 'hiring_team', `${reply?.text ?? fallback.text} ${d.lines.goOn}`, qi, phase, reply);
  };

  /** One must-ask question: asked, answered, followed up within its cap; returns the last answer's outcome. */
  const askQuestion = async (q: Question, qi: number, phase: AbortSignal): Promise<Answer['outcome']> => {
    await speak('question', q.text, qi, phase);
    const answers: string[] = [];
    const asked: string[] = [];
    let kind = 'answer';
    let limit = q.timeLimitMs;
    let sideTurns = 0;
    // LLM mode: the reply to what the candidate has said so far is asked for as soon as a final
    // transcript lands, while the session still waits to be sure the turn is over (the turn
    // detector may hold it for up to its longest delay). It is used only if the turn ends with
    // exactly those words and the same plan; otherwise it is cancelled and never heard.
    let ahead: { key: string; ctl: AbortController; reply: Promise<SpokenReply> } | undefined;
    const dropAhead = () => {
      ahead?.ctl.abort();
      ahead = undefined;
    };
    const replyPlan = (heard: string[], speechMs: number) => {
      const used = followUpsUsed.get(qi) ?? 0;
      const canFollow = mayFollowUp(q, used, closeAt - now(), questionWindow);
      const fallback = canFollow && speechMs < SHORT_ANSWER_MS ? { kind: 'follow_up' as const, text: d.lines.followUp } : { kind: 'acknowledgment' as const, text: d.lines.acknowledgment };
      const left = canFollow ? followUpsOf(q) - used : 0;
      return { key: JSON.stringify([heard.map(sameWords), fallback.kind, left]), fallback, input: { question: q, answers: heard, followUpsAsked: [...asked], followUpsLeft: left, timeLeftMs: d.deadline - now() } };
    };
    const brain = d.brain;
    const onDraft = brain
      ? (draft: Draft) => {
          if (phase.aborted || candidateIntent(draft.text, lang) !== 'answer') return dropAhead();
          const plan = replyPlan([...answers, draft.text], draft.speechMs);
          if (ahead?.key === plan.key) return;
          dropAhead();
          const ctl = new AbortController();
          const reply = brain.afterAnswer(plan.input, plan.fallback, AbortSignal.any([phase, ctl.signal]));
          reply.catch(() => {});
          ahead = { key: plan.key, ctl, reply };
        }
      : undefined;
    for (;;) {
      let a: Answer;
      try {
        a = await listen(kind, qi, limit, phase, onDraft);
      } catch (err) {
        dropAhead();
        throw err;
      }
      const intent = a.outcome === 'answered' ? candidateIntent(a.text, lang) : 'answer';
      if (intent !== 'answer' && sideTurns < MAX_SIDE_TURNS) {
        dropAhead();
        sideTurns++;
        d.onCandidateQuestion?.(qi, intent);
        await answerOwnQuestion(intent, a.text ?? '', q, qi, phase);
        continue;
      }
      if (a.outcome !== 'answered') dropAhead();
      if (a.text) answers.push(a.text);
      if (a.outcome !== 'answered') return a.outcome;
      const used = followUpsUsed.get(qi) ?? 0;
      let reply: SpokenReply | undefined;
      if (brain && answers.length > 0) {
        const plan = replyPlan([...answers], a.speechMs);
        const early = ahead?.key === plan.key ? ahead : undefined;
        if (!early) dropAhead();
        ahead = undefined;
        reply = await (early?.reply ?? brain.afterAnswer(plan.input, plan.fallback, phase));
        replacedIfAny(qi, reply, phase);
      } else if (used === 0 && used < followUpsOf(q) && a.speechMs < SHORT_ANSWER_MS) {
        // The scripted flow as it always was: one fixed follow-up after a very short answer,
        // whatever the time left (the closing timer still cuts it short at the duration).
        reply = { kind: 'follow_up', text: d.lines.followUp, replaced: null, ttftMs: null, durationMs: null };
      }
      dropAhead();
      if (!reply) return a.outcome;
      if (reply.kind !== 'follow_up') {
        await speak('acknowledgment', reply.text, qi, phase, reply);
        await settledTail(qi, reply);
        return a.outcome;
      }
      followUpsUsed.set(qi, used + 1);
      await speak('follow_up', reply.text, qi, phase, d.brain ? reply : undefined);
      const settled = await settledTail(qi, reply);
      asked.push(settled?.text ?? reply.text);
      // Its question was cut off and there was no scripted one to say instead: no answer to wait for.
      if (settled?.kind === 'acknowledgment') return a.outcome;
      kind = 'follow_up_answer';
      limit = Math.max(10_000, q.timeLimitMs / 2);
    }
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
        const outcome = await askQuestion(d.questions[i]!, i, phase);
        if (outcome === 'limit' && i < d.questions.length - 1 && closeAt - now() > 2 * questionWindow) await speak('move_on', d.lines.moveOn, i, phase);
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
      if (wait > 0) {
        await new Promise<void>((r) => {
          const cancel = clock.after(wait, r);
          d.external.addEventListener('abort', () => (cancel(), r()), { once: true });
        });
      }
    }
    return d.external.aborted ? 'ended_elsewhere' : reason;
  } finally {
    cancelClose();
  }
}
