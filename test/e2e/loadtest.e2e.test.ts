// `interviewctl loadtest` against the real stack (livekit-server, serve, `interviewctl agent` with
// offline speech, versitygw as S3): two synthetic candidates hold short interviews through serve's
// join API; the command reports their figures, finds their recordings in the bucket, and purges
// what it made. A remote LiveKit is refused without --yes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../stack/interviewctl.mjs';
import { s3ClientFor, startVersitygw } from '../stack/versitygw.mjs';
import { addQuestionSet } from './helpers/interview.js';
import { freePort, s3EnvFor, startStack, type Stack } from './helpers/stack.js';
import { startAgent } from './helpers/faults.js';

const BUCKET = 'interviews';

describe('interviewctl loadtest on the real stack', () => {
  let stack: Stack;
  let s3: S3Client;

  beforeAll(async () => {
    const s3Port = await freePort();
    const env = { ...s3EnvFor(s3Port, BUCKET), AGENT_CANDIDATE_WAIT: '60s', AGENT_MAX_INTERVIEWS: '2', JOIN_RATE_LIMIT: 'off' };
    stack = await startStack({ scenario: 'loadtest', env });
    const gw = stack.own(await startVersitygw({ dir: join(stack.home, 's3'), port: s3Port, accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY }));
    s3 = s3ClientFor(gw);
    stack.own({ stop: async () => s3.destroy() });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await addQuestionSet(stack, { name: 'lt', questions: [{ text: 'What is your current role?', timeLimit: '20s' }, { text: 'What would you like to learn next?', timeLimit: '20s' }] });
    await startAgent(stack, 'agent.log', { readyTimeoutMs: 90_000 });
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('refuses a LiveKit that is not on this machine without --yes, creating nothing', async () => {
    // Checked before anything is sent anywhere: no packet leaves for this address.
    const env = { ...stack.env, LIVEKIT_URL: 'wss://interviews.example.com' };
    const res = (await runCli(['loadtest', '-n', '1', '--questions', 'lt'], { env, cwd: stack.home, timeoutMs: 30_000 })) as { code: number; stderr: string };
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/not on this machine.*--yes/);
    expect(await stack.sql`select id from interviews where ref like 'loadtest-%'`).toEqual([]);
    const procs = (await runCli(['loadtest', '-n', '2', '--procs', '3'], { env: stack.env, cwd: stack.home, timeoutMs: 30_000 })) as { code: number; stderr: string };
    expect(procs.code).toBe(2);
    expect(procs.stderr).toMatch(/--procs: "3" must be a whole number from 1 to the number of candidates \(2\)/);
  });

  it('runs 2 candidates (one process each), reports first audio, gaps, recordings and the generator, and cleans up', async () => {
    const res = await stack.cli(['loadtest', '-n', '2', '--procs', '2', '--stagger', '2s', '--questions', 'lt', '--timeout', '4m', '--json'], { timeoutMs: 300_000 });
    writeFileSync(join(stack.artifacts, 'loadtest.json'), res.stdout);
    writeFileSync(join(stack.artifacts, 'loadtest.stderr.txt'), res.stderr);
    expect(res.code, res.stderr).toBe(0);
    const out = res.json();
    expect(out.summary).toMatchObject({ candidates: 2, completed: 2, recorded: 2, failed: 0 });
    expect(out.summary.firstAudioMs.n).toBe(2);
    expect(out.summary.firstAudioMs.p50).toBeGreaterThan(0);
    expect(out.summary.gapMs.n).toBeGreaterThan(0);
    // The candidates ran in two child processes, which said how they fared.
    expect(out.generator).toMatchObject({ processes: 2, behind: expect.any(Boolean) });
    expect(out.generator.cpuCores).toBeGreaterThan(0);
    const { loopDelayP50Ms: p50, loopDelayP99Ms: p99, loopDelayMaxMs: max } = out.generator;
    expect(p50).toBeGreaterThanOrEqual(0);
    expect(p99).toBeGreaterThanOrEqual(p50);
    expect(max).toBeGreaterThanOrEqual(p99);
    for (const i of out.interviews) {
      expect(i.ref).toMatch(/^loadtest-\d{8}T\d{6}-[12]$/);
      expect(i.status).toBe('completed');
      expect(i.recordingBytes).toBeGreaterThan(10_000);
      expect(i.error).toBeNull();
    }
    // Cleaned up as `purge` would: objects, utterances and deliveries gone, an audit row each; the
    // interview rows and their (append-only) events stay, marked loadtest- and purged.
    expect(out.cleanedUp).toMatchObject({ removed: 2, left: [] });
    expect(out.cleanedUp.objects).toBeGreaterThanOrEqual(2);
    const ids = out.interviews.map((i: { id: string }) => i.id);
    expect(await stack.sql`select id from interviews where ref like 'loadtest-%' and purged_at is null`).toEqual([]);
    expect(await stack.sql`select 1 from utterances where interview_id = any(${ids})`).toEqual([]);
    expect(await stack.sql`select 1 from webhook_events where interview_id = any(${ids})`).toEqual([]);
    const audit = await stack.sql<{ retention: string; objects_deleted: number }[]>`select retention, objects_deleted from purge_audit where interview_id = any(${ids})`;
    expect(audit.map((a) => a.retention)).toEqual(['loadtest', 'loadtest']);
    const objects = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    expect((objects.Contents ?? []).map((o) => o.Key)).toEqual([]);
  }, 360_000);
});
