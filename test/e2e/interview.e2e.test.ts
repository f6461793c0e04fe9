// The AI interview end to end on the real stack: livekit-server, serve, `interviewctl agent` with
// offline speech (espeak-ng WASM), versitygw as S3, and Chromium whose fake microphone talks.
// One interview ends by its timer, another by the End button; each leaves an MP4 and a
// transcript in the bucket, which we check from the outside (ffprobe, decoded audio levels).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3ClientFor, startVersitygw } from '../stack/versitygw.mjs';
import { addQuestionSet, agentStopTime, checkRecording, joinInterview, statusPath, utterances, waitForStatus } from './helpers/interview.js';
import { eventually, pressEnd, waitForScreen } from './helpers/page.js';
import { freePort, s3EnvFor, startStack, type Stack } from './helpers/stack.js';
import { startAgent } from './helpers/faults.js';

const BUCKET = 'interviews';

/** One sample of a Prometheus scrape, by its series as printed (0 when absent). */
const metricValue = (text: string, series: string) => Number(text.split('\n').find((l) => l.startsWith(`${series} `))?.slice(series.length + 1) ?? 0);
const QUESTIONS = ['Could you tell me about your current role?', 'What would you like to learn next?'];
// Talking without a pause longer than the agent's end-of-turn silence (set below), so each answer
// runs to its limit and the timeline is the same on every run.
const SPEECH =
  'I work on real time audio and video systems, and I lead a small team that builds the media servers, ' +
  'the recording pipeline and the tools our support engineers use every day, and I enjoy all of it';

describe('an AI interview on the real stack (offline speech, S3 storage)', () => {
  let stack: Stack;
  let s3: S3Client;
  let agentLog: () => string;
  let agentMetricsUrl: string;

  beforeAll(async () => {
    const s3Port = await freePort();
    const s3Env = {
      ...s3EnvFor(s3Port, BUCKET),
      AGENT_CANDIDATE_WAIT: '60s',
      AGENT_END_OF_TURN_SILENCE: '3s',
    };
    stack = await startStack({ scenario: 'interview', speech: SPEECH, env: s3Env });
    const gw = stack.own(await startVersitygw({ dir: join(stack.home, 's3'), port: s3Port, accessKeyId: s3Env.S3_ACCESS_KEY_ID, secretAccessKey: s3Env.S3_SECRET_ACCESS_KEY }));
    s3 = s3ClientFor(gw);
    stack.own({ stop: async () => s3.destroy() });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await addQuestionSet(stack, { name: 'e2e-short', questions: [{ text: QUESTIONS[0]!, timeLimit: '10s' }, { text: QUESTIONS[1]!, timeLimit: '60s' }] });
    const metricsPort = await freePort();
    agentMetricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    const agent = await startAgent(stack, 'agent.log', { env: { AGENT_METRICS_PORT: String(metricsPort) } });
    agentLog = agent.logText;
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const getObject = async (key: string) => {
    const res = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return Buffer.from(await res.Body!.transformToByteArray());
  };

  it('doctor finds the worker by asking LiveKit (a test room the dispatched worker joins), not from webhook events', async () => {
    const doctor = await stack.cli(['doctor', '--json']);
    const worker = (JSON.parse(doctor.stdout) as { check: string; status: string; detail: string }[]).find((c) => c.check === 'agent worker');
    expect(worker).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^a worker registered as "interviewer" joined a test room in \d+ ms$/) });
  }, 60_000);

  it('runs a timed interview: greets, asks both questions, ends by the timer, stores recording and transcript', async () => {
    const { page, id } = await joinInterview(stack, { durationMs: 60_000, name: 'Ada Lovelace', questions: 'e2e-short' });
    // The agent speaks: its state and a caption reach the page.
    await eventually(async () => (await page.locator('#agent').getAttribute('data-state')) === 'speaking', { what: 'the agent speaking', timeoutMs: 45_000 });
    await eventually(async () => ((await page.locator('#captions').textContent()) ?? '').includes('AI interviewer'), { what: 'the greeting caption', timeoutMs: 45_000 });
    await stack.screenshot(page, '01-agent-speaking');
    // An operator's scrape during the interview: serve counted the join, the agent its greeting
    // (the job process reports to the worker every few seconds).
    const serveMetrics = await (await fetch(`${stack.publicUrl}/metrics`)).text();
    expect(metricValue(serveMetrics, 'interviewctl_joins_total{outcome="joined"}')).toBeGreaterThanOrEqual(1);
    expect(metricValue(serveMetrics, 'interviewctl_interviews_live{status="recording"}') + metricValue(serveMetrics, 'interviewctl_interviews_live{status="used"}')).toBeGreaterThanOrEqual(1);
    const agentMetrics = await eventually(
      async () => {
        const text = await (await fetch(agentMetricsUrl)).text();
        return metricValue(text, 'interviewctl_interview_first_audio_seconds_count') >= 1 ? text : undefined;
      },
      { what: "the agent's first-audio figure on its /metrics", timeoutMs: 20_000 },
    );
    expect(metricValue(agentMetrics, 'interviewctl_job_startup_seconds_count{phase="connected"}')).toBeGreaterThanOrEqual(1);
    writeFileSync(join(stack.artifacts, 'metrics-serve.txt'), serveMetrics);
    writeFileSync(join(stack.artifacts, 'metrics-agent.txt'), agentMetrics);
    await waitForStatus(stack, id, 'completed', 120_000);

    expect(await statusPath(stack, id)).toEqual(['used', 'recording', 'ending', 'completed']);
    const shown = await stack.show(id);
    expect(shown.endReason).toBe('duration');
    const rows = await utterances(stack, id);
    expect(rows.filter((r) => r.speaker === 'agent' && r.kind === 'question').map((r) => r.text)).toEqual(QUESTIONS);
    expect(rows[0]).toMatchObject({ speaker: 'agent', kind: 'greeting' });
    expect(rows.at(-1)).toMatchObject({ speaker: 'agent', kind: 'closing' });
    // Offline: answers are kept as audio only.
    expect(rows.filter((r) => r.speaker === 'candidate').every((r) => r.text === null)).toBe(true);
    // Ended at the duration: the session lasted a minute from the first join.
    const ended = new Date(shown.endedAt).getTime() - new Date(shown.usedAt).getTime();
    expect(ended).toBeGreaterThan(59_000);
    expect(ended).toBeLessThan(65_000);
    const { transcript } = await checkRecording(stack, getObject, id, 'timed');
    expect(transcript.speechMode).toBe('offline');
  }, 240_000);

  it('a page reload mid-interview resumes it: the interviewer waits, welcomes back and asks again', async () => {
    const { page, id } = await joinInterview(stack, { durationMs: 120_000, name: 'Ada Lovelace', questions: 'e2e-short' });
    const asked = async () => (await utterances(stack, id)).filter((r) => r.kind === 'question' && r.question_index === 0).length;
    await eventually(async () => ((await asked()) >= 1 ? true : undefined), { what: 'the first question asked', timeoutMs: 60_000 });
    await page.reload();
    await waitForScreen(page, 'interview', { timeoutMs: 30_000 });
    await eventually(async () => ((await utterances(stack, id)).some((r) => r.kind === 'welcome_back') ? true : undefined), { what: 'the interviewer welcoming back', timeoutMs: 30_000 });
    await eventually(async () => ((await asked()) >= 2 ? true : undefined), { what: 'the first question asked again', timeoutMs: 20_000 });
    expect((await stack.show(id)).status).toBe('recording');
    await stack.screenshot(page, '03-resumed');
    await pressEnd(page);
    await waitForStatus(stack, id, 'completed', 60_000);
    expect(await statusPath(stack, id)).toEqual(['used', 'recording', 'ending', 'completed']);
  });

  it('stops at once when the candidate presses End, and still stores everything', async () => {
    const { page, id } = await joinInterview(stack, { durationMs: 120_000, name: 'Grace Hopper', questions: 'e2e-short' });
    await eventually(async () => ((await utterances(stack, id)).some((r) => r.kind === 'question') ? true : undefined), { what: 'the first question asked', timeoutMs: 60_000 });
    // Long enough that the candidate (a looping recording with pauses) has said something.
    await page.waitForTimeout(6000);
    await pressEnd(page, { confirm: false });
    const clickedAt = Date.now();
    await page.locator('#end-confirm').click();
    await waitForScreen(page, 'done');
    // The agent learns of it through Postgres NOTIFY and stops within moments.
    const stopped = await eventually(async () => agentStopTime(agentLog(), id), { what: 'the agent stopping', timeoutMs: 10_000 });
    expect(stopped - clickedAt).toBeLessThan(2000);
    await waitForStatus(stack, id, 'completed', 60_000);
    expect(await statusPath(stack, id)).toEqual(['used', 'recording', 'ending', 'completed']);
    expect((await stack.show(id)).endReason).toBe('candidate_ended');
    const { rows } = await checkRecording(stack, getObject, id, 'end-button');
    expect(rows.some((r) => r.kind === 'closing')).toBe(false);
  });
});
