import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInterviewRepo } from '../../cli/adapters/db/interviews.js';
import { cli } from './helpers/cli.js';
import { makeNewInterview } from './helpers/builders.js';
import { BIN } from './helpers/paths.js';
import { useCliWorkspace } from './helpers/workspace.js';
import { joinBody } from '../stack/disclosure.mjs';

// What an operator's Prometheus sees: serve's /metrics moving with joins and webhooks, the live
// interviews gauge, the agent's metrics endpoint; and both services' stderr in one JSON format.

const LIVEKIT = { LIVEKIT_API_KEY: 'metrics-test-key', LIVEKIT_API_SECRET: 'metrics-test-secret-0123456789abcdef' };
const ws = useCliWorkspace('metrics', LIVEKIT);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A long-running CLI command with its stderr collected as it comes. */
function startService(args: string[], env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, [BIN, ...args], { cwd: ws.scratch.dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  return {
    stderr: () => stderr,
    stdout: () => stdout,
    async stop() {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The value of one sample in Prometheus text (0 when the series is not there yet). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return 0;
}

/** Every stderr line is one JSON object in the shared shape. */
function expectOneLogFormat(stderr: string): Record<string, unknown>[] {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines.length).toBeGreaterThan(0);
  const records = lines.map((l) => {
    expect(() => JSON.parse(l), l).not.toThrow();
    return JSON.parse(l) as Record<string, unknown>;
  });
  for (const r of records) {
    expect(r, JSON.stringify(r)).toMatchObject({ level: expect.stringMatching(/^(trace|debug|info|warn|error|fatal)$/), ts: expect.stringMatching(/Z$/), msg: expect.any(String) });
    expect(r).not.toHaveProperty('time');
  }
  return records;
}

describe('serve /metrics', () => {
  let port = 0;
  let serve: ReturnType<typeof startService>;
  const metrics = async () => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    return res.text();
  };
  const join = (id: string, body: unknown) => fetch(`http://127.0.0.1:${port}/api/interviews/${id}/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    port = await freePort();
    // No LiveKit: joins that get past the checks fail their dispatch, which is counted too.
    const env = { ...ws.db.env, ...LIVEKIT, INTERVIEWCTL_HOME: ws.scratch.dir, PORT: String(port), LIVEKIT_URL: `ws://127.0.0.1:${await freePort()}` };
    serve = startService(['serve'], env);
    await until('serve listening', async () => ((await fetch(`http://127.0.0.1:${port}/metrics`)).ok ? true : undefined));
  });
  afterAll(async () => {
    await serve?.stop();
  });

  it('counts joins by outcome', async () => {
    const repo = createInterviewRepo(ws.db.sql);
    const row = makeNewInterview();
    await repo.insertMany([row]);
    const before = await metrics();
    expect((await join(row.id, { consent: false })).status).toBe(400);
    expect((await join(row.id, { consent: false })).status).toBe(400);
    expect((await join('ZZZZZZZZZZZZZZZZZZZZZZ', joinBody())).status).toBe(404);
    // LiveKit is not there: the dispatch fails, the link stays usable, and the join counts as such.
    expect((await join(row.id, joinBody())).status).toBe(503);
    const after = await metrics();
    expect(sample(after, 'interviewctl_joins_total', { outcome: 'livekit_unavailable' }) - sample(before, 'interviewctl_joins_total', { outcome: 'livekit_unavailable' })).toBe(1);
    expect(sample(after, 'interviewctl_joins_total', { outcome: 'consent_required' }) - sample(before, 'interviewctl_joins_total', { outcome: 'consent_required' })).toBe(2);
    expect(sample(after, 'interviewctl_joins_total', { outcome: 'not_found' }) - sample(before, 'interviewctl_joins_total', { outcome: 'not_found' })).toBe(1);
    expect(sample(after, 'interviewctl_joins_total', { outcome: 'joined' })).toBe(0);
    // The process metrics are there too.
    expect(after).toMatch(/^interviewctl_serve_process_cpu_seconds_total /m);
  });

  it('counts webhook deliveries and how long they took to apply, and refuses forged ones', async () => {
    const row = makeNewInterview();
    await createInterviewRepo(ws.db.sql).insertMany([row]);
    await ws.db.sql`update interviews set status = 'used', used_at = now() where id = ${row.id}`;
    const before = await metrics();
    const sent = await cli(['webhooks', 'trigger', 'participant_joined', '--interview', row.id, '--to', `http://127.0.0.1:${port}/webhooks/livekit`], {
      cwd: ws.scratch.dir,
      env: { ...ws.db.env, ...LIVEKIT, INTERVIEWCTL_HOME: ws.scratch.dir },
    });
    expect(sent.code, sent.stderr).toBe(0);
    const forged = await fetch(`http://127.0.0.1:${port}/webhooks/livekit`, { method: 'POST', headers: { authorization: 'Bearer nope', 'content-type': 'application/webhook+json' }, body: '{}' });
    expect(forged.status).toBe(401);
    const after = await metrics();
    const delta = (name: string, labels?: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('interviewctl_webhooks_total', { event: 'participant_joined', outcome: 'applied' })).toBe(1);
    expect(delta('interviewctl_webhooks_total', { event: 'unknown', outcome: 'rejected' })).toBe(1);
    expect(delta('interviewctl_webhook_apply_seconds_count')).toBe(1);
    expect(delta('interviewctl_webhook_ingest_lag_seconds_count')).toBe(1);
  });

  it('shows live interviews by status', async () => {
    const rows = [makeNewInterview(), makeNewInterview()];
    await createInterviewRepo(ws.db.sql).insertMany(rows);
    await ws.db.sql`update interviews set status = 'recording', used_at = now() where id = any(${rows.map((r) => r.id)})`;
    const [{ n }] = await ws.db.sql<{ n: number }[]>`select count(*)::int as n from interviews where status = 'recording'`;
    // The gauge reads the database at most every few seconds, however often it is scraped.
    await until('the gauge to show them', async () => (sample(await metrics(), 'interviewctl_interviews_live', { status: 'recording' }) === n ? true : undefined), 30_000);
  });

  it("writes its stderr as JSON lines in the shared format", () => {
    const records = expectOneLogFormat(serve.stderr());
    expect(records.some((r) => r.msg === 'serving' && r.svc === 'serve')).toBe(true);
  });
});

describe('the agent worker', () => {
  it('answers /metrics on AGENT_METRICS_PORT, and its stderr (ours and agents-js) is one JSON format', async () => {
    const metricsPort = await freePort();
    const agent = startService(['agent'], {
      ...ws.db.env,
      ...LIVEKIT,
      INTERVIEWCTL_HOME: ws.scratch.dir,
      // Nothing listens there: the framework logs its retries, which is what we want to read.
      LIVEKIT_URL: `ws://127.0.0.1:${await freePort()}`,
      RECORDER: 'off',
      AGENT_IDLE_PROCESSES: '0',
      AGENT_METRICS_PORT: String(metricsPort),
    });
    try {
      const text = await until('the agent metrics', async () => {
        const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
        return res.ok ? res.text() : undefined;
      });
      for (const name of ['interviewctl_turn_end_of_utterance_seconds', 'interviewctl_turn_llm_first_token_seconds', 'interviewctl_turn_tts_first_byte_seconds', 'interviewctl_turn_answer_to_audio_seconds', 'interviewctl_recorder_upload_failures_total', 'interviewctl_recorder_frames_dropped_total']) {
        expect(text).toContain(`# TYPE ${name} `);
      }
      expect(text).toMatch(/^interviewctl_agent_process_cpu_seconds_total /m);
      // A job process's report needs the worker's token.
      expect((await fetch(`http://127.0.0.1:${metricsPort}/job-metrics`, { method: 'POST', body: '{}' })).status).toBe(403);
      await until("agents-js's own lines", async () => (agent.stderr().includes('"src":"livekit"') ? true : undefined));
    } finally {
      await agent.stop();
    }
    const records = expectOneLogFormat(agent.stderr());
    expect(records.some((r) => r.src === 'livekit' && r.svc === 'agent')).toBe(true);
    expect(records.some((r) => r.src === undefined && r.svc === 'agent')).toBe(true);
    expect(agent.stdout()).toBe('');
  }, 90_000);
});
