// Failure paths of the AI interview on the real stack (livekit-server, serve, `interviewctl agent`
// with offline speech, versitygw as S3, Chromium with a fake camera and a talking fake mic):
//  - the agent worker and its job process SIGKILLed mid-interview: a replacement worker stores
//    the partial recording and transcript, and the interview ends `failed` (`agent_crashed`);
//  - storage stopped mid-interview: `failed` (`recorder_failed`) with the local spool kept, and
//    once storage is back `interviewctl reconcile` uploads the spool to its keys.
// What is checked is what an operator sees: statuses and their order, the objects in the bucket
// (ffprobe: H.264 + AAC, length), the spool folder, and reconcile's output and exit code.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, descendants, killNow, loudness, makeBucket, probe, spooled, startAgent, type AgentHandle, type Bucket } from './helpers/faults.js';
import { addQuestionSet, joinInterview, statusPath, utterances, waitForStatus } from './helpers/interview.js';
import { eventually, nextScreen } from './helpers/page.js';
import { freePort, s3EnvFor, startStack, type Stack } from './helpers/stack.js';

const QUESTIONS = ['Could you tell me about your current role?', 'What would you like to learn next?'];
// Talking without a pause longer than the end-of-turn silence, so each answer runs to its limit.
const SPEECH =
  'I work on real time audio and video systems, and I lead a small team that builds the media servers, ' +
  'the recording pipeline and the tools our support engineers use every day, and I enjoy all of it';

const ndjson = (text: string) => text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('failure paths of an interview on the real stack', () => {
  let stack: Stack;
  let bucket: Bucket;
  let agent: AgentHandle;

  beforeAll(async () => {
    const s3Port = await freePort();
    const env = {
      ...s3EnvFor(s3Port, 'interviews'),
      AGENT_CANDIDATE_WAIT: '60s',
      AGENT_END_OF_TURN_SILENCE: '3s',
      // A running worker retries kept spools every minute; here `reconcile` is the retry under test.
      AGENT_SPOOL_RETRY: '10m',
    };
    stack = await startStack({ scenario: 'faults', speech: SPEECH, env });
    bucket = await makeBucket(stack, s3Port, env);
    await addQuestionSet(stack, { name: 'e2e-faults', questions: QUESTIONS.map((text) => ({ text, timeLimit: '15s' })) });
    agent = await startAgent(stack, 'agent-1.log');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  /** Downloads an object into artifacts/faults/<sub>/<name>; returns the file and the bytes. */
  const download = async (sub: string, name: string, key: string) => {
    const dir = join(stack.artifacts, sub);
    mkdirSync(dir, { recursive: true });
    const body = await bucket.get(key);
    writeFileSync(join(dir, name), body);
    return { file: join(dir, name), text: body.toString('utf8') };
  };

  const firstQuestionAsked = (id: string) =>
    eventually(async () => ((await utterances(stack, id)).some((r) => r.kind === 'question') ? true : undefined), { what: 'the first question asked', timeoutMs: 60_000 });

  it('the agent killed mid-interview: a replacement worker stores the partial recording and fails the interview (agent_crashed)', async () => {
    const { page, id } = await joinInterview(stack, { durationMs: 120_000, name: 'Ada Lovelace', questions: 'e2e-faults' });
    await waitForStatus(stack, id, 'recording', 60_000);
    await firstQuestionAsked(id);
    await page.waitForTimeout(3000); // the candidate answers for a while
    await stack.screenshot(page, 'agent-killed/01-before-kill');

    // SIGKILL, by PID, the worker and its job processes (no chance to clean up).
    const tree = descendants(agent.pid);
    const nodes = tree.filter((p) => !/ffmpeg/.test(p.cmd)).map((p) => p.pid);
    const encoders = tree.filter((p) => /ffmpeg/.test(p.cmd)).map((p) => p.pid);
    expect(nodes.length, 'the worker has a job process').toBeGreaterThan(0);
    expect(encoders.length, 'the job records with ffmpeg').toBe(1);
    killNow([...nodes.reverse(), agent.pid]);
    const killedAt = Date.now();
    await eventually(async () => ![agent.pid, ...nodes].some(alive) || undefined, { what: 'the agent processes gone', timeoutMs: 5000 });
    // The recorder's ffmpeg does not outlive its job: its input closed with it.
    await eventually(async () => !encoders.some(alive) || undefined, { what: 'the orphaned ffmpeg exiting', timeoutMs: 10_000 });

    const started = Date.now();
    await startAgent(stack, 'agent-2.log');
    await waitForStatus(stack, id, 'failed', 20_000);
    const recoveredInMs = Date.now() - started;
    const shown = await stack.show(id);
    expect(shown).toMatchObject({ status: 'failed', error: 'agent_crashed' });
    // Never completed, and never stuck in recording or ending.
    expect(await statusPath(stack, id)).toEqual(['used', 'recording', 'failed']);
    expect(shown.recordingKey).toMatch(new RegExp(`^recordings/${id}/\\d{8}T\\d{6}Z_interview-${id}\\.mp4$`));
    expect(shown.transcriptKey).toBe(shown.recordingKey.replace(/\.mp4$/, '.transcript.json'));
    expect(shown.vttKey).toBe(shown.recordingKey.replace(/\.mp4$/, '.vtt'));

    // The partial recording plays: H.264 + AAC, as long as the session ran before the kill
    // (less at most the fragment in flight, two seconds).
    const mp4 = (await download('agent-killed', 'recording.mp4', shown.recordingKey)).file;
    const media = probe(mp4);
    const ranMs = killedAt - new Date(shown.recordingStartedAt).getTime();
    writeFileSync(join(stack.artifacts, 'agent-killed', 'timing.json'), JSON.stringify({ ranMs, recordingMs: media.durationMs, recoveredInMs }, null, 2));
    expect(media.codecs).toEqual(['audio:aac', 'audio:aac', 'audio:aac', 'video:h264']);
    expect(media.durationMs).toBeGreaterThan(ranMs - 4000);
    expect(media.durationMs).toBeLessThan(ranMs + 1000);
    // What the agent said before the kill is audible where the transcript puts it.
    const rows = await utterances(stack, id);
    const greeting = rows.find((r) => r.kind === 'greeting')!;
    expect(loudness(mp4, greeting.start_ms + 200, greeting.end_ms - 200)).toBeGreaterThan(-40);
    const transcript = JSON.parse((await download('agent-killed', 'transcript.json', shown.transcriptKey)).text);
    expect(transcript.utterances.map((u: { speaker: string; text: string | null }) => [u.speaker, u.text])).toEqual(rows.map((r) => [r.speaker, r.text]));
    expect(transcript.utterances.some((u: { text: string | null }) => u.text === QUESTIONS[0])).toBe(true);
    const vtt = (await download('agent-killed', 'transcript.vtt', shown.vttKey)).text;
    expect(vtt.startsWith('WEBVTT')).toBe(true);
    // The spool is gone once its recording is stored.
    expect(spooled(stack, id)).toEqual([]);
    await stack.screenshot(page, 'agent-killed/02-after-recovery');
    // The candidate, left in a room without an interviewer, is told it has ended (the page checks
    // the status every 20 s) rather than waiting forever.
    expect(await nextScreen(page, ['done', 'error'], 30_000)).toBe('error:ended');
    await stack.screenshot(page, 'agent-killed/03-candidate-told');
  });

  it('storage stopped mid-interview: failed with recorder_failed, spool kept; reconcile stores it once storage is back', async () => {
    const { page, id } = await joinInterview(stack, { durationMs: 25_000, name: 'Grace Hopper', questions: 'e2e-faults' });
    await waitForStatus(stack, id, 'recording', 60_000);
    await firstQuestionAsked(id);
    await stack.screenshot(page, 'storage-stopped/01-before-stop');
    await bucket.stop();

    // The interview runs to its end; storing the recording then fails after retries.
    await waitForStatus(stack, id, 'failed', 60_000);
    const failed = await stack.show(id);
    expect(failed).toMatchObject({ status: 'failed', error: 'recorder_failed' });
    expect(await statusPath(stack, id)).toEqual(['used', 'recording', 'ending', 'failed']);
    const sessionMs = new Date(failed.endedAt).getTime() - new Date(failed.recordingStartedAt).getTime();
    // The whole session is in the local spool, playable.
    const kept = spooled(stack, id);
    expect(kept).toHaveLength(1);
    const spoolMedia = probe(kept[0]!.path);
    expect(spoolMedia.codecs).toEqual(['audio:aac', 'audio:aac', 'audio:aac', 'video:h264']);
    expect(Math.abs(spoolMedia.durationMs - sessionMs), `spool ${spoolMedia.durationMs} ms vs session ${sessionMs} ms`).toBeLessThan(3000);
    // The candidate is not left waiting: the conversation ended; the page says so.
    expect(await nextScreen(page, ['done', 'error'], 30_000)).toMatch(/^(done|error:ended)$/);
    await stack.screenshot(page, 'storage-stopped/02-failed');

    // While storage is still down, reconcile keeps the spool and says so (exit 6: unavailable).
    const down = await stack.cli(['reconcile', '--json']);
    writeFileSync(join(stack.logs, 'reconcile-storage-down.txt'), `${down.code}\n${down.stdout}\n${down.stderr}`);
    expect(down.code, down.stderr).toBe(6);
    const downLines = ndjson(down.stdout).filter((l) => l.id === id);
    expect(downLines).toEqual([expect.objectContaining({ action: 'upload_spool', applied: false })]);
    expect(spooled(stack, id)).toHaveLength(1);

    await bucket.start();
    const up = await stack.cli(['reconcile', '--json']);
    writeFileSync(join(stack.logs, 'reconcile-storage-up.txt'), `${up.code}\n${up.stdout}\n${up.stderr}`);
    expect(up.code, up.stderr).toBe(0);
    expect(ndjson(up.stdout).filter((l) => l.id === id)).toEqual([expect.objectContaining({ action: 'upload_spool', applied: true, error: null })]);
    expect(spooled(stack, id)).toEqual([]);

    // Still `failed` (the session did not finish cleanly), but nothing is lost: all three objects.
    const shown = await stack.show(id);
    expect(shown).toMatchObject({ status: 'failed', error: 'recorder_failed' });
    expect(shown.recordingKey).toMatch(new RegExp(`^recordings/${id}/\\d{8}T\\d{6}Z_interview-${id}\\.mp4$`));
    expect(shown.transcriptKey).toBe(shown.recordingKey.replace(/\.mp4$/, '.transcript.json'));
    expect(shown.vttKey).toBe(shown.recordingKey.replace(/\.mp4$/, '.vtt'));
    const mp4 = (await download('storage-stopped', 'recording.mp4', shown.recordingKey)).file;
    const media = probe(mp4);
    expect(media.codecs).toEqual(['audio:aac', 'audio:aac', 'audio:aac', 'video:h264']);
    expect(Math.abs(media.durationMs - sessionMs), `recording ${media.durationMs} ms vs session ${sessionMs} ms`).toBeLessThan(3000);
    const rows = await utterances(stack, id);
    for (const r of rows.filter((u) => u.end_ms - u.start_ms > 1000)) {
      expect(loudness(mp4, r.start_ms + 200, r.end_ms - 200), `${r.speaker} ${r.kind} at ${r.start_ms} ms`).toBeGreaterThan(-40);
    }
    expect(rows.some((r) => r.speaker === 'candidate')).toBe(true);
    const transcript = JSON.parse((await download('storage-stopped', 'transcript.json', shown.transcriptKey)).text);
    expect(transcript.utterances.length).toBe(rows.length);
    const vtt = (await download('storage-stopped', 'transcript.vtt', shown.vttKey)).text;
    expect(vtt.startsWith('WEBVTT')).toBe(true);
  });
});
