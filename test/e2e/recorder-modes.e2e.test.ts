// RECORDER=off and RECORDER=egress on the real stack (livekit-server, serve, `interviewctl agent`,
// Chromium). Off: a short interview completes with its transcript stored and no MP4. Egress: our
// open-source livekit-server has no egress service, so an interview must end `failed` with
// `recorder_failed` and a plain reason — never stuck — and the exact server errors are checked.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../stack/interviewctl.mjs';
import { s3ClientFor, startVersitygw } from '../stack/versitygw.mjs';
import { addQuestionSet, joinInterview, statusPath, utterances, waitForStatus } from './helpers/interview.js';
import { eventually, pressEnd, waitForScreen } from './helpers/page.js';
import { freePort, s3EnvFor, startStack, type Stack } from './helpers/stack.js';
import { startAgent as startAgentWorker } from './helpers/faults.js';

const BUCKET = 'interviews';

describe('recorder modes on the real stack', () => {
  let stack: Stack;
  let s3Env: Record<string, string>;
  let agent: { stop(): Promise<void>; logText(): string } | undefined;

  const startAgent = async (name: string, env: Record<string, string>) => {
    agent = await startAgentWorker(stack, `agent-${name}.log`, { env });
    return agent;
  };

  beforeAll(async () => {
    stack = await startStack({ scenario: 'recorder-modes', env: { AGENT_CANDIDATE_WAIT: '60s', AGENT_END_OF_TURN_SILENCE: '3s' } });
    const s3Port = await freePort();
    s3Env = s3EnvFor(s3Port, BUCKET);
    const gw = stack.own(await startVersitygw({ dir: join(stack.home, 's3'), port: s3Port }));
    const s3 = s3ClientFor(gw);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    s3.destroy();
    await addQuestionSet(stack, { name: 'e2e-modes', questions: [{ text: 'Could you tell me about your current role?', timeLimit: '15s' }, { text: 'What would you like to learn next?', timeLimit: '15s' }] });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('RECORDER=off: the agent starts without ffmpeg, and an interview completes with its transcript only', async () => {
    // An empty PATH: no ffmpeg to find. Job processes are forked from node itself, not looked up.
    const emptyPath = mkdtempSync(join(stack.home, 'no-tools-'));
    const off = await startAgent('off', { RECORDER: 'off', PATH: emptyPath });
    expect(off.logText()).toMatch(/RECORDER=off: interviews are not recorded; each completes with its transcript only/);

    const { page, id } = await joinInterview(stack, { durationMs: 120_000, name: 'Ada Lovelace', questions: 'e2e-modes' });
    await eventually(async () => ((await utterances(stack, id)).some((r) => r.kind === 'question') ? true : undefined), { what: 'the first question asked', timeoutMs: 60_000 });
    await page.waitForTimeout(6000);
    await pressEnd(page);
    await waitForScreen(page, 'done');
    await waitForStatus(stack, id, 'completed', 60_000);

    expect(await statusPath(stack, id)).toEqual(['used', 'ending', 'completed']);
    const shown = await stack.show(id);
    expect(shown.recordingKey).toBeNull();
    expect(shown.recordingStartedAt).toBeNull();
    expect(shown.transcriptKey).toMatch(new RegExp(`^recordings/${id}/(\\d{8}T\\d{6}Z)_interview-${id}\\.transcript\\.json$`));
    expect(shown.vttKey).toBe(shown.transcriptKey.replace(/\.transcript\.json$/, '.vtt'));
    // The key's time is the conversation's start: after the first join, before the end.
    const stamp = /(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z/.exec(shown.transcriptKey)!;
    const startedAt = Date.UTC(+stamp[1]!, +stamp[2]! - 1, +stamp[3]!, +stamp[4]!, +stamp[5]!, +stamp[6]!);
    expect(startedAt).toBeGreaterThanOrEqual(Math.floor(new Date(shown.usedAt).getTime() / 1000) * 1000);
    expect(startedAt).toBeLessThan(new Date(shown.endedAt).getTime());

    // In the local recordings folder: the transcript and captions, and no MP4 at all.
    const folder = join(stack.home, 'recordings', id);
    const files = readdirSync(folder).sort();
    expect(files.some((f) => f.endsWith('.mp4'))).toBe(false);
    expect(files).toEqual([shown.transcriptKey.split('/').pop(), shown.vttKey.split('/').pop()].sort());
    const doc = JSON.parse(readFileSync(join(folder, shown.transcriptKey.split('/').pop()!), 'utf8'));
    expect(doc.recording).toBeNull();
    const rows = await utterances(stack, id);
    expect(doc.utterances.map((u: { kind: string }) => u.kind)).toEqual([...rows].sort((a, b) => a.start_ms - b.start_ms || a.seq - b.seq).map((r) => r.kind));
    expect(rows[0]).toMatchObject({ speaker: 'agent', kind: 'greeting' });
    // Offsets count from the conversation's start: the greeting comes within seconds of it.
    expect(rows[0]!.start_ms).toBeLessThan(15_000);
    expect(rows.some((r) => r.speaker === 'candidate')).toBe(true);
    expect(readFileSync(join(folder, shown.vttKey.split('/').pop()!), 'utf8')).toMatch(/^WEBVTT/);

    // show and doctor say plainly that there is no recording, by configuration.
    const text = await stack.cli(['show', id]);
    expect(text.stdout).toMatch(/recording\s+none: the recorder was off by configuration \(RECORDER=off\)/);
    expect(text.stdout).toMatch(/ending → completed\s+by agent: transcript stored; no recording: the recorder is off by configuration/);
    const doctor = await runCli(['doctor', '--json'], { env: { ...stack.env, RECORDER: 'off' }, cwd: stack.home });
    const recorder = doctor.json().find((c: { check: string }) => c.check === 'recorder');
    expect(recorder).toMatchObject({ status: 'warn', detail: expect.stringMatching(/no recording by configuration; interviews complete with their transcript only/) });
    await page.context().close();
    await off.stop();
  }, 240_000);

  it('RECORDER=egress without S3_BUCKET: the agent refuses to start, naming the settings (exit 3)', async () => {
    const res = await runCli(['agent'], { env: { ...stack.env, RECORDER: 'egress' }, cwd: stack.home, timeoutMs: 30_000 });
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/RECORDER=egress: LiveKit Egress uploads the recording to S3 itself and cannot write RECORDINGS_DIR; set S3_BUCKET/);
  });

  it('RECORDER=egress on a server without Egress: doctor says so, and an interview fails with recorder_failed at once, saying why', async () => {
    const env = { RECORDER: 'egress', ...s3Env };
    const doctor = await runCli(['doctor', '--json'], { env: { ...stack.env, ...env }, cwd: stack.home });
    expect(doctor.code).toBe(6);
    const recorder = doctor.json().find((c: { check: string }) => c.check === 'recorder');
    expect(recorder).toMatchObject({ status: 'fail', detail: expect.stringMatching(/LiveKit Egress is not available on .*egress not connected \(redis required\)/) });

    const eg = await startAgent('egress', env);
    expect(eg.logText()).toMatch(/RECORDER=egress, but LiveKit Egress does not answer/);
    const joinedAt = Date.now();
    const { page, id } = await joinInterview(stack, { durationMs: 120_000, name: 'Grace Hopper', questions: 'e2e-modes' });
    await waitForStatus(stack, id, 'failed', 60_000);
    const failedAfterMs = Date.now() - joinedAt;
    const shown = await stack.show(id);
    expect(shown.error).toBe('recorder_failed');
    expect(await statusPath(stack, id)).toEqual(['used', 'failed']);
    const events = await stack.sql<{ reason: string }[]>`select reason from interview_events where interview_id = ${id} and to_status = 'failed'`;
    expect(events[0]!.reason).toMatch(/^LiveKit Egress is not available on this LiveKit server: .*egress not connected \(redis required\)/);
    const lines = eg.logText().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg?: string; interview_id?: string });
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'LiveKit Egress is not available on this LiveKit server; RECORDER=egress needs LiveKit Cloud or a self-hosted egress service', interview_id: id }));
    // Nothing was asked of a candidate whose interview cannot be recorded, and the room is gone.
    expect((await utterances(stack, id)).filter((r) => r.kind === 'question')).toEqual([]);
    await eventually(async () => ((await stack.rooms.listRooms([`interview-${id}`])).length === 0 ? true : undefined), { what: 'the room deleted', timeoutMs: 20_000 });
    expect(failedAfterMs).toBeLessThan(45_000);
    await page.context().close();
    await eg.stop();
  }, 180_000);

  it("starting a RoomComposite egress on livekit-server: the real server's answer is read as 'LiveKit Egress is not available'", async () => {
    const { createEgressApi, createEgressRecorder, EgressUnavailableError } = await import(join(repoRoot, 'dist', 'cli', 'adapters', 'livekit', 'egress.js'));
    const lk = { url: stack.livekitUrl, apiKey: stack.apiKey, apiSecret: stack.apiSecret, agentName: 'interviewer', explicit: true };
    const egress = createEgressRecorder(createEgressApi(lk), { bucket: BUCKET, region: 'us-east-1', endpoint: s3Env.S3_ENDPOINT, accessKeyId: 'k', secretAccessKey: 's', forcePathStyle: true }, stack.livekitHttpUrl);
    await stack.rooms.createRoom({ name: 'egress-probe' });
    const t0 = Date.now();
    const err = await egress.startRoomComposite('egress-probe', 'recordings/probe.mp4').then(() => undefined, (e: unknown) => e as Error);
    const tookMs = Date.now() - t0;
    expect(err).toBeInstanceOf(EgressUnavailableError);
    // livekit-server v1.13.5 waits for an egress worker, then answers 503 "no response from servers".
    expect(err!.message).toMatch(/^LiveKit Egress is not available on .*\(twirp error unknown: no response from servers\)/);
    expect(tookMs).toBeLessThan(30_000);
    await stack.rooms.deleteRoom('egress-probe').catch(() => {});
  }, 60_000);
});
