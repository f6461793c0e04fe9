import { z } from 'zod/v4';
import type { Question } from './questions.js';
import type { Utterance } from './transcript.js';

/**
 * The AI's evaluation of one interview (SPEC.md section 12): what the model must return, how its
 * quotes are checked against what the candidate said, and the scorecard we keep. Advisory only:
 * a person decides (`review`).
 */

export const RECOMMENDATIONS = ['advance', 'hold', 'decline'] as const;
export type Recommendation = (typeof RECOMMENDATIONS)[number];

export interface Scale {
  min: number;
  max: number;
}

export const DEFAULT_SCALE: Scale = { min: 1, max: 5 };

/** The scale questions are scored on: the set's (copied into each question), else 1–5. */
export function scaleOf(questions: readonly Pick<Question, 'scale'>[]): Scale {
  return questions.find((q) => q.scale)?.scale ?? DEFAULT_SCALE;
}

/**
 * What the model must answer, as a zod schema (sent as the JSON schema of a structured-output
 * request and checked again on our side: a model or a proxy may ignore the schema).
 */
export function evaluationReplySchema(questionCount: number, scale: Scale) {
  return z.strictObject({
    questions: z
      .array(
        z.strictObject({
          question: z.number().int().min(1).max(questionCount).describe('the question number, 1-based'),
          score: z.number().int().min(scale.min).max(scale.max),
          rationale: z.string().min(1).max(1200),
          evidence: z
            .array(
              z.strictObject({
                utterance: z.number().int().describe('the id of the candidate utterance the quote is copied from'),
                quote: z.string().min(1).max(400).describe("the candidate's exact words"),
              }),
            )
            .max(3),
        }),
      )
      .length(questionCount),
    summary: z.string().min(1).max(2000),
    strengths: z.array(z.string().min(1).max(400)).max(8),
    concerns: z.array(z.string().min(1).max(400)).max(8),
    recommendation: z.enum(RECOMMENDATIONS),
  });
}

export type EvaluationReply = z.infer<ReturnType<typeof evaluationReplySchema>>;

/**
 * Checks a parsed reply beyond its shape: every question answered exactly once. Returns the
 * problems (JSON paths), empty when fine.
 */
export function replyProblems(reply: EvaluationReply, questionCount: number): string[] {
  const seen = new Map<number, number>();
  for (const q of reply.questions) seen.set(q.question, (seen.get(q.question) ?? 0) + 1);
  const problems: string[] = [];
  for (let n = 1; n <= questionCount; n++) {
    const count = seen.get(n) ?? 0;
    if (count === 0) problems.push(`questions: no score for question ${n}`);
    if (count > 1) problems.push(`questions: question ${n} scored ${count} times`);
  }
  return problems;
}

/** One schema problem per line, with its JSON path, for the stored reason of a failed run. */
export function describeSchemaError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

export interface Evidence {
  utterance: number;
  quote: string;
  /** Where the utterance starts in the recording, for seeking. */
  startMs: number;
}

export interface DroppedQuote {
  utterance: number;
  quote: string;
  reason: string;
}

export interface QuestionScore {
  question: number;
  text: string;
  competency: string | null;
  score: number;
  /** `unsupported`: none of its quotes is in what the candidate said. */
  support: 'cited' | 'unsupported';
  rationale: string;
  evidence: Evidence[];
  dropped: DroppedQuote[];
}

/** The scorecard we store and show. */
export interface Scorecard {
  version: 1;
  advisory: true;
  scale: Scale;
  questions: QuestionScore[];
  summary: string;
  strengths: string[];
  concerns: string[];
  recommendation: Recommendation;
}

/**
 * Text for comparing a quote with what was said: Unicode-normalised (NFKC: full-width and
 * compatibility forms), lower case, punctuation and symbols removed, whitespace collapsed.
 */
export function normaliseForMatch(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
}

// Scripts written with spaces between words: there a quote must start and end on word boundaries
// ("ledg" is not in "ledger"); Japanese and Chinese have no spaces, so any substring counts.
const SPACED = /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{N}]/u;

/** Whether normalised `quote` is in normalised `text`, on word boundaries where words have spaces. */
export function containsQuote(text: string, quote: string): boolean {
  const edge = (outside: string | undefined, inside: string) => outside === undefined || outside === ' ' || !SPACED.test(outside) || !SPACED.test(inside);
  for (let at = text.indexOf(quote); at !== -1; at = text.indexOf(quote, at + 1)) {
    if (edge(text[at - 1], quote[0]!) && edge(text[at + quote.length], quote[quote.length - 1]!)) return true;
  }
  return false;
}

/** Shorter than this after normalising, a "quote" proves nothing (e.g. "yes"). */
const MIN_QUOTE_CHARS = 4;

/**
 * Keeps only the quotes that are in what the candidate said: first in the utterance the model
 * cited, else in any other candidate utterance (the quote is then tied to that one). The agent's
 * own words never count. A score left without a quote is `unsupported`.
 */
export function verifyEvidence(reply: EvaluationReply, questions: readonly Question[], utterances: readonly Utterance[]): QuestionScore[] {
  const said = utterances
    .filter((u) => u.speaker === 'candidate' && u.text && u.text.trim() !== '')
    .map((u) => ({ u, norm: normaliseForMatch(u.text!) }));
  const bySeq = new Map(said.map((s) => [s.u.seq, s]));
  return [...reply.questions]
    .sort((a, b) => a.question - b.question)
    .map((q) => {
      const evidence: Evidence[] = [];
      const dropped: DroppedQuote[] = [];
      for (const e of q.evidence) {
        const norm = normaliseForMatch(e.quote);
        if (norm.length < MIN_QUOTE_CHARS) {
          dropped.push({ ...e, reason: 'too short to prove anything' });
          continue;
        }
        const cited = bySeq.get(e.utterance);
        const hit = cited && containsQuote(cited.norm, norm) ? cited : said.find((s) => containsQuote(s.norm, norm));
        if (!hit) {
          dropped.push({ ...e, reason: 'not in what the candidate said' });
          continue;
        }
        if (evidence.some((x) => x.utterance === hit.u.seq && normaliseForMatch(x.quote) === norm)) continue;
        evidence.push({ utterance: hit.u.seq, quote: e.quote.trim(), startMs: hit.u.startMs });
      }
      const question = questions[q.question - 1];
      return {
        question: q.question,
        text: question?.text ?? '',
        competency: question?.competency ?? null,
        score: q.score,
        support: evidence.length > 0 ? 'cited' : 'unsupported',
        rationale: q.rationale.trim(),
        evidence,
        dropped,
      };
    });
}

/** The stored scorecard from a checked reply. */
export function buildScorecard(reply: EvaluationReply, questions: readonly Question[], utterances: readonly Utterance[]): Scorecard {
  return {
    version: 1,
    advisory: true,
    scale: scaleOf(questions),
    questions: verifyEvidence(reply, questions, utterances),
    summary: reply.summary.trim(),
    strengths: reply.strengths.map((s) => s.trim()),
    concerns: reply.concerns.map((s) => s.trim()),
    recommendation: reply.recommendation,
  };
}

/** Whether an interview has anything to evaluate: at least one candidate utterance with text. */
export function hasCandidateText(utterances: readonly Utterance[]): boolean {
  return utterances.some((u) => u.speaker === 'candidate' && u.text !== null && u.text.trim() !== '');
}

/** Delay before model call `attempt` (1-based, > 1) of one run: exponential with jitter. */
export function retryDelayMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const exp = baseMs * 2 ** Math.max(0, attempt - 2);
  return Math.round(exp * (0.75 + random() * 0.5));
}

/** When serve's sweep tries a failed evaluation again: 5 min, 20 min, then it leaves it to a person. */
export function nextRunDelayMs(runs: number): number | null {
  if (runs >= 3) return null;
  return 5 * 60_000 * 4 ** (runs - 1);
}
