// The AI interviewer (LLM mode) in Japanese, end to end in the browser, against the two local
// STAND-INS (test/stack/llm-stand-in.mjs for an OpenAI-compatible model, deepgram-stand-in.mjs for
// Deepgram). They are not a model and not Deepgram: what is tested is what our code does with
// what they return, in a Japanese interview:
//   Q1: a vague answer → the model's Japanese follow-up is said → an answer → the model replies in
//       English → replaced by the Japanese scripted line, the replacement an event;
//   Q2: "how much time is left?" in Japanese → answered by our code (never the model), then an answer.
// Deepgram is asked for Japanese (nova-3, language=ja) and speaks with its Japanese voice.
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSpeechWav } from '../stack/browser.mjs';
import { startDeepgramStandIn } from '../stack/deepgram-stand-in.mjs';
import { startLlmStandIn } from '../stack/llm-stand-in.mjs';
import { candidateSays, installCandidateVoice } from './helpers/candidate-voice.js';
import { addQuestionSet, checkRecording, joinInterview, utterances, waitForStatus } from './helpers/interview.js';
import { eventually } from './helpers/page.js';
import { startStack, type Stack } from './helpers/stack.js';
import { startAgent } from './helpers/faults.js';

const QUESTIONS = ['これまでに設計したサービスについて教えてください。', '次の職場に求めることは何ですか。'];
// What the candidate says: the words Deepgram would return, and the same words in kana for the
// espeak-ng voice that says them (it reads kana, not kanji).
const SAYS = {
  vague: { text: '決済の仕事をたくさんしました。台帳も作り直しました', kana: 'けっさいの しごとを たくさん しました。だいちょうも つくりなおしました' },
  detail: { text: 'トランザクションが必要だったのでポスグレを選びました', kana: 'とらんざくしょんが ひつようだったので ぽすぐれを えらびました' },
  time: { text: '残り時間はどのくらいですか？', kana: 'のこりじかんは どのくらい ですか' },
  next: { text: 'テストを大切にするチームで働きたいです', kana: 'てすとを たいせつにする ちーむで はたらきたいです' },
} as const;
const FOLLOW_UP = '台帳を作り直したとのことですが、そのときの設計判断を一つ教えてください。';

describe('the AI interviewer in Japanese (stand-ins for the model and Deepgram)', () => {
  let stack: Stack;
  let llm: Awaited<ReturnType<typeof startLlmStandIn>>;
  let deepgram: Awaited<ReturnType<typeof startDeepgramStandIn>>;
  const wavs: Record<keyof typeof SAYS, string> = {} as never;

  beforeAll(async () => {
    deepgram = await startDeepgramStandIn({ transcripts: Object.values(SAYS).map((s) => s.text), apiKey: 'stand-in-key', endpointingMs: 450 });
    llm = await startLlmStandIn({
      apiKey: 'llm-key',
      respond: ({ body }: { body: { messages: { content: string }[] } }) => {
        const user = body.messages.at(-1)!.content;
        const said = [...user.matchAll(/<candidate>([\s\S]*?)<\/candidate>/g)].map((m) => m[1]!);
        if (user.includes(`Question: ${QUESTIONS[0]}`) && said.length === 1) return { text: `ASK: ${FOLLOW_UP}`, firstTokenMs: 300 };
        // A model that forgets the interview's language: its words may not reach the candidate.
        if (user.includes(`Question: ${QUESTIONS[0]}`)) return { text: 'NEXT: Thank you.', firstTokenMs: 300 };
        return { text: 'NEXT: ありがとうございます。', firstTokenMs: 300 };
      },
    });
    try {
      stack = await startStack({
        scenario: 'interviewer-llm-ja',
        env: { DEEPGRAM_API_KEY: 'stand-in-key', DEEPGRAM_BASE_URL: deepgram.url, LLM_BASE_URL: llm.url, LLM_MODEL: 'stand-in-model', LLM_API_KEY: 'llm-key', LLM_TIMEOUT: '4000ms', AGENT_CANDIDATE_WAIT: '60s' },
      });
    } catch (err) {
      await Promise.all([deepgram.stop(), llm.stop()]);
      throw err;
    }
    stack.own(deepgram);
    stack.own(llm);
    for (const [k, s] of Object.entries(SAYS)) wavs[k as keyof typeof SAYS] = makeSpeechWav(s.kana, join(stack.artifacts, 'voice', `${k}.wav`), { padSeconds: 0.2, voice: 'ja' });
    await addQuestionSet(stack, {
      name: 'e2e-llm-ja',
      lang: 'ja',
      context: '決済チームのバックエンドエンジニア。フルリモート。',
      questions: QUESTIONS.map((text) => ({ text, timeLimit: '40s' })),
    });
    await startAgent(stack, 'agent.log', { readyTimeoutMs: 180_000 });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('follows up in Japanese, replaces an English reply with the Japanese line, and answers "how much time is left" itself', async () => {
    const { page, id } = await joinInterview(stack, { durationMs: 240_000, name: '山田 花子', questions: 'e2e-llm-ja', extra: ['--lang', 'ja'], beforeGoto: installCandidateVoice });
    const rows = () => utterances(stack, id);
    const agentSaid = (kind: string, qi: number | null, after = -1) =>
      eventually(async () => (await rows()).find((r) => r.speaker === 'agent' && r.kind === kind && r.question_index === qi && r.seq > after), { what: `the interviewer's ${kind} on question ${qi}`, timeoutMs: 120_000 });

    const q1 = await agentSaid('question', 0);
    expect(q1.text).toBe(QUESTIONS[0]);
    await candidateSays(page, wavs.vague);
    const followUp = await agentSaid('follow_up', 0, q1.seq);
    expect(followUp.text).toBe(FOLLOW_UP);
    await stack.screenshot(page, '01-follow-up');
    await candidateSays(page, wavs.detail);
    const ack = await agentSaid('acknowledgment', 0, followUp.seq);
    expect(ack.text).toBe('ありがとうございます。');
    const q2 = await agentSaid('question', 1, ack.seq);

    await candidateSays(page, wavs.time);
    const timeLeft = await agentSaid('time_left', 1, q2.seq);
    expect(timeLeft.text).toMatch(/^残り時間は/);
    expect(timeLeft.text).toContain('それでは、先ほどの質問への回答をお願いします。');
    await candidateSays(page, wavs.next);
    await waitForStatus(stack, id, 'completed', 120_000);
    await stack.screenshot(page, '02-done');

    const all = await rows();
    writeFileSync(join(stack.artifacts, 'utterances.json'), JSON.stringify(all, null, 2));
    expect(all.filter((r) => r.speaker === 'candidate').map((r) => [r.kind, r.text])).toEqual([
      ['answer', SAYS.vague.text],
      ['follow_up_answer', SAYS.detail.text],
      ['candidate_question', SAYS.time.text],
      ['answer', SAYS.next.text],
    ]);
    // Nothing in English reached the candidate; the replacement is on the interview with its reason.
    expect(all.filter((r) => r.speaker === 'agent').some((r) => /thank you/i.test(r.text ?? ''))).toBe(false);
    const shown = await stack.show(id);
    expect(shown.events.map((e: { reason: string | null }) => e.reason)).toContainEqual(expect.stringMatching(/^model reply replaced by the scripted line \(wrong_language\)/));
    // The question about time never reached the model; the answers did.
    const seen = llm.seenText();
    expect(seen).toContain(SAYS.vague.text);
    expect(seen).not.toContain(SAYS.time.text);
    // Deepgram was asked for Japanese, and spoke with its Japanese voice.
    const listen = deepgram.connections.filter((c: { path: string }) => c.path === '/v1/listen');
    const speak = deepgram.connections.filter((c: { path: string }) => c.path === '/v1/speak');
    expect(listen.length).toBeGreaterThan(0);
    expect(listen.every((c: { query: Record<string, string> }) => c.query.language === 'ja')).toBe(true);
    expect(speak.length).toBeGreaterThan(0);
    expect(speak.every((c: { query: Record<string, string> }) => c.query.model === 'aura-2-izanami-ja')).toBe(true);

    const recordingsDir = join(stack.home, 'recordings');
    const getObject = (key: string) => readFile(join(recordingsDir, ...key.split('/').slice(1)));
    const { transcript } = await checkRecording(stack, getObject, id, 'llm-ja');
    expect(transcript.utterances.filter((u: { speaker: string }) => u.speaker === 'candidate').map((u: { text: string }) => u.text)).toContain(SAYS.detail.text);
  });
});
