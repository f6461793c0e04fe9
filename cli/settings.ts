import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { parseDuration } from './core/duration.js';
import { ConfigError } from './core/errors.js';
import { parseTrustProxy, type TrustProxy } from './server/trust-proxy.js';
import { agentOptionsFromEnv, type AgentOptions } from '../agent/options.js';

/**
 * Every setting, resolved once in one documented order: flag, then environment, then `.env` in
 * the working directory, then the default. Problems are collected and reported together.
 */
export interface Settings {
  databaseUrl: string | undefined;
  home: string;
  publicUrl: string;
  port: number;
  /** METRICS_PORT: /metrics on a port of its own; unset, serve answers /metrics on `port`. */
  metricsPort?: number;
  /** `explicit` is false when LIVEKIT_URL was not set and the local dev server is assumed. */
  livekit: { url: string; apiKey: string; apiSecret: string; agentName: string; explicit: boolean };
  recorder: 'agent' | 'egress' | 'browser' | 'off';
  s3: { endpoint?: string; region: string; bucket: string; accessKeyId?: string; secretAccessKey?: string; forcePathStyle: boolean } | undefined;
  recordingsDir: string;
  deepgram: { apiKey?: string; baseUrl?: string };
  /** An OpenAI-compatible Chat Completions endpoint; undefined when LLM_BASE_URL/LLM_MODEL are unset. */
  llm: LlmSettings | undefined;
  /** The evaluation of completed interviews by the LLM (SPEC.md section 12). */
  evaluation: { auto: boolean; timeoutMs: number };
  defaultDurationMs: number;
  inviteTtlMs: number;
  /** Joins allowed per client address per window; limit 0 turns it off. */
  joinRateLimit: { limit: number; windowMs: number };
  /** Which proxies may add X-Forwarded-For entries (a hop count or addresses; `true` is 1 hop). */
  trustProxy: TrustProxy;
  /** Outbound webhooks: the first retry's delay (HOOKS_RETRY_BASE; doubles per attempt, jittered, for 24 h). */
  hooks: { retryBaseMs: number };
  /**
   * reconcile (and serve's sweep): how long after a dispatch an absent interviewer is dispatched
   * again (RECONCILE_REDISPATCH_AFTER); how old a multipart upload left open for an interview that
   * is over must be before it is aborted (RECONCILE_ABORT_UPLOADS_AFTER).
   */
  reconcile: { redispatchAfterMs: number; abortUploadsAfterMs: number };
  /** The interviewer worker's tunables (AGENT_*), resolved like every other setting. */
  agent: AgentOptions;
  /** agents-js's log level (AGENT_LOG_LEVEL). */
  agentLogLevel: string;
  /** The livekit-server binary `dev` runs (LIVEKIT_SERVER_BIN); else the setup cache or PATH. */
  livekitServerBin: string | undefined;
}

export interface LlmSettings {
  /** Base URL as OpenAI clients take it, e.g. https://api.openai.com/v1. */
  baseUrl: string;
  model: string;
  /** LLM_API_KEY, else OPENAI_API_KEY; local servers may need none. */
  apiKey: string | undefined;
  /** No first token within this long: the interviewer says the scripted line instead. */
  timeoutMs: number;
}

export interface SettingFlags {
  databaseUrl?: string;
  port?: string;
  publicUrl?: string;
}

/** Dev credentials of the local livekit-server that `dev` starts; never used against a real project. */
export const DEV_LIVEKIT = {
  url: 'ws://127.0.0.1:7880',
  apiKey: 'devkey',
  apiSecret: 'interviewctl-dev-secret-not-for-production-0001',
};

function readDotEnv(cwd: string): Record<string, string> {
  const file = join(cwd, '.env');
  if (!existsSync(file)) return {};
  try {
    return parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch (err) {
    throw new ConfigError([`.env: cannot be read (${(err as Error).message})`]);
  }
}

export function loadSettings(
  flags: SettingFlags = {},
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): Settings {
  const file = readDotEnv(cwd);
  const problems: string[] = [];
  const get = (key: string): string | undefined => {
    const v = env[key] ?? file[key];
    return v === undefined || v === '' ? undefined : v;
  };

  const home = resolve(cwd, get('INTERVIEWCTL_HOME') ?? join(cwd, '.interviewctl'));

  const databaseUrl = flags.databaseUrl ?? get('DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL: must start with postgres:// or postgresql://');
  } else if (databaseUrl !== undefined && !isDatabaseUrl(databaseUrl)) {
    problems.push('DATABASE_URL: is not a URL the driver can read (for a Unix socket use postgres:///DB with PGHOST, or postgres://USER@localhost/DB?host=/socket/folder)');
  }

  const portText = flags.port ?? get('PORT') ?? '8080';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`PORT: ${JSON.stringify(portText)} is not a port number (1-65535)`);

  const metricsText = get('METRICS_PORT');
  const metricsPort = metricsText === undefined ? undefined : Number(metricsText);
  if (metricsPort !== undefined && (!Number.isInteger(metricsPort) || metricsPort < 1 || metricsPort > 65535)) problems.push(`METRICS_PORT: ${JSON.stringify(metricsText)} is not a port number (1-65535)`);

  const publicUrl = (flags.publicUrl ?? get('PUBLIC_URL') ?? `http://localhost:${Number.isInteger(port) ? port : 8080}`).replace(/\/+$/, '');
  if (!isUrl(publicUrl, ['http:', 'https:'])) problems.push(`PUBLIC_URL: ${JSON.stringify(publicUrl)} is not an http(s) URL`);

  const livekitUrl = get('LIVEKIT_URL') ?? DEV_LIVEKIT.url;
  if (!isUrl(livekitUrl, ['ws:', 'wss:', 'http:', 'https:'])) problems.push(`LIVEKIT_URL: ${JSON.stringify(livekitUrl)} is not a ws(s) or http(s) URL`);
  const apiKey = get('LIVEKIT_API_KEY');
  const apiSecret = get('LIVEKIT_API_SECRET');
  if ((apiKey === undefined) !== (apiSecret === undefined)) {
    problems.push('LIVEKIT_API_KEY and LIVEKIT_API_SECRET: set both or neither');
  }
  const agentName = get('LIVEKIT_AGENT_NAME') ?? 'interviewer';

  const recorder = get('RECORDER') ?? 'agent';
  if (!['agent', 'egress', 'browser', 'off'].includes(recorder)) problems.push(`RECORDER: ${JSON.stringify(recorder)} is not one of agent, egress, browser, off`);

  let s3: Settings['s3'];
  const bucket = get('S3_BUCKET');
  if (bucket !== undefined) {
    const endpoint = get('S3_ENDPOINT');
    if (endpoint !== undefined && !isUrl(endpoint, ['http:', 'https:'])) problems.push(`S3_ENDPOINT: ${JSON.stringify(endpoint)} is not an http(s) URL`);
    const accessKeyId = get('S3_ACCESS_KEY_ID');
    const secretAccessKey = get('S3_SECRET_ACCESS_KEY');
    if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
      problems.push('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY: set both or neither');
    }
    const style = get('S3_FORCE_PATH_STYLE') ?? 'false';
    if (!['true', 'false', '1', '0'].includes(style)) problems.push('S3_FORCE_PATH_STYLE: must be true or false');
    s3 = {
      endpoint,
      region: get('S3_REGION') ?? 'auto',
      bucket,
      accessKeyId,
      secretAccessKey,
      forcePathStyle: style === 'true' || style === '1',
    };
  } else {
    for (const key of ['S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY']) {
      if (get(key) !== undefined) problems.push(`${key}: set, but S3_BUCKET is not (set S3_BUCKET, or unset ${key} to record to RECORDINGS_DIR)`);
    }
  }
  const recordingsDir = resolve(cwd, get('RECORDINGS_DIR') ?? join(home, 'recordings'));

  const duration = (key: string, fallback: string): number => {
    const text = get(key) ?? fallback;
    const ms = parseDuration(text);
    if (ms === undefined || ms <= 0) {
      problems.push(`${key}: ${JSON.stringify(text)} is not a duration (e.g. 20m, 1h, 7d)`);
      return parseDuration(fallback)!;
    }
    return ms;
  };
  const defaultDurationMs = duration('DEFAULT_DURATION', '20m');
  const inviteTtlMs = duration('INVITE_TTL', '7d');

  const llm = readLlm(get, problems);
  const evaluationMode = get('EVALUATION') ?? 'auto';
  if (!['auto', 'off'].includes(evaluationMode)) problems.push(`EVALUATION: ${JSON.stringify(evaluationMode)} is not one of auto, off`);
  // Much longer than LLM_TIMEOUT (a first-token deadline for speech): a whole scorecard is written.
  const evaluationTimeoutMs = duration('EVALUATION_TIMEOUT', '60s');

  const rateText = get('JOIN_RATE_LIMIT') ?? '20/1m';
  let joinRateLimit = { limit: 20, windowMs: 60_000 };
  if (rateText === 'off') joinRateLimit = { limit: 0, windowMs: 60_000 };
  else {
    const m = /^(\d+)\/(.+)$/.exec(rateText);
    const windowMs = m ? parseDuration(m[2]!) : undefined;
    if (!m || windowMs === undefined || windowMs <= 0) problems.push(`JOIN_RATE_LIMIT: ${JSON.stringify(rateText)} is not COUNT/DURATION (e.g. 20/1m) or off`);
    else joinRateLimit = { limit: Number(m[1]), windowMs };
  }
  const trustProxy = parseTrustProxy(get('TRUST_PROXY') ?? 'false');
  if (typeof trustProxy === 'string') problems.push(trustProxy);

  const hooksRetryBaseMs = duration('HOOKS_RETRY_BASE', '5s');
  const redispatchAfterMs = duration('RECONCILE_REDISPATCH_AFTER', '30s');
  const abortUploadsAfterMs = duration('RECONCILE_ABORT_UPLOADS_AFTER', '1h');
  // The agent's settings come from the same places: flags (set into the environment by
  // `interviewctl agent`), then the environment, then .env.
  let agent: AgentOptions | undefined;
  try {
    agent = agentOptionsFromEnv({ ...file, ...env });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  const agentLogLevel = get('AGENT_LOG_LEVEL') ?? 'info';
  if (!['trace', 'debug', 'info', 'warn', 'error', 'fatal'].includes(agentLogLevel)) problems.push(`AGENT_LOG_LEVEL: ${JSON.stringify(agentLogLevel)} is not one of trace, debug, info, warn, error, fatal`);
  const livekitServerBin = get('LIVEKIT_SERVER_BIN');

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    agent: agent!,
    agentLogLevel,
    livekitServerBin: livekitServerBin === undefined ? undefined : resolve(cwd, livekitServerBin),
    databaseUrl,
    home,
    publicUrl,
    port,
    metricsPort,
    livekit: {
      url: livekitUrl,
      apiKey: apiKey ?? DEV_LIVEKIT.apiKey,
      apiSecret: apiSecret ?? DEV_LIVEKIT.apiSecret,
      agentName,
      explicit: get('LIVEKIT_URL') !== undefined,
    },
    recorder: recorder as Settings['recorder'],
    s3,
    recordingsDir,
    deepgram: { apiKey: get('DEEPGRAM_API_KEY'), baseUrl: get('DEEPGRAM_BASE_URL') },
    llm,
    evaluation: { auto: evaluationMode === 'auto', timeoutMs: evaluationTimeoutMs },
    defaultDurationMs,
    inviteTtlMs,
    joinRateLimit,
    trustProxy: trustProxy as TrustProxy,
    hooks: { retryBaseMs: hooksRetryBaseMs },
    reconcile: { redispatchAfterMs, abortUploadsAfterMs },
  };
}

function readLlm(get: (key: string) => string | undefined, problems: string[]): LlmSettings | undefined {
  const baseUrl = get('LLM_BASE_URL');
  const model = get('LLM_MODEL');
  const timeoutText = get('LLM_TIMEOUT') ?? '2.5s';
  const timeoutMs = parseDuration(timeoutText);
  if (timeoutMs === undefined || timeoutMs <= 0) problems.push(`LLM_TIMEOUT: ${JSON.stringify(timeoutText)} is not a duration (e.g. 2.5s, 3000ms)`);
  if (baseUrl === undefined && model === undefined) return undefined;
  if (baseUrl === undefined || model === undefined) {
    problems.push('LLM_BASE_URL and LLM_MODEL: set both (an OpenAI-compatible endpoint and its model) or neither');
    return undefined;
  }
  if (!isUrl(baseUrl, ['http:', 'https:'])) problems.push(`LLM_BASE_URL: ${JSON.stringify(baseUrl)} is not an http(s) URL`);
  return { baseUrl: baseUrl.replace(/\/+$/, ''), model, apiKey: get('LLM_API_KEY') ?? get('OPENAI_API_KEY'), timeoutMs: timeoutMs ?? 2500 };
}

/** The driver's own reading: it parses the URL with its first host (several may be listed, comma-separated). */
function isDatabaseUrl(text: string): boolean {
  const afterScheme = text.slice(text.indexOf('://') + 3).split(/[?/]/)[0] ?? '';
  const hosts = afterScheme.slice(afterScheme.indexOf('@') + 1);
  try {
    new URL(text.replace(hosts, hosts.split(',')[0]!));
    return true;
  } catch {
    return false;
  }
}

function isUrl(text: string, protocols: string[]): boolean {
  try {
    return protocols.includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

