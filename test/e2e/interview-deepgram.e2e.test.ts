// The Deepgram path of the agent, end to end, against a local STAND-IN that speaks Deepgram's
// streaming protocol (test/stack/deepgram-stand-in.mjs) — not Deepgram itself. What is tested is
// our integration: DEEPGRAM_API_KEY/DEEPGRAM_BASE_URL reach the plugin, the agent's questions go
// out as TTS and come back as audio the candidate hears and the recording keeps, and the
// candidate's answers come back as text in Postgres, the page's captions and the transcript.
// Storage here is the local folder (no S3_BUCKET): RECORDINGS_DIR with the same key layout.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDeepgramStandIn } from '../stack/deepgram-stand-in.mjs';
import { addQuestionSet, checkRecording, joinInterview, statusPath, utterances, waitForStatus } from './helpers/interview.js';
import { eventually, pressEnd, waitForScreen } from './helpers/page.js';
import { startStack, type Stack } from './helpers/stack.js';
import { startAgent } from './helpers/faults.js';

const HEARD = 'stand in words from the candidate';
const QUESTIONS = ['Please introduce yourself.', 'What are you working on now?'];
// About ten seconds of talk, then the second of silence the fake microphone adds: each answer ends
// there, by the agent's end-of-turn silence.
const SPEECH = 'I build real time audio and video systems, and for the last few years I have led the team that runs our recording pipeline';

describe('an AI interview with Deepgram speech (local stand-in), local storage', () => {
  let stack: Stack;
  let standIn: Awaited<ReturnType<typeof startDeepgramStandIn>>;
  let recordingsDir: string;

  beforeAll(async () => {
    standIn = await startDeepgramStandIn({ transcripts: [HEARD], apiKey: 'stand-in-key' });
    try {
      stack = await startStack({
        scenario: 'interview-deepgram',
        speech: SPEECH,
        env: { DEEPGRAM_API_KEY: 'stand-in-key', DEEPGRAM_BASE_URL: standIn.url, AGENT_CANDIDATE_WAIT: '60s' },
      });
    } catch (err) {
      await standIn.stop();
      throw err;
    }
    stack.own(standIn);
    recordingsDir = join(stack.home, 'recordings');
    await addQuestionSet(stack, { name: 'e2e-deepgram', questions: QUESTIONS.map((text) => ({ text, timeLimit: '20s' })) });
    await startAgent(stack);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('speaks through Deepgram TTS, hears answers as text, and stores the transcript with it', async () => {
    const { page, id } = await joinInterview(stack, { durationMs: 120_000, name: 'Alan Turing', questions: 'e2e-deepgram' });
    // The candidate's answer comes back from the stand-in as text, into Postgres and the page.
    const answered = await eventually(
      async () => (await utterances(stack, id)).find((r) => r.speaker === 'candidate' && r.text === HEARD),
      { what: 'a candidate utterance with the stand-in transcript', timeoutMs: 90_000 },
    );
    expect(answered.question_index).not.toBeNull();
    await eventually(async () => ((await page.locator('#captions').textContent()) ?? '').includes(HEARD), { what: "the candidate's words in the captions", timeoutMs: 10_000 });
    await stack.screenshot(page, '01-captions');

    await pressEnd(page);
    await waitForScreen(page, 'done');
    await waitForStatus(stack, id, 'completed', 60_000);
    expect(await statusPath(stack, id)).toEqual(['used', 'recording', 'ending', 'completed']);

    // What went over the wire: our key, our endpoint, the model and language we chose.
    const listen = standIn.connections.find((c: { path: string }) => c.path === '/v1/listen') as { query: Record<string, string>; authorization: string };
    const speak = standIn.connections.find((c: { path: string }) => c.path === '/v1/speak') as { query: Record<string, string>; authorization: string };
    expect(listen.authorization).toBe('Token stand-in-key');
    expect(listen.query).toMatchObject({ model: 'nova-3', language: 'en-US', encoding: 'linear16' });
    expect(speak.authorization).toBe('Token stand-in-key');
    expect(speak.query).toMatchObject({ encoding: 'linear16', sample_rate: '48000' });
    expect(standIn.spoken.some((t: string) => t.includes('AI interviewer'))).toBe(true);
    expect(standIn.spoken).toContain(QUESTIONS[0]);

    // RECORDINGS_DIR holds what is under the bucket's recordings/.
    const getObject = (key: string) => readFile(join(recordingsDir, ...key.split('/').slice(1)));
    const { transcript, vtt } = await checkRecording(stack, getObject, id, 'deepgram');
    expect(transcript.speechMode).toBe('deepgram');
    expect(transcript.utterances.some((u: { speaker: string; text: string }) => u.speaker === 'candidate' && u.text === HEARD)).toBe(true);
    expect(vtt).toContain(`<v Candidate>${HEARD}`);
  });
});
