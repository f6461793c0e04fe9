import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Sql } from '../../../cli/adapters/db/connect.js';
import { createInterviewRepo } from '../../../cli/adapters/db/interviews.js';
import { createUtteranceRepo } from '../../../cli/adapters/db/utterances.js';
import { recordingKeys } from '../../../cli/core/keys.js';
import type { Question } from '../../../cli/core/questions.js';
import type { Utterance } from '../../../cli/core/transcript.js';
import { makeNewInterview } from './builders.js';
import { localPathsOf } from '../../../cli/adapters/storage/storage.js';

export const QUESTIONS: Question[] = [
  { text: 'Tell me about a service you designed end to end.', timeLimitMs: 120_000, competency: 'system design', rubric: 'Names a concrete design decision, why it was made, and how the result was measured.' },
  { text: 'How do you test it?', timeLimitMs: 120_000, competency: 'testing' },
];

/** A short interview: the interviewer asks, the candidate answers. seq = index. */
export const UTTERANCES: Omit<Utterance, 'seq'>[] = [
  { speaker: 'agent', kind: 'question', questionIndex: 0, text: QUESTIONS[0]!.text, startMs: 1000, endMs: 4000 },
  { speaker: 'candidate', kind: 'answer', questionIndex: 0, text: 'I designed the payments ledger. We moved it to Postgres, because we needed transactions across accounts.', startMs: 5000, endMs: 12_000 },
  { speaker: 'candidate', kind: 'answer', questionIndex: 0, text: 'Latency dropped to 40 milliseconds at the 99th percentile, which we measured with our load tests.', startMs: 12_500, endMs: 18_000 },
  { speaker: 'agent', kind: 'question', questionIndex: 1, text: QUESTIONS[1]!.text, startMs: 19_000, endMs: 21_000 },
  { speaker: 'candidate', kind: 'answer', questionIndex: 1, text: 'Mostly integration tests against a real database, plus property tests for the money arithmetic.', startMs: 22_000, endMs: 28_000 },
];

export interface Seeded {
  id: string;
  transcriptKey: string;
  evaluationKey: string;
  videoKey: string;
}

/**
 * A completed interview as the agent leaves it: utterances in Postgres, the transcript in the
 * recordings folder (`dir`), status completed. `resumeKey` sets the join's key hash.
 */
export async function seedCompletedInterview(
  sql: Sql,
  dir: string,
  opts: { name?: string; email?: string; ref?: string | null; questions?: Question[]; utterances?: Omit<Utterance, 'seq'>[]; resumeKey?: string; status?: string; questionSet?: string } = {},
): Promise<Seeded> {
  const row = makeNewInterview({
    candidateName: opts.name ?? 'Ada Lovelace',
    candidateEmail: opts.email ?? 'ada@example.com',
    ref: opts.ref === undefined ? null : opts.ref,
    questions: opts.questions ?? QUESTIONS,
    questionSet: opts.questionSet ?? 'backend',
  });
  await createInterviewRepo(sql).insertMany([row]);
  const started = new Date(Date.now() - 60_000);
  const keys = recordingKeys(row.id, `interview-${row.id}`, started);
  const utterances = createUtteranceRepo(sql);
  for (const [seq, u] of (opts.utterances ?? UTTERANCES).entries()) await utterances.add(row.id, { seq, ...u });
  mkdirSync(dirname(localPathsOf(dir, keys.transcript).path), { recursive: true });
  writeFileSync(localPathsOf(dir, keys.transcript).path, '{}\n');
  const hash = opts.resumeKey ? createHash('sha256').update(opts.resumeKey).digest('hex') : null;
  await sql`
    update interviews set status = ${opts.status ?? 'completed'}, used_at = ${new Date(started.getTime() - 5000)}, candidate_joined_at = ${started},
      recording_started_at = ${started}, ended_at = now(), completed_at = ${opts.status && opts.status !== 'completed' ? null : new Date()},
      transcript_key = ${keys.transcript}, vtt_key = ${keys.vtt}, resume_key_hash = ${hash}
    where id = ${row.id}`;
  return { id: row.id, transcriptKey: keys.transcript, evaluationKey: keys.evaluation, videoKey: keys.video };
}

/** The evaluation request's user document (what the model was given). */
export function requestDoc(body: { messages: { role: string; content: string }[] }): {
  scale: { lowest: number; highest: number };
  questions: { number: number; question: string; rubric: string | null }[];
  transcript: { id: number; speaker: string; question: number | null; text: string }[];
} {
  return JSON.parse(body.messages.find((m) => m.role === 'user')!.content);
}

/** A well-formed reply that quotes the candidate exactly, one question per entry. */
export function goodReply(body: Parameters<typeof requestDoc>[0], tweak: (r: any) => void = () => {}): string {
  const doc = requestDoc(body);
  const said = doc.transcript.filter((u) => u.speaker === 'candidate');
  const reply = {
    questions: doc.questions.map((q) => {
      const mine = said.filter((u) => u.question === q.number);
      return {
        question: q.number,
        score: Math.min(doc.scale.highest, doc.scale.lowest + 3),
        rationale: `Answer to question ${q.number} names concrete choices.`,
        evidence: mine.slice(0, 2).map((u) => ({ utterance: u.id, quote: u.text.split(',')[0]! })),
      };
    }),
    summary: 'Concrete answers with measured results.',
    strengths: ['Explains design choices'],
    concerns: ['Little on failure handling'],
    recommendation: 'advance',
  };
  tweak(reply);
  return JSON.stringify(reply);
}
