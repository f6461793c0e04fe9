import { describe, expect, it } from 'vitest';
import type { Question } from '../cli/core/questions.js';
import { runInterview, type InterviewerDeps, type Presence } from './interviewer.js';
import { linesFor } from './lines.js';
import type { InterviewerBrain, ScriptedLine, SpokenReply } from './llm/brain.js';
import type { Answer } from './speech/answer.js';
import { FakeClock } from './testing/fake-clock.js';

/** A candidate who is always there, unless told otherwise. */
class FakePresence implements Presence {
  present = true;
  private drop = new AbortController();
  private back: (() => void) | undefined;
  constructor(private readonly clock: FakeClock) {}
  here() {
    return this.present;
  }
  dropSignal() {
    if (this.drop.signal.aborted && this.present) this.drop = new AbortController();
    return this.drop.signal;
  }
  leave() {
    this.present = false;
    this.drop.abort();
  }
  rejoin() {
    this.present = true;
    this.back?.();
  }
  waitForReturn(ms: number, signal: AbortSignal) {
    if (this.present) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const cancel = this.clock.after(ms, () => resolve(false));
      this.back = () => (cancel(), resolve(true));
      signal.addEventListener('abort', () => (cancel(), resolve(false)), { once: true });
    });
  }
}

/** An answer as the fake candidate gives it; `drafts` are final transcripts heard before the turn ends (ms into listening). */
type FakeAnswer = Partial<Answer> & { drafts?: { atMs: number; text: string }[] };

interface HarnessOptions {
  answers?: FakeAnswer[];
  durationMs?: number;
  answerMs?: number;
  plannedMs?: number;
  questions?: Question[];
  brain?: InterviewerBrain;
}

function harness(over: HarnessOptions = {}) {
  const clock = new FakeClock();
  const said: string[] = [];
  const spoken: { kind: string; text: string }[] = [];
  const replaced: string[] = [];
  const candidateQuestions: string[] = [];
  const presence = new FakePresence(clock);
  const external = new AbortController();
  const answers = [...(over.answers ?? [])];
  const durationMs = over.durationMs ?? 5 * 60_000;
  const deps: InterviewerDeps = {
    lines: linesFor('en', 'Ada Lovelace'),
    questions: over.questions ?? [
      { text: 'Q1', timeLimitMs: 60_000 },
      { text: 'Q2', timeLimitMs: 60_000 },
    ],
    deadline: clock.now() + durationMs,
    durationMs: over.plannedMs ?? durationMs,
    closingMs: 2000,
    graceMs: 30_000,
    external: external.signal,
    presence,
    clock,
    onCandidateQuestion: (_qi, intent) => candidateQuestions.push(intent),
    ...(over.brain ? { brain: over.brain, onReplaced: (_qi, r) => replaced.push(r.reason) } : {}),
    speak: async (kind, text, _qi, signal) => {
      if (signal.aborted) return 'aborted';
      said.push(kind === 'question' ? text : kind);
      spoken.push({ kind, text });
      await clock.sleep(1000, signal);
      return signal.aborted ? 'aborted' : 'done';
    },
    listen: async (_kind, _qi, limitMs, signal, onDraft) => {
      const { drafts = [], ...a } = answers.shift() ?? {};
      const cancels = drafts.map((dr) => clock.after(dr.atMs, () => onDraft?.({ text: dr.text, speechMs: 5000 })));
      await clock.sleep(Math.min(limitMs, over.answerMs ?? 4000), signal);
      for (const c of cancels) c();
      if (signal.aborted) return { outcome: 'aborted', startMs: 0, endMs: 0, speechMs: 0, text: null };
      return { outcome: 'answered', startMs: 0, endMs: 5000, speechMs: 5000, text: null, ...a };
    },
  };
  const run = () => clock.run(runInterview(deps));
  return { deps, said, spoken, replaced, candidateQuestions, presence, external, clock, run };
}

/** A model stand-in at the brain's seam: scripted replies, and a record of what it was given. */
function fakeBrain(script: (n: number, input: Parameters<InterviewerBrain['afterAnswer']>[0], fallback: ScriptedLine) => Partial<SpokenReply>) {
  const inputs: Parameters<InterviewerBrain['afterAnswer']>[0][] = [];
  const signals: AbortSignal[] = [];
  const brain: InterviewerBrain = {
    afterAnswer: async (input, fallback, signal) => {
      inputs.push(structuredClone(input));
      signals.push(signal);
      const r = script(inputs.length - 1, input, fallback);
      return { kind: 'acknowledgment', text: 'Thank you.', replaced: null, ttftMs: 300, durationMs: 400, ...r };
    },
    roleAnswer: async () => ({ kind: 'answer', text: 'It is a remote role.', replaced: null, ttftMs: 300, durationMs: 400 }),
  };
  return { brain, inputs, signals };
}

describe('runInterview (scripted)', () => {
  it('greets, asks every question in order, and closes when they are done', async () => {
    const h = harness();
    expect(await h.run()).toBe('questions_done');
    expect(h.said).toEqual(['greeting', 'Q1', 'Q2', 'closing']);
  });

  it('asks one follow-up after a very short answer, and only one', async () => {
    const h = harness({ answers: [{ speechMs: 800 }, { speechMs: 500 }, { speechMs: 4000 }] });
    await h.run();
    expect(h.said).toEqual(['greeting', 'Q1', 'follow_up', 'Q2', 'closing']);
  });

  it('asks no follow-up on a question that allows none', async () => {
    const h = harness({ answers: [{ speechMs: 800 }], questions: [{ text: 'Q1', timeLimitMs: 60_000, followUps: 0 }] });
    await h.run();
    expect(h.said).toEqual(['greeting', 'Q1', 'closing']);
  });

  it('stops at once, without closing words, when the interview is ended elsewhere', async () => {
    const h = harness({ answerMs: 50_000 });
    h.clock.after(3000, () => h.external.abort());
    expect(await h.run()).toBe('ended_elsewhere');
    expect(h.clock.now()).toBe(3000);
    expect(h.said).not.toContain('closing');
  });

  it('says once that about a minute is left, between turns', async () => {
    // A 20-minute interview whose last minute has come: the warning goes before the next question.
    const h = harness({ durationMs: 60_000, plannedMs: 20 * 60_000 });
    await h.run();
    expect(h.said.filter((s) => s === 'time_warning')).toHaveLength(1);
    expect(h.said.slice(0, 3)).toEqual(['greeting', 'time_warning', 'Q1']);
  });

  it('does not warn in an interview too short for it', async () => {
    const h = harness({ durationMs: 60_000, plannedMs: 90_000 });
    await h.run();
    expect(h.said).not.toContain('time_warning');
  });

  it('closes at the duration when an answer runs long, and ends at the deadline itself', async () => {
    const h = harness({ durationMs: 30_000, answerMs: 600_000 });
    expect(await h.run()).toBe('duration');
    expect(h.clock.now()).toBe(30_000);
    expect(h.said.at(-1)).toBe('closing');
  });

  it('waits for a candidate who dropped and asks the question again', async () => {
    const h = harness({ answerMs: 5000 });
    h.clock.after(2500, () => h.presence.leave());
    h.clock.after(10_000, () => h.presence.rejoin());
    expect(await h.run()).toBe('questions_done');
    expect(h.said).toEqual(['greeting', 'Q1', 'welcome_back', 'Q1', 'Q2', 'closing']);
  });

  it('gives up on a candidate gone past the grace period', async () => {
    const h = harness({ answerMs: 5000 });
    h.clock.after(2500, () => h.presence.leave());
    expect(await h.run()).toBe('candidate_left');
    expect(h.clock.now()).toBe(2500 + 30_000);
    expect(h.said).not.toContain('closing');
  });

  it('repeats the question verbatim when asked, then takes the answer', async () => {
    const h = harness({ answers: [{ text: 'Could you repeat the question?' }, { text: 'I built a ledger.' }] });
    await h.run();
    expect(h.said).toEqual(['greeting', 'Q1', 'repeat', 'Q2', 'closing']);
    expect(h.spoken[2]).toEqual({ kind: 'repeat', text: 'Q1' });
    expect(h.candidateQuestions).toEqual(['repeat']);
  });

  it('tells the time left from its own clock, and sends salary questions to the hiring team', async () => {
    const h = harness({ durationMs: 10 * 60_000, answers: [{ text: 'How much time is left?' }, { text: 'An answer.' }, { text: 'What is the salary?' }, { text: 'Another answer.' }] });
    await h.run();
    const time = h.spoken.find((s) => s.kind === 'time_left')!;
    // Greeting and question took 2 s, the answer 4 s: ten minutes less six seconds.
    expect(time.text).toMatch(/^We have about 10 minutes left\./);
    expect(h.spoken.find((s) => s.kind === 'hiring_team')!.text).toMatch(/hiring team will follow up/);
    expect(h.said.filter((s) => s === 'Q1' || s === 'Q2')).toEqual(['Q1', 'Q2']);
  });
});

describe('runInterview (LLM mode)', () => {
  const questions: Question[] = [
    { text: 'Tell me about a service you designed.', timeLimitMs: 60_000, rubric: 'Own decisions.' },
    { text: 'Why this role?', timeLimitMs: 60_000 },
  ];

  it('asks the model\'s follow-up on a vague answer, moves on after a full one', async () => {
    const { brain, inputs } = fakeBrain((n) => (n === 0 ? { kind: 'follow_up', text: 'You mentioned payments — what did you decide?' } : { kind: 'acknowledgment', text: 'Thank you.' }));
    const h = harness({ brain, questions, answers: [{ text: 'Payments mostly.' }, { text: 'I chose Postgres for the ledger.' }, { text: 'Growth.' }] });
    await h.run();
    expect(h.said).toEqual(['greeting', questions[0]!.text, 'follow_up', 'acknowledgment', questions[1]!.text, 'acknowledgment', 'closing']);
    expect(h.spoken[2]!.text).toBe('You mentioned payments — what did you decide?');
    expect(inputs[0]).toMatchObject({ answers: ['Payments mostly.'], followUpsLeft: 1, followUpsAsked: [] });
    expect(inputs[1]).toMatchObject({ answers: ['Payments mostly.', 'I chose Postgres for the ledger.'], followUpsLeft: 0 });
  });

  it('holds the cap and the order of questions whatever the model wants', async () => {
    // A model that would follow up for ever: the cap (2 here) is ours; the brain is told none are left.
    const { brain, inputs } = fakeBrain((_n, input, fallback) => (input.followUpsLeft > 0 ? { kind: 'follow_up', text: 'And then?' } : { ...fallback, replaced: { reason: 'over_cap', detail: '' } }));
    const h = harness({ brain, questions: [{ ...questions[0]!, followUps: 2 }, questions[1]!], answers: Array(8).fill({ text: 'Something.' }) });
    await h.run();
    expect(h.said.filter((s) => s === 'follow_up')).toHaveLength(3); // 2 on Q1, 1 (default) on Q2
    expect(h.said.filter((s) => questions.some((q) => q.text === s))).toEqual([questions[0]!.text, questions[1]!.text]);
    expect(inputs.map((x) => x.followUpsLeft)).toEqual([2, 1, 0, 1, 0]);
    expect(h.replaced).toEqual(['over_cap', 'over_cap']);
  });

  it('records each replaced reply and says the scripted line instead', async () => {
    const { brain } = fakeBrain((_n, _input, fallback) => ({ ...fallback, replaced: { reason: 'late', detail: 'no first token within 2500 ms' } }));
    const h = harness({ brain, questions, answers: [{ text: 'Yes.', speechMs: 900 }, { text: 'Fine.' }, { text: 'Growth, mostly.' }] });
    await h.run();
    expect(h.spoken[2]).toEqual({ kind: 'follow_up', text: linesFor('en', 'x').followUp });
    expect(h.replaced).toEqual(['late', 'late', 'late']);
  });

  it('reports a streamed line whose tail was cut, and counts a follow-up whose question never came as an acknowledgment', async () => {
    // The model's line streamed sentence by sentence: its first sentence said, the rest rejected.
    const tail = (text: string, kind: SpokenReply['kind']) => ({ sentences: (async function* () {})(), settled: Promise.resolve({ kind, text, replaced: { reason: 'unsafe', detail: 'raises family (after its first sentence had been said)' }, durationMs: 500 }) });
    const { brain, inputs } = fakeBrain((n) =>
      n === 0 ? { kind: 'follow_up', text: 'You mentioned payments.', tail: tail('You mentioned payments. Could you tell me a little more about that?', 'follow_up') }
      : n === 1 ? { kind: 'follow_up', text: 'You mentioned a ledger.', tail: tail('You mentioned a ledger.', 'acknowledgment') }
      : { kind: 'acknowledgment', text: 'Thank you.' },
    );
    const h = harness({ brain, questions, answers: [{ text: 'Payments mostly.' }, { text: 'A ledger.' }, { text: 'Growth.' }] });
    await h.run();
    expect(h.replaced).toEqual(['unsafe', 'unsafe']);
    // The first cut follow-up still asked the scripted question, so its answer was waited for; the
    // second ended without a question, so the interview moved on to the next question at once.
    expect(inputs[1]).toMatchObject({ followUpsAsked: ['You mentioned payments. Could you tell me a little more about that?'] });
    expect(h.said).toEqual(['greeting', questions[0]!.text, 'follow_up', 'follow_up', questions[1]!.text, 'acknowledgment', 'closing']);
  });

  it('answers a question about the role through the brain, then continues the same question', async () => {
    const { brain } = fakeBrain(() => ({}));
    const h = harness({ brain, questions: [questions[0]!], answers: [{ text: 'Is the role remote?' }, { text: 'I designed a ledger.' }] });
    await h.run();
    expect(h.spoken.map((s) => s.kind)).toEqual(['greeting', 'question', 'role_answer', 'acknowledgment', 'closing']);
    expect(h.spoken[2]!.text).toBe('It is a remote role. Please go ahead with your answer.');
  });

  it('asks the model while the turn may still go on, and says that reply when the turn ends with the same words', async () => {
    const { brain, inputs, signals } = fakeBrain(() => ({ kind: 'acknowledgment', text: 'Noted, thank you.' }));
    const h = harness({ brain, questions: [questions[0]!], answers: [{ text: 'I chose  Postgres for the ledger.', drafts: [{ atMs: 3000, text: 'I chose Postgres for the ledger.' }] }] });
    await h.run();
    expect(inputs).toHaveLength(1);
    expect(signals[0]!.aborted).toBe(false);
    expect(h.spoken.map((s) => s.text)).toContain('Noted, thank you.');
  });

  it('drops a reply asked on words the candidate then went on from, and never says it', async () => {
    const { brain, inputs, signals } = fakeBrain((n) => (n === 0 ? { kind: 'follow_up', text: 'What did you choose?' } : { kind: 'acknowledgment', text: 'Thank you for the detail.' }));
    const h = harness({ brain, questions: [questions[0]!], answers: [{ text: 'I chose Postgres for the ledger.', drafts: [{ atMs: 1000, text: 'I chose' }] }] });
    await h.run();
    expect(inputs.map((x) => x.answers)).toEqual([['I chose'], ['I chose Postgres for the ledger.']]);
    expect(signals[0]!.aborted).toBe(true);
    expect(h.spoken.map((s) => s.text)).not.toContain('What did you choose?');
    expect(h.spoken.map((s) => s.text)).toContain('Thank you for the detail.');
  });

  it('asks nothing ahead for the candidate\'s own question', async () => {
    const { brain, inputs } = fakeBrain(() => ({}));
    const h = harness({ brain, questions: [questions[0]!], answers: [{ text: 'Could you repeat the question?', drafts: [{ atMs: 1000, text: 'Could you repeat the question?' }] }, { text: 'A ledger.' }] });
    await h.run();
    expect(h.said).toEqual(['greeting', questions[0]!.text, 'repeat', 'acknowledgment', 'closing']);
    expect(inputs.map((x) => x.answers)).toEqual([['A ledger.']]);
  });
});
