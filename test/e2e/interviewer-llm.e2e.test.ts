// The AI interviewer (LLM mode) end to end in the browser, against two local STAND-INS: an
// OpenAI-compatible Chat Completions server (test/stack/llm-stand-in.mjs, SSE streaming) scripted
// by this test, and the Deepgram stand-in, told what each of the candidate's WAVs says. They are
// not a model and not Deepgram: what is tested is what our code does with what they return.
// The candidate speaks turn by turn (a controlled microphone, helpers/candidate-voice.ts):
//   Q1: a vague answer → a follow-up naming something from it → a full answer → moves on;
//   Q2: "could you repeat the question?" → the question again, verbatim → a complete answer → no follow-up;
//   Q3: an answer, and the model stalls → the scripted line within the deadline, the replacement an event.
// The recording has the mix and each voice alone; each voice's track is loud in its own turns and
// near silent in the other's, over the stored utterance times.
// A reload mid-way is a reconnect of the same session: the interviewer waits, welcomes the
// candidate back, asks the question again, and the answer after it reaches the model.
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSpeechWav } from '../stack/browser.mjs';
import { startDeepgramStandIn } from '../stack/deepgram-stand-in.mjs';
import { startLlmStandIn } from '../stack/llm-stand-in.mjs';
import { candidateSays, installCandidateVoice } from './helpers/candidate-voice.js';
import { addQuestionSet, checkRecording, joinInterview, statusPath, utterances, waitForStatus, type UtteranceRow } from './helpers/interview.js';
import { eventually, pressEnd, waitForScreen } from './helpers/page.js';
import { startStack, type Stack } from './helpers/stack.js';
import { startAgent } from './helpers/faults.js';

const QUESTIONS = ['Tell me about a service you designed end to end.', 'Describe a time you disagreed with a teammate.', 'What are you looking for in your next role?'];
// What the candidate says, in order; the Deepgram stand-in returns exactly these words for them.
const SAYS = {
  vague: 'I worked on a lot of backend stuff, payments mostly, and we rebuilt the ledger',
  detail: 'I chose Postgres for the ledger because we needed transactions and strong consistency',
  repeat: 'Could you repeat the question?',
  complete: 'I disagreed with a teammate about retries so we measured both designs and kept the one with fewer failures',
  next: 'I am looking for a team that builds reliable payment systems and cares about testing',
} as const;
// Generous: a shared 2-core machine must not make the stand-in's 300 ms first token late.
const LLM_TIMEOUT_MS = 4000;
const EMAIL = 'grace.hopper@example.com';
const REF = 'cand-llm-0001';

describe('the AI interviewer with an LLM (stand-ins for the model and Deepgram)', () => {
  let stack: Stack;
  let llm: Awaited<ReturnType<typeof startLlmStandIn>>;
  let deepgram: Awaited<ReturnType<typeof startDeepgramStandIn>>;
  const wavs: Record<keyof typeof SAYS, string> = {} as never;

  beforeAll(async () => {
    deepgram = await startDeepgramStandIn({ transcripts: [SAYS.vague, SAYS.detail, SAYS.repeat, SAYS.complete, SAYS.next], apiKey: 'stand-in-key', endpointingMs: 450 });
    // The stand-in model, scripted on what it is sent: it follows up on the vague answer by
    // quoting what the candidate said, moves on after full answers, and stalls on the third question.
    llm = await startLlmStandIn({
      apiKey: 'llm-key',
      respond: ({ body }: { body: { messages: { content: string }[] } }) => {
        const user = body.messages.at(-1)!.content;
        const said = [...user.matchAll(/<candidate>([\s\S]*?)<\/candidate>/g)].map((m) => m[1]!);
        if (user.includes(`Question: ${QUESTIONS[2]}`)) return { stall: true };
        const rebuilt = /we rebuilt ([a-z ]+)/i.exec(said.at(-1) ?? '');
        if (said.length === 1 && rebuilt) return { text: `ASK: You mentioned you rebuilt ${rebuilt[1]} — what was one design decision you made there, and why?`, firstTokenMs: 300 };
        return { text: 'NEXT: Thank you.', firstTokenMs: 300 };
      },
    });
    try {
      stack = await startStack({
        scenario: 'interviewer-llm',
        env: {
          DEEPGRAM_API_KEY: 'stand-in-key',
          DEEPGRAM_BASE_URL: deepgram.url,
          LLM_BASE_URL: llm.url,
          LLM_MODEL: 'stand-in-model',
          LLM_API_KEY: 'llm-key',
          LLM_TIMEOUT: `${LLM_TIMEOUT_MS}ms`,
          AGENT_CANDIDATE_WAIT: '60s',
        },
      });
    } catch (err) {
      await Promise.all([deepgram.stop(), llm.stop()]);
      throw err;
    }
    stack.own(deepgram);
    stack.own(llm);
    for (const [k, text] of Object.entries(SAYS)) wavs[k as keyof typeof SAYS] = makeSpeechWav(text, join(stack.artifacts, 'voice', `${k}.wav`), { padSeconds: 0.2 });
    await addQuestionSet(stack, {
      name: 'e2e-llm',
      context: 'Backend engineer on the payments team, fully remote within the EU.',
      questions: QUESTIONS.map((text, i) => ({ text, timeLimit: '40s', ...(i === 0 ? { rubric: 'Own design decisions and a measured result.', competency: 'system design' } : {}) })),
    });
    await startAgent(stack, 'agent.log', { readyTimeoutMs: 180_000 });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('follows up on a vague answer, moves on after a full one, repeats the question, and replaces a stalled model', async () => {
    const { page, id } = await joinInterview(stack, { durationMs: 240_000, name: 'Grace Hopper', questions: 'e2e-llm', extra: ['--email', EMAIL, '--ref', REF], beforeGoto: installCandidateVoice });
    const rows = () => utterances(stack, id);
    /** Waits until the interviewer has finished saying an utterance of `kind` on question `qi` (rows are written after playout). */
    const said = (kind: string, qi: number | null, after = -1) =>
      eventually(async () => (await rows()).find((r) => r.speaker === 'agent' && r.kind === kind && r.question_index === qi && r.seq > after), { what: `the interviewer's ${kind} on question ${qi}`, timeoutMs: 180_000 });

    let last: UtteranceRow = await said('question', 0);
    await candidateSays(page, wavs.vague);
    const followUp = await said('follow_up', 0, last.seq);
    // The follow-up refers to what the candidate said (their words went STT → the model → speech).
    expect(followUp.text).toBe('You mentioned you rebuilt the ledger — what was one design decision you made there, and why?');
    await stack.screenshot(page, '01-follow-up');
    await candidateSays(page, wavs.detail);
    last = await said('question', 1, followUp.seq);

    await candidateSays(page, wavs.repeat);
    const repeated = await said('repeat', 1, last.seq);
    expect(repeated.text).toBe(QUESTIONS[1]);
    await candidateSays(page, wavs.complete);
    last = await said('question', 2, repeated.seq);

    await candidateSays(page, wavs.next);
    const replaced = await said('acknowledgment', 2, last.seq);
    expect(replaced.text).toBe('Thank you.');
    await waitForStatus(stack, id, 'completed', 90_000);
    await stack.screenshot(page, '02-done');

    const all = await rows();
    writeFileSync(join(stack.artifacts, 'utterances.json'), JSON.stringify(all, null, 2));
    // No follow-up after the complete answer; the questions in order, each once (plus the repeat).
    expect(all.filter((r) => r.kind === 'follow_up').map((r) => r.question_index)).toEqual([0]);
    expect(all.filter((r) => r.kind === 'question').map((r) => r.text)).toEqual(QUESTIONS);
    // The candidate heard the question again: played as long as the first time (the same speech;
    // the recording's interviewer track is checked loud over it below).
    const asked = all.find((r) => r.kind === 'question' && r.question_index === 1)!;
    expect(Math.abs(repeated.end_ms - repeated.start_ms - (asked.end_ms - asked.start_ms))).toBeLessThan(100);
    expect(repeated.end_ms - repeated.start_ms).toBeGreaterThan(1000);
    // The candidate's words are stored with their turns; their own question is marked as one.
    expect(all.filter((r) => r.speaker === 'candidate').map((r) => [r.kind, r.text])).toEqual([
      ['answer', SAYS.vague],
      ['follow_up_answer', SAYS.detail],
      ['candidate_question', SAYS.repeat],
      ['answer', SAYS.complete],
      ['answer', SAYS.next],
    ]);

    // The stalled model: replaced by the scripted line, recorded as an event and in the turn's metrics.
    const shown = await stack.show(id);
    expect(shown).toMatchObject({ interviewerMode: 'llm', interviewerDetail: 'stand-in-model' });
    expect(shown.events.map((e: { reason: string | null }) => e.reason)).toContainEqual(expect.stringMatching(/^model reply replaced by the scripted line \(late\): no first token within 4000 ms/));
    const turns = shown.turns as { kind: string; questionIndex: number; replaced: string | null; llmTtftMs: number | null; llmDurationMs: number | null; firstAudioMs: number | null }[];
    writeFileSync(join(stack.artifacts, 'turn-metrics.json'), JSON.stringify(turns, null, 2));
    const stalled = turns.find((t) => t.kind === 'acknowledgment' && t.questionIndex === 2)!;
    expect(stalled).toMatchObject({ replaced: 'late', llmTtftMs: null });
    // The wait for the model ended at the first-token deadline, not whenever the model would answer.
    expect(stalled.llmDurationMs).toBeGreaterThanOrEqual(LLM_TIMEOUT_MS);
    expect(stalled.llmDurationMs).toBeLessThan(2 * LLM_TIMEOUT_MS);
    const answered = turns.find((t) => t.kind === 'follow_up')!;
    expect(answered.replaced).toBeNull();
    expect(answered.llmTtftMs).toBeGreaterThanOrEqual(300);

    // What the model was given: the questions, rubric and the candidate's words; never email, ref or name.
    const seen = llm.seenText();
    expect(seen).toContain('Own design decisions and a measured result.');
    expect(seen).toContain(SAYS.vague);
    for (const secret of [EMAIL, REF, 'Grace', 'Hopper']) expect(seen).not.toContain(secret);
    // A request to repeat never reached the model: our code answered it.
    expect(seen).not.toContain(SAYS.repeat);

    const recordingsDir = join(stack.home, 'recordings');
    const getObject = (key: string) => readFile(join(recordingsDir, ...key.split('/').slice(1)));
    const { transcript } = await checkRecording(stack, getObject, id, 'llm', { candidateSilentWhileAgentSpeaks: true });
    expect(transcript.utterances.filter((u: { speaker: string }) => u.speaker === 'candidate').map((u: { text: string }) => u.text)).toContain(SAYS.vague);
  });

  it('a reload mid-way: the same session welcomes the candidate back, asks again, and hears the answer after it', async () => {
    const { page, id } = await joinInterview(stack, { durationMs: 240_000, name: 'Ada Lovelace', questions: 'e2e-llm', beforeGoto: installCandidateVoice });
    const rows = () => utterances(stack, id);
    const agentSaid = (kind: string, qi: number | null, after = -1) =>
      eventually(async () => (await rows()).find((r) => r.speaker === 'agent' && r.kind === kind && r.question_index === qi && r.seq > after), { what: `the interviewer's ${kind} on question ${qi}`, timeoutMs: 120_000 });
    const first = await agentSaid('question', 0);
    await page.reload();
    await waitForScreen(page, 'interview', { timeoutMs: 30_000 });
    const back = await agentSaid('welcome_back', null, first.seq);
    const again = await agentSaid('question', 0, back.seq);
    expect(again.text).toBe(QUESTIONS[0]);
    await stack.screenshot(page, '03-reload-resumed');
    // The Deepgram stand-in hands out its transcripts in turn; the first test took all five.
    await candidateSays(page, wavs.vague);
    const followUp = await agentSaid('follow_up', 0, again.seq);
    expect(followUp.text).toBe('You mentioned you rebuilt the ledger — what was one design decision you made there, and why?');
    await candidateSays(page, wavs.detail);
    await agentSaid('question', 1, followUp.seq);
    await pressEnd(page);
    await waitForStatus(stack, id, 'completed', 90_000);
    expect(await statusPath(stack, id)).toEqual(['used', 'recording', 'ending', 'completed']);
    const all = await rows();
    writeFileSync(join(stack.artifacts, 'reload-utterances.json'), JSON.stringify(all, null, 2));
    // One answer per turn after the reload, with the candidate's words; nothing heard during it.
    expect(all.filter((r) => r.speaker === 'candidate').map((r) => [r.kind, r.text])).toEqual([
      ['answer', SAYS.vague],
      ['follow_up_answer', SAYS.detail],
    ]);
    expect(all.filter((r) => r.kind === 'question').map((r) => r.question_index)).toEqual([0, 0, 1]);
    const recordingsDir = join(stack.home, 'recordings');
    const getObject = (key: string) => readFile(join(recordingsDir, ...key.split('/').slice(1)));
    await checkRecording(stack, getObject, id, 'llm-reload');
  });
});
