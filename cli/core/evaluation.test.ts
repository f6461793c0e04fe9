import { describe, expect, it } from 'vitest';
import { buildScorecard, evaluationReplySchema, normaliseForMatch, replyProblems, retryDelayMs, type EvaluationReply } from './evaluation.js';
import type { Question } from './questions.js';
import type { Utterance } from './transcript.js';

const questions: Question[] = [
  { text: 'Q1', timeLimitMs: 60_000 },
  { text: 'Q2', timeLimitMs: 60_000, competency: 'testing' },
];
const u = (seq: number, speaker: Utterance['speaker'], text: string | null, startMs = seq * 1000): Utterance => ({ seq, speaker, kind: 'answer', questionIndex: 0, text, startMs, endMs: startMs + 900 });
const utterances = [u(0, 'agent', 'Tell me about the ledger.'), u(1, 'candidate', 'We moved the ledger to Postgres — for transactions.'), u(2, 'candidate', '東京でチームを率いました。'), u(3, 'candidate', null)];

const reply = (evidence: EvaluationReply['questions'][number]['evidence'][]): EvaluationReply => ({
  questions: evidence.map((e, i) => ({ question: i + 1, score: 3, rationale: 'r', evidence: e })),
  summary: 's',
  strengths: [],
  concerns: [],
  recommendation: 'hold',
});

describe('normaliseForMatch', () => {
  it('ignores case, punctuation, whitespace and full-width forms', () => {
    expect(normaliseForMatch('  We MOVED the\n ledger,  to “Postgres”! ')).toBe('we moved the ledger to postgres');
    expect(normaliseForMatch('ＡＢＣ１２３')).toBe('abc123');
  });
});

describe('verifyEvidence through buildScorecard', () => {
  it('keeps exact and punctuation-insensitive quotes, re-ties a quote to the utterance it is in, drops the rest', () => {
    const card = buildScorecard(
      reply([
        [{ utterance: 1, quote: 'we moved the ledger to postgres' }, { utterance: 2, quote: 'for transactions' }],
        [{ utterance: 0, quote: 'Tell me about the ledger' }, { utterance: 2, quote: 'チームを率いました' }, { utterance: 1, quote: 'ledger' }],
      ]),
      questions,
      utterances,
    );
    const [q1, q2] = card.questions;
    expect(q1!.evidence).toEqual([
      { utterance: 1, quote: 'we moved the ledger to postgres', startMs: 1000 },
      { utterance: 1, quote: 'for transactions', startMs: 1000 },
    ]);
    expect(q1!.support).toBe('cited');
    // The interviewer's words are not evidence; Japanese matches without word spaces; a quote tied
    // to the wrong utterance ("ledger", cited as 1) keeps the one it is in.
    expect(q2!.evidence.map((e) => e.utterance)).toEqual([2, 1]);
    expect(q2!.dropped).toEqual([{ utterance: 0, quote: 'Tell me about the ledger', reason: 'not in what the candidate said' }]);
    expect(q2!.competency).toBe('testing');
  });

  it('marks a score unsupported when none of its quotes is in the transcript, and never matches inside a word', () => {
    const card = buildScorecard(reply([[{ utterance: 1, quote: 'We moved the ledg' }], [{ utterance: 1, quote: 'yes' }]]), questions, utterances);
    expect(card.questions.map((q) => q.support)).toEqual(['unsupported', 'unsupported']);
    expect(card.questions[1]!.dropped[0]!.reason).toBe('too short to prove anything');
    expect(card.advisory).toBe(true);
  });
});

describe('the reply schema', () => {
  it('rejects scores off the scale and missing questions', () => {
    const schema = evaluationReplySchema(2, { min: 1, max: 5 });
    const bad = reply([[], []]);
    bad.questions[0]!.score = 7;
    expect(schema.safeParse(bad).success).toBe(false);
    const twice = reply([[], []]);
    twice.questions[1]!.question = 1;
    expect(schema.safeParse(twice).success).toBe(true);
    expect(replyProblems(twice, 2)).toEqual(['questions: question 1 scored 2 times', 'questions: no score for question 2']);
  });
});

describe('retryDelayMs', () => {
  it('doubles per attempt within ±25 %', () => {
    expect(retryDelayMs(2, 1000, () => 0.5)).toBe(1000);
    expect(retryDelayMs(3, 1000, () => 0.5)).toBe(2000);
    expect(retryDelayMs(3, 1000, () => 0)).toBe(1500);
    expect(retryDelayMs(3, 1000, () => 1)).toBe(2500);
  });
});
