// `doctor` says which interviewer new interviews get (SPEC section 11), asking the LLM endpoint
// (here the OpenAI-compatible stand-in, or a port nothing listens on) whether it answers.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript test helper
import { startLlmStandIn } from '../stack/llm-stand-in.mjs';
import { useCliWorkspace } from './helpers/workspace.js';

// LiveKit is not running here: doctor reports it and exits 6; the interviewer row is what is read.
const ws = useCliWorkspace('doctor-llm', { LIVEKIT_URL: 'ws://127.0.0.1:9', PUBLIC_URL: 'http://127.0.0.1:9' });
let standIn: { url: string; stop(): Promise<void> };
let closedPort: number;

beforeAll(async () => {
  standIn = await startLlmStandIn({ apiKey: 'doctor-key', models: ['stand-in-model'] });
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  closedPort = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
});
afterAll(async () => standIn?.stop());

const doctorCheck = async (name: string, env: Record<string, string>) => {
  const r = await ws.run(['doctor', '--json'], { env });
  const checks = JSON.parse(r.stdout) as { check: string; status: string; detail: string; fix: string | null }[];
  return checks.find((c) => c.check === name);
};
const interviewerCheck = (env: Record<string, string>) => doctorCheck('interviewer', env);

describe('doctor: the interviewer', () => {
  it('says scripted without an LLM, and why', async () => {
    expect(await interviewerCheck({})).toMatchObject({ status: 'ok', detail: 'new interviews run scripted: no LLM configured (set LLM_BASE_URL and LLM_MODEL)' });
  });

  it('says llm with the model when the endpoint answers and speech-to-text is set', async () => {
    const c = await interviewerCheck({ LLM_BASE_URL: standIn.url, LLM_MODEL: 'stand-in-model', LLM_API_KEY: 'doctor-key', DEEPGRAM_API_KEY: 'dg' });
    expect(c).toMatchObject({ status: 'ok', detail: `new interviews run llm (stand-in-model) at ${standIn.url}` });
  });

  it('warns that interviews run scripted when the endpoint is unreachable, refuses the key, or lacks the model', async () => {
    const down = await interviewerCheck({ LLM_BASE_URL: `http://127.0.0.1:${closedPort}/v1`, LLM_MODEL: 'm', DEEPGRAM_API_KEY: 'dg' });
    expect(down).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^new interviews run scripted: LLM unavailable: http:\/\/127\.0\.0\.1:\d+\/v1 is unreachable \(ECONNREFUSED\)$/) });
    const badKey = await interviewerCheck({ LLM_BASE_URL: standIn.url, LLM_MODEL: 'stand-in-model', LLM_API_KEY: 'wrong-secret', DEEPGRAM_API_KEY: 'dg' });
    expect(badKey?.detail).toMatch(/refused the key \(HTTP 401\)/);
    expect(JSON.stringify(badKey)).not.toContain('wrong-secret');
    const noModel = await interviewerCheck({ LLM_BASE_URL: standIn.url, LLM_MODEL: 'gpt-9', LLM_API_KEY: 'doctor-key', DEEPGRAM_API_KEY: 'dg' });
    expect(noModel?.detail).toMatch(/does not serve model "gpt-9"/);
  });

  it('warns that an LLM without speech-to-text cannot read the answers', async () => {
    const c = await interviewerCheck({ LLM_BASE_URL: standIn.url, LLM_MODEL: 'stand-in-model', LLM_API_KEY: 'doctor-key' });
    expect(c).toMatchObject({ status: 'warn', detail: expect.stringContaining('no speech-to-text (set DEEPGRAM_API_KEY)'), fix: expect.stringContaining('DEEPGRAM_API_KEY') });
  });
});

describe('doctor: scorecards', () => {
  it('says whether serve evaluates completed interviews, and with which model', async () => {
    expect((await doctorCheck('evaluation', {}))?.detail).toMatch(/^off: no LLM configured/);
    const on = { LLM_BASE_URL: standIn.url, LLM_MODEL: 'stand-in-model', LLM_API_KEY: 'doctor-key' };
    expect(await doctorCheck('evaluation', on)).toMatchObject({ status: 'ok', detail: expect.stringContaining('serve evaluates completed interviews with stand-in-model') });
    expect((await doctorCheck('evaluation', { ...on, EVALUATION: 'off' }))?.detail).toContain('interviewctl evaluate --pending');
    const down = await doctorCheck('evaluation', { LLM_BASE_URL: `http://127.0.0.1:${closedPort}/v1`, LLM_MODEL: 'm' });
    expect(down).toMatchObject({ status: 'warn', detail: expect.stringContaining('does not answer now') });
  });
});
