import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLlmStandIn } from '../stack/llm-stand-in.mjs';
import { startCli } from './helpers/cli.js';
import { goodReply, seedCompletedInterview } from './helpers/completed-interview.js';
import { useCliWorkspace } from './helpers/workspace.js';

// serve evaluates completed interviews by itself, and takes the candidate page's integrity notes.

let llm: Awaited<ReturnType<typeof startLlmStandIn>>;
const env: Record<string, string> = {};
const ws = useCliWorkspace('evaluation-serve', env);
let serve: ReturnType<typeof startCli> | undefined;
let base = '';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  llm = await startLlmStandIn({ respond: (req: { body: any }) => goodReply(req.body) });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  Object.assign(env, { LLM_BASE_URL: llm.url, LLM_MODEL: 'stand-in-model', PORT: String(port), PUBLIC_URL: base, LIVEKIT_URL: 'ws://127.0.0.1:9' });
});
afterAll(async () => {
  if (serve) {
    serve.signal('SIGTERM');
    await serve.done;
  }
  await llm?.stop();
});

describe('serve', () => {
  it('evaluates a completed interview once, by itself, and stores integrity notes from the page', async () => {
    const s = await seedCompletedInterview(ws.db.sql, join(ws.scratch.dir, 'recordings'), { resumeKey: 'resume-key-for-test-0001' });
    serve = startCli(['serve', '--host', '127.0.0.1'], { cwd: ws.scratch.dir, env: { ...ws.db.env, INTERVIEWCTL_HOME: ws.scratch.dir, ...env }, timeoutMs: 120_000 });
    const row = await until('the evaluation', async () => {
      const [r] = await ws.db.sql`select * from interview_evaluations where interview_id = ${s.id} and current and status = 'succeeded'`;
      return r;
    });
    expect(row).toMatchObject({ trigger: 'serve', attempts: 1 });
    expect(llm.requests).toHaveLength(1);

    const post = (body: unknown) =>
      fetch(`${base}/api/interviews/${s.id}/integrity`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // The page's clock is an hour fast: the times are taken relative to when it sent them.
    const skew = 3_600_000;
    const sentAt = Date.now() + skew;
    const notes = [{ kind: 'tab_hidden', startedAt: sentAt - 20_000, endedAt: sentAt - 12_000 }];
    expect((await post({ resumeKey: 'wrong-key', notes, sentAt })).status).toBe(403);
    expect((await post({ resumeKey: 'resume-key-for-test-0001', notes: [{ kind: 'mood', startedAt: 1, endedAt: 2 }], sentAt })).status).toBe(400);
    const ok = await post({ resumeKey: 'resume-key-for-test-0001', notes, sentAt });
    expect(ok.status).toBe(202);
    const [note] = await ws.db.sql`select kind, started_at, ended_at from interview_integrity_notes where interview_id = ${s.id}`;
    expect(note!.kind).toBe('tab_hidden');
    expect(Math.abs(note!.startedAt.getTime() - (Date.now() - 20_000))).toBeLessThan(5_000);
    expect(note!.endedAt.getTime() - note!.startedAt.getTime()).toBe(8_000);

    // Evaluated once: nothing is pending any more for the CLI either.
    const pending = await ws.run(['evaluate', '--pending']);
    expect(pending.code, pending.stderr).toBe(0);
    expect(pending.stderr).toMatch(/nothing to evaluate/);
    expect(llm.requests).toHaveLength(1);
    expect((await ws.db.sql`select count(*)::int as n from interview_evaluations where interview_id = ${s.id}`)[0]!.n).toBe(1);
  });
});
