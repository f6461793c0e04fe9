import { spawnSync } from 'node:child_process';
import { migrationStatus } from '../adapters/db/migrate.js';
import { createLiveKit } from '../adapters/livekit/client.js';
import { createContext, type GlobalOptions } from '../context.js';
import type { Settings } from '../settings.js';
import { table } from '../output.js';

type CheckStatus = 'ok' | 'warn' | 'fail';
interface Check {
  check: string;
  status: CheckStatus;
  detail: string;
  fix: string | null;
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000}s`)), ms).unref())]);

/** RECORDER=egress: an S3 bucket LiveKit can upload to, and a LiveKit project that serves the Egress API. */
async function checkEgress(settings: Settings, add: (check: string, status: CheckStatus, detail: string, fix?: string | null) => void): Promise<void> {
  if (!settings.s3) {
    add('recorder', 'fail', 'RECORDER=egress, but S3_BUCKET is not set: LiveKit Egress uploads to S3 itself and cannot write RECORDINGS_DIR', 'set S3_BUCKET, S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or use RECORDER=agent');
    return;
  }
  if (!settings.s3.accessKeyId) {
    add('recorder storage', 'warn', 'RECORDER=egress without S3_ACCESS_KEY_ID: LiveKit Egress runs on LiveKit\'s machines and gets no credentials from ours', 'set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY');
  }
  const { createEgressApi, createEgressRecorder } = await import('../adapters/livekit/egress.js');
  const egress = createEgressRecorder(createEgressApi(settings.livekit, { requestTimeoutSeconds: 4 }), settings.s3, settings.livekit.url);
  try {
    await withTimeout(egress.probe(), 6000, 'LiveKit Egress');
    add('recorder', 'ok', `RECORDER=egress: LiveKit Egress answers at ${settings.livekit.url}; it records each room to s3://${settings.s3.bucket}`);
  } catch (err) {
    add('recorder', 'fail', `RECORDER=egress: ${(err as Error).message}`, 'use a LiveKit Cloud project (or a server with an egress service), or set RECORDER=agent');
  }
}

/** Which interviewer new interviews get (SPEC section 11), after asking the LLM endpoint whether it answers. */
async function checkInterviewer(settings: Settings, add: (check: string, status: CheckStatus, detail: string, fix?: string | null) => void): Promise<void> {
  const { chooseInterviewerMode, describeInterviewerMode } = await import('../core/interviewer-mode.js');
  let llmUnavailable: string | undefined;
  if (settings.llm) {
    const { probeLlm } = await import('../adapters/llm/probe.js');
    llmUnavailable = await probeLlm(settings.llm);
  }
  const mode = chooseInterviewerMode({ llmModel: settings.llm?.model, speechToText: Boolean(settings.deepgram.apiKey), llmUnavailable });
  const detail = `new interviews run ${describeInterviewerMode(mode)}`;
  if (mode.mode === 'llm') add('interviewer', 'ok', `${detail} at ${settings.llm!.baseUrl}`);
  else if (llmUnavailable) add('interviewer', 'warn', detail, 'check LLM_BASE_URL, LLM_MODEL and LLM_API_KEY; interviews run scripted meanwhile');
  else add('interviewer', settings.llm ? 'warn' : 'ok', detail, settings.llm ? 'set DEEPGRAM_API_KEY so the model can read the answers' : null);
  // Scorecards (SPEC section 12) use the same endpoint; serve's sweep runs them unless EVALUATION=off.
  if (!settings.llm) add('evaluation', 'ok', 'off: no LLM configured (interviews complete with recording and transcript; no scorecards)');
  else if (!settings.evaluation.auto) add('evaluation', 'ok', `EVALUATION=off: run \`interviewctl evaluate --pending\` to score completed interviews with ${settings.llm.model}`);
  else if (llmUnavailable) add('evaluation', 'warn', `serve evaluates completed interviews with ${settings.llm.model}, which does not answer now (${llmUnavailable}); failed runs are retried`, 'check LLM_BASE_URL, LLM_MODEL and LLM_API_KEY');
  else add('evaluation', 'ok', `serve evaluates completed interviews with ${settings.llm.model} (advisory scorecards; a person decides)`);
}

/** Checks every configured service and says what is wrong and how to fix it; exit 6 if something is down. */
/** How long doctor waits for a worker to take its test dispatch. */
const AGENT_PROBE_MS = 10_000;

export async function doctor(global: GlobalOptions): Promise<number> {
  const ctx = createContext(global);
  const { settings, out } = ctx;
  const checks: Check[] = [];
  const add = (check: string, status: CheckStatus, detail: string, fix: string | null = null) => checks.push({ check, status, detail, fix });

  try {
    const db = await withTimeout(ctx.db(), 20_000, 'the database');
    add('database', 'ok', db.where);
    const pending = (await migrationStatus(db.sql)).filter((m) => m.state === 'pending');
    if (pending.length === 0) add('migrations', 'ok', 'up to date');
    else add('migrations', 'fail', `${pending.length} pending (${pending.map((m) => m.name).join(', ')})`, 'run `interviewctl db migrate`');
    if (pending.length === 0) {
      await (await import('./doctor-hooks.js')).checkOutboundHooks(db.sql, add).catch((err) => add('outbound webhooks', 'warn', (err as Error).message));
    }
  } catch (err) {
    add('database', 'fail', (err as Error).message, settings.databaseUrl ? 'check DATABASE_URL and that the server is up' : 'check INTERVIEWCTL_HOME is writable, or set DATABASE_URL');
  }

  const livekit = createLiveKit(settings.livekit, { requestTimeoutSeconds: 4 });
  try {
    await withTimeout(livekit.listRooms(['doctor-probe']), 6000, 'LiveKit');
    // Asked of LiveKit, not read from webhook events (which anyone holding the API secret, or
    // `webhooks trigger`, can write): a throw-away room with a dispatch, that a worker must join.
    const tookMs = await livekit.probeAgentWorker(AGENT_PROBE_MS).catch(() => undefined);
    add(
      'agent worker',
      tookMs !== undefined ? 'ok' : 'warn',
      tookMs !== undefined ? `a worker registered as "${settings.livekit.agentName}" joined a test room in ${tookMs} ms` : `no worker registered as "${settings.livekit.agentName}" joined a test room within ${AGENT_PROBE_MS / 1000} s`,
      tookMs !== undefined ? null : 'start `interviewctl agent` (dev starts it for you) with the same LIVEKIT_URL and LIVEKIT_AGENT_NAME',
    );
    add('livekit', 'ok', `${livekit.host} accepts key ${settings.livekit.apiKey}`);
  } catch (err) {
    const message = (err as Error).message;
    const auth = /401|unauthori[sz]ed|permission|invalid token/i.test(message);
    add(
      'livekit',
      'fail',
      message,
      auth
        ? 'LIVEKIT_API_KEY / LIVEKIT_API_SECRET are not accepted by this server'
        : settings.livekit.explicit
          ? 'check LIVEKIT_URL and that the server is up'
          : 'start one with `interviewctl dev` (after `npm run setup:stack`), or set LIVEKIT_URL',
    );
  }

  try {
    const { openStorage } = await import('../adapters/storage/storage.js');
    const storage = await openStorage(settings);
    const key = 'recordings/.doctor-probe';
    await withTimeout(storage.put(key, `interviewctl doctor ${new Date().toISOString()}\n`, 'text/plain'), 8000, 'storage');
    const size = await storage.size(key);
    if (size === undefined) throw new Error('a probe object written just now cannot be found');
    add('storage', 'ok', `${storage.where} is writable`);
  } catch (err) {
    add('storage', 'fail', (err as Error).message, settings.s3 ? 'check S3_ENDPOINT, S3_BUCKET and the access keys' : 'check RECORDINGS_DIR is writable');
  }

  const health = `${settings.publicUrl}/healthz`;
  try {
    const res = await fetch(health, { signal: AbortSignal.timeout(3000) });
    add('webhook receiver', res.ok ? 'ok' : 'warn', `${health} answered ${res.status}`, res.ok ? null : 'serve is up but unhealthy: see its logs');
  } catch (err) {
    add('webhook receiver', 'warn', `${health}: ${(err as Error).message}`, 'start `interviewctl serve` and point LiveKit webhooks at PUBLIC_URL/webhooks/livekit');
  }

  add('speech', 'ok', settings.deepgram.apiKey ? `Deepgram${settings.deepgram.baseUrl ? ` at ${settings.deepgram.baseUrl}` : ''}` : 'offline voice (espeak-ng); answers kept as audio only (set DEEPGRAM_API_KEY for text)');
  await checkInterviewer(settings, add);
  if (settings.recorder === 'agent' || settings.recorder === 'browser') {
    const ffmpeg = spawnSync('ffmpeg', ['-version'], { encoding: 'utf8' });
    const who = settings.recorder === 'browser' ? "RECORDER=browser: the candidate's page records; the interviewer keeps the audio witness and joins the parts with" : 'agent records with';
    if (ffmpeg.status === 0) add('recorder', 'ok', `${who} ${ffmpeg.stdout.split('\n')[0]}`);
    else add('recorder', 'fail', 'ffmpeg is not installed', 'apt-get install -y ffmpeg (or npm run setup:stack)');
  } else if (settings.recorder === 'off') {
    add('recorder', 'warn', 'RECORDER=off: no recording by configuration; interviews complete with their transcript only', 'set RECORDER=agent (or egress on LiveKit Cloud) to record interviews');
  } else await checkEgress(settings, add);

  await ctx.close();
  const failed = checks.filter((c) => c.status === 'fail');
  out.result(checks, () => {
    const mark = { ok: 'ok', warn: 'warn', fail: 'FAIL' };
    const rows = table(['CHECK', 'STATUS', 'DETAIL'], checks.map((c) => [c.check, mark[c.status], c.detail]));
    const fixes = checks.filter((c) => c.fix).map((c) => `  ${c.check}: ${c.fix}`);
    return fixes.length > 0 ? `${rows}\n\nto fix:\n${fixes.join('\n')}` : rows;
  });
  return failed.length > 0 ? 6 : 0;
}
