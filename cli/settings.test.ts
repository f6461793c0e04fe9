import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from './core/errors.js';
import { loadSettings } from './settings.js';

const cwd = mkdtempSync(join(tmpdir(), 'ictl-settings-'));

describe('LLM settings', () => {
  it('are off unless both the endpoint and the model are set', () => {
    expect(loadSettings({}, {}, cwd).llm).toBeUndefined();
    expect(() => loadSettings({}, { LLM_MODEL: 'm' }, cwd)).toThrow(ConfigError);
  });
  it('take LLM_API_KEY, else OPENAI_API_KEY, and a 2.5 s first-token timeout by default', () => {
    const s = loadSettings({}, { LLM_BASE_URL: 'http://127.0.0.1:9/v1/', LLM_MODEL: 'm', OPENAI_API_KEY: 'k1' }, cwd);
    expect(s.llm).toEqual({ baseUrl: 'http://127.0.0.1:9/v1', model: 'm', apiKey: 'k1', timeoutMs: 2500 });
    expect(loadSettings({}, { LLM_BASE_URL: 'http://h/v1', LLM_MODEL: 'm', LLM_API_KEY: 'k2', OPENAI_API_KEY: 'k1', LLM_TIMEOUT: '800ms' }, cwd).llm).toMatchObject({
      apiKey: 'k2',
      timeoutMs: 800,
    });
  });
  it('names every bad key at once', () => {
    try {
      loadSettings({}, { LLM_BASE_URL: 'ftp://x', LLM_MODEL: 'm', LLM_TIMEOUT: 'soon' }, cwd);
      expect.unreachable();
    } catch (err) {
      const text = String((err as ConfigError).message) + JSON.stringify(err);
      expect(text).toContain('LLM_BASE_URL');
      expect(text).toContain('LLM_TIMEOUT');
    }
  });
});

describe('DATABASE_URL', () => {
  it('is read the way the driver reads it: one or several hosts, a socket folder as ?host=', () => {
    for (const url of ['postgres://u:p@h1:5432,h2:5433/db', 'postgres://u@localhost/db?host=/run/postgresql', 'postgresql://u:p%40@db.example.com/x', 'postgres:///db']) {
      expect(loadSettings({}, { DATABASE_URL: url }, cwd).databaseUrl).toBe(url);
    }
  });
  it('without a host is a configuration error that says how to name a socket', () => {
    expect(() => loadSettings({}, { DATABASE_URL: 'postgres://postgres@/postgres' }, cwd)).toThrow(/DATABASE_URL: .*PGHOST/);
  });
});

describe('evaluation settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ictl-settings-eval-'));
  it('evaluate automatically with a 60 s request timeout by default; EVALUATION=off and EVALUATION_TIMEOUT change that', () => {
    expect(loadSettings({}, {}, dir).evaluation).toEqual({ auto: true, timeoutMs: 60_000 });
    expect(loadSettings({}, { EVALUATION: 'off', EVALUATION_TIMEOUT: '2m' }, dir).evaluation).toEqual({ auto: false, timeoutMs: 120_000 });
    expect(() => loadSettings({}, { EVALUATION: 'sometimes', EVALUATION_TIMEOUT: 'later' }, dir)).toThrow(/EVALUATION: "sometimes".*EVALUATION_TIMEOUT: "later"/);
  });
});

const dir = mkdtempSync(join(tmpdir(), 'ictl-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('one resolver for every setting', () => {
  it('reads the agent’s settings and LIVEKIT_SERVER_BIN from .env, below the environment', () => {
    writeFileSync(join(dir, '.env'), 'AGENT_MAX_INTERVIEWS=7\nAGENT_END_OF_TURN_SILENCE=900ms\nAGENT_LOG_LEVEL=debug\nLIVEKIT_SERVER_BIN=bin/livekit-server\nTRUST_PROXY=loopback\n');
    const s = loadSettings({}, {}, dir);
    expect(s.agent).toMatchObject({ maxInterviews: 7, endOfTurnSilenceMs: 900 });
    expect(s.agentLogLevel).toBe('debug');
    expect(s.livekitServerBin).toBe(join(dir, 'bin/livekit-server'));
    const over = loadSettings({}, { AGENT_MAX_INTERVIEWS: '2', AGENT_LOG_LEVEL: 'warn' }, dir);
    expect([over.agent.maxInterviews, over.agentLogLevel]).toEqual([2, 'warn']);
  });

  it('reports a bad agent setting from .env by name with the others, all at once', () => {
    writeFileSync(join(dir, '.env'), 'AGENT_MAX_INTERVIEWS=lots\nAGENT_LOG_LEVEL=loud\nTRUST_PROXY=maybe\n');
    expect(() => loadSettings({}, {}, dir)).toThrow(
      expect.objectContaining({ problems: [expect.stringMatching(/^TRUST_PROXY: "maybe"/), expect.stringMatching(/^AGENT_MAX_INTERVIEWS: "lots"/), expect.stringMatching(/^AGENT_LOG_LEVEL: "loud"/)] }),
    );
  });
});

describe('RECORDER', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'ictl-settings-rec-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('takes agent, egress, browser and off, and names the choices for anything else', () => {
    for (const r of ['agent', 'egress', 'browser', 'off']) expect(loadSettings({}, { RECORDER: r }, cwd).recorder).toBe(r);
    expect(() => loadSettings({}, { RECORDER: 'page' }, cwd)).toThrow(/RECORDER: "page" is not one of agent, egress, browser, off/);
  });
});
