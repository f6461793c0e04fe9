import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createInterviewRepo } from '../adapters/db/interviews.js';
import { openDatabase, type Database } from '../adapters/db/connect.js';
import { migrate } from '../adapters/db/migrate.js';
import { createRecorderStatsRepo } from '../adapters/db/recorder-stats.js';
import { createUtteranceRepo } from '../adapters/db/utterances.js';
import { openStorage } from '../adapters/storage/storage.js';
import { createContext, type GlobalOptions } from '../context.js';
import type { Settings } from '../settings.js';
import { ConfigError, UnavailableError } from '../core/errors.js';
import { createLogger, frameworkLogSink, type Logger } from '../log.js';
import { FULL_LOAD, hasRoomFor, interviewLoad, mayStartWarmProcess } from '../core/capacity.js';
import type { AgentMetricsServer } from '../metrics/agent-metrics-relay.js';
import { AGENT_ENV } from '../../agent/options.js';
import { speechModeOf } from '../../agent/speech/speech-mode.js';
import { chooseInterviewerMode, describeInterviewerMode, type InterviewerMode } from '../core/interviewer-mode.js';

/** An accepted job that has not shown up as running within this long is not counted any more. */
const ACCEPT_WINDOW_MS = 30_000;

export interface AgentCommandOptions {
  candidateWait?: string;
  grace?: string;
  silence?: string;
  turnDetector?: string;
}

export interface RunningAgent {
  /** Resolves when the worker has registered with LiveKit. */
  registered: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the interviewer worker: registered under LIVEKIT_AGENT_NAME, it takes jobs only by
 * explicit dispatch (serve's join dispatches it) and runs each interview in a job process.
 * The agents framework and plugins are imported here only, so `--help` never loads them.
 */
export async function startAgentWorker(global: GlobalOptions, opts: AgentCommandOptions = {}, log: Logger = createLogger(process.stderr, { svc: 'agent' })): Promise<RunningAgent> {
  // Job processes are forked from this one and read their tunables from the environment.
  if (opts.candidateWait) process.env[AGENT_ENV.candidateWait] = opts.candidateWait;
  if (opts.grace) process.env[AGENT_ENV.grace] = opts.grace;
  if (opts.silence) process.env[AGENT_ENV.silence] = opts.silence;
  if (opts.turnDetector) process.env[AGENT_ENV.turnDetector] = opts.turnDetector;
  const ctx = createContext(global);
  const { settings } = ctx;
  const options = settings.agent;
  (await import('../../agent/vad-binding.js')).assertVadBinding();
  await checkRecorder(settings, log);

  // Service notes (the embedded database starting) go to the log, in its format, not as text.
  const onStatus = (status: string) => log.info('database', { status });
  const db = await openDatabase(settings, { onStatus });
  const applied = await migrate(db.sql);
  if (applied.length > 0) log.info('migrations applied', { count: applied.length });
  await db.close();
  // Recordings left by job processes that died (with a previous run of this worker, or while it
  // runs) or kept when storage failed: stored now, then looked for every AGENT_SPOOL_RETRY (1m). A spool whose
  // recorder still runs is locked and left alone.
  const { recoverSpool } = await import('../../agent/recover-spool.js');
  const { checkPartialRecording } = await import('../../agent/recording/recover-parts.js');
  const spoolDir = join(settings.home, 'spool');
  let sweeping = false;
  const sweepSpool = async () => {
    if (sweeping || !existsSync(spoolDir) || readdirSync(spoolDir).length === 0) return;
    sweeping = true;
    let sweepDb: Database | undefined;
    try {
      sweepDb = await openDatabase(settings, { onStatus });
      const storage = await openStorage(settings);
      const interviews = createInterviewRepo(sweepDb.sql);
      const utterances = createUtteranceRepo(sweepDb.sql);
      // A dead job's witness may come after serve's sweep made the page's parts its partial recording.
      const parts = { storage, interviews, utterances, workDir: join(settings.home, 'reconcile-parts'), actor: 'agent', checks: createRecorderStatsRepo(sweepDb.sql) };
      const compareWitness = async (id: string) => checkPartialRecording(parts, await interviews.get(id));
      await recoverSpool({ spoolDir, storage, interviews, utterances, log, compareWitness });
    } catch (err) {
      log.error('spool recovery failed; retrying in a minute', { error: (err as Error).message });
    } finally {
      sweeping = false;
      await sweepDb?.close().catch(() => {});
    }
  };
  await sweepSpool();
  const spoolTimer = setInterval(() => void sweepSpool(), options.spoolRetryMs);
  spoolTimer.unref();

  // Before the framework forks job processes: they find the metrics server through the environment.
  const metrics = await startWorkerMetrics(options.metricsPort, log);

  const agents = await import('@livekit/agents');
  // agents-js logs to whatever process.stdout is when its logger is made. Its lines belong on
  // stderr (stdout carries results only, e.g. `dev` prints the demo link there), in our format.
  const stdout = Object.getOwnPropertyDescriptor(process, 'stdout');
  const sink = frameworkLogSink(process.stderr, { svc: 'agent' });
  Object.defineProperty(process, 'stdout', { configurable: true, get: () => sink });
  try {
    agents.initializeLogger({ pretty: false, level: settings.agentLogLevel });
  } finally {
    if (stdout) Object.defineProperty(process, 'stdout', stdout);
  }
  const entry = fileURLToPath(new URL('../../agent/entry.js', import.meta.url));
  // Jobs accepted but not yet running in a process (job id → when), counted against capacity.
  const accepted = new Map<string, number>();
  const inFlight = (running: { job: { id: string } }[]) => {
    const ids = new Set(running.map((j) => j.job.id));
    for (const [id, at] of accepted) if (ids.has(id) || Date.now() - at > ACCEPT_WINDOW_MS) accepted.delete(id);
    return ids.size + accepted.size;
  };
  holdWarmProcessesBack(options.maxInterviews);
  const server = new agents.AgentServer(
    new agents.ServerOptions({
      agent: entry,
      agentName: settings.livekit.agentName,
      wsURL: settings.livekit.url,
      apiKey: settings.livekit.apiKey,
      apiSecret: settings.livekit.apiSecret,
      // Production mode refuses jobs above 70 % CPU, which two cores reach with recording on.
      production: false,
      numIdleProcesses: options.idleProcesses,
      // Capacity is counted in interviews, not CPU (a busy 2-core box passes any CPU threshold
      // and nothing would be dispatched): the load is the share of AGENT_MAX_INTERVIEWS in use,
      // scaled so that it reaches LiveKit's target load (0.7, past which a node drops the job)
      // only when the worker is full (capacity.ts). Offers arriving between two load reports
      // (every 2.5 s) are refused once running plus accepted jobs fill the worker, and LiveKit
      // offers them to another worker.
      loadFunc: async (worker: { activeJobs: { job: { id: string } }[] }) => interviewLoad(inFlight(worker.activeJobs), options.maxInterviews),
      loadThreshold: FULL_LOAD,
      requestFunc: async (req: { id: string; accept(): Promise<void>; reject(): Promise<void> }) => {
        if (!hasRoomFor(inFlight(server.activeJobs), options.maxInterviews)) {
          log.info('job refused: the worker is full', { job: req.id, max_interviews: options.maxInterviews });
          return req.reject();
        }
        accepted.set(req.id, Date.now());
        return req.accept();
      },
      // Loading Silero under load can take a while; a job must not fail for that.
      initializeProcessTimeout: 60_000,
      host: '127.0.0.1',
      port: 0,
      logLevel: settings.agentLogLevel,
    }),
  );
  const registered = new Promise<void>((resolve) => server.event.once('worker_registered', () => resolve()));
  const running = server.run().catch((err: unknown) => {
    log.error('agent worker stopped on an error', { error: (err as Error)?.message ?? String(err) });
    throw new UnavailableError('livekit', `the agent worker could not stay connected to ${settings.livekit.url}: ${(err as Error)?.message ?? err}`, { cause: err });
  });
  const interviewer = interviewerAtStart(settings, log);
  void registered.then(async () =>
    log.info('agent worker registered', {
      interviewer: describeInterviewerMode(await interviewer),
      agent_name: settings.livekit.agentName,
      livekit: settings.livekit.url,
      speech: speechModeOf(settings),
      storage: settings.s3 ? 's3' : 'local',
      recorder: settings.recorder,
      candidate_wait_ms: options.candidateWaitMs,
      reconnect_grace_ms: options.graceMs,
      end_of_turn_silence_ms: options.endOfTurnSilenceMs,
      turn_detector: options.turnDetector,
      max_interviews: options.maxInterviews,
      idle_processes: options.idleProcesses,
      metrics: metrics ? `0.0.0.0:${metrics.port}/metrics` : 'off',
    }),
  );
  let stopped = false;
  return {
    registered: Promise.race([registered, running.then(() => {})]),
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(spoolTimer);
      // Drain: report full so LiveKit sends no new job, let running interviews finish, then close.
      const running = server.activeJobs.length;
      if (running > 0) log.info('agent worker draining', { running_interviews: running });
      await server.drain().catch((err: unknown) => log.warn('draining the agent worker failed', { error: (err as Error)?.message ?? String(err) }));
      await server.close().catch(() => {});
      await metrics?.close();
      log.info('agent worker stopped');
    },
  };
}

/**
 * The worker's /metrics (see agent-metrics-relay.ts for why not on the framework's health port).
 * A port already taken costs the metrics, not the interviews: a warning says so.
 */
async function startWorkerMetrics(port: number | undefined, log: Logger): Promise<AgentMetricsServer | undefined> {
  if (port === undefined) return undefined;
  const { startAgentMetricsServer } = await import('../metrics/agent-metrics-relay.js');
  try {
    // All interfaces, like serve: Prometheus scrapes from elsewhere. The job reports need the token.
    return await startAgentMetricsServer(port, '0.0.0.0');
  } catch (err) {
    log.warn('agent metrics not served: AGENT_METRICS_PORT is in use; set another port, 0 for any, or off', { port, error: (err as Error).message });
    return undefined;
  }
}

/**
 * What RECORDER needs before any interview is taken: ffmpeg for the agent's own recorder; an S3
 * bucket for LiveKit Egress (it uploads the file itself and cannot reach a local folder). A
 * server without an egress service is only warned about here: each interview then fails with
 * `recorder_failed`, saying so, and `doctor` says it too.
 */
/**
 * The interviewer new interviews get, decided once at start (each interview decides again at its
 * own start and records it). An LLM endpoint that does not answer is logged here, once: the
 * interviews then run scripted instead of failing.
 */
async function interviewerAtStart(settings: Settings, log: Logger): Promise<InterviewerMode> {
  let llmUnavailable: string | undefined;
  if (settings.llm) {
    const { probeLlm } = await import('../adapters/llm/probe.js');
    llmUnavailable = await probeLlm(settings.llm);
    if (llmUnavailable) log.warn('LLM unavailable; interviews run scripted until it answers', { error: llmUnavailable });
  }
  return chooseInterviewerMode({ llmModel: settings.llm?.model, speechToText: Boolean(settings.deepgram.apiKey), llmUnavailable });
}

async function checkRecorder(settings: Settings, log: Logger): Promise<void> {
  if (settings.recorder === 'agent' || settings.recorder === 'browser') {
    const ffmpeg = spawnSync('ffmpeg', ['-hide_banner', '-version'], { encoding: 'utf8' });
    if (ffmpeg.status !== 0) throw new ConfigError([`ffmpeg: not found on PATH; RECORDER=${settings.recorder} needs it (Debian: apt-get install -y ffmpeg), or set RECORDER=egress or RECORDER=off`]);
    if (settings.recorder === 'browser') log.info("RECORDER=browser: the candidate's page records and uploads through serve; the interviewer keeps an audio witness", { recorder: 'browser' });
    return;
  }
  if (settings.recorder === 'off') {
    log.warn('RECORDER=off: interviews are not recorded; each completes with its transcript only', { recorder: 'off' });
    return;
  }
  if (!settings.s3) {
    throw new ConfigError([
      'RECORDER=egress: LiveKit Egress uploads the recording to S3 itself and cannot write RECORDINGS_DIR; set S3_BUCKET (with S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY as your storage needs), or use RECORDER=agent',
    ]);
  }
  const { createEgressApi, createEgressRecorder } = await import('../adapters/livekit/egress.js');
  const egress = createEgressRecorder(createEgressApi(settings.livekit, { requestTimeoutSeconds: 5 }), settings.s3, settings.livekit.url);
  try {
    await egress.probe();
    log.info('RECORDER=egress: LiveKit Egress answers; it records each interview to S3', { recorder: 'egress', bucket: settings.s3.bucket });
  } catch (err) {
    log.warn('RECORDER=egress, but LiveKit Egress does not answer; interviews will fail with recorder_failed', { recorder: 'egress', error: (err as Error).message });
  }
}

/**
 * agents-js starts a warm job process the moment a job takes one; patches/@livekit+agents+1.9.0.patch
 * lets its pool wait on this hook first, and this waits while the worker is full
 * (mayStartWarmProcess: the replacements would only take CPU from the interviews starting).
 */
function holdWarmProcessesBack(maxInterviews: number): void {
  (globalThis as { __interviewctlWarmProcessGate?: unknown }).__interviewctlWarmProcessGate = async (pool: { processes: { runningJob?: unknown }[] }, signal: AbortSignal) => {
    for (;;) {
      const running = pool.processes.filter((p) => p.runningJob).length;
      if (signal.aborted || mayStartWarmProcess(running, pool.processes.length - running, maxInterviews)) return;
      await new Promise((resolve) => setTimeout(resolve, 250).unref());
    }
  };
}
