import type { Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../adapters/db/connect.js';
import { migrate } from '../adapters/db/migrate.js';
import { createLiveKit } from '../adapters/livekit/client.js';
import { createContext, type GlobalOptions } from '../context.js';
import { UnavailableError } from '../core/errors.js';
import { createHttpServer } from './server.js';
import { createLogger, type Logger } from '../log.js';
import type { Sql } from '../adapters/db/connect.js';
import { createDispatchRepo } from '../adapters/db/dispatches.js';
import { createInterviewRepo } from '../adapters/db/interviews.js';
import { createRecorderStatsRepo } from '../adapters/db/recorder-stats.js';
import { createUtteranceRepo } from '../adapters/db/utterances.js';
import type { Settings } from '../settings.js';
import { recordDisclosures } from '../adapters/db/consents.js';
import { parseDisclosures } from './disclosures.js';
import { packageRoot } from '../paths.js';
import { startMetricsServer } from '../metrics/http.js';
import { serveRegistry, trackLiveInterviews } from '../metrics/serve-metrics.js';

const readWebFile = (name: string) => {
  const file = join(packageRoot(), 'web-lite', 'dist', name);
  return existsSync(file) ? readFileSync(file) : undefined;
};

/** Database connections serve keeps open at most. */
const SERVE_DB_POOL = 20;

export interface ServeOptions {
  port?: string;
  host?: string;
  publicUrl?: string;
}

/**
 * Starts serve (the HTTP server, its metrics, and the reconcile, evaluation and outbound-webhook
 * sweeps) and resolves once it listens; `close` stops it all. `serve` and `dev` both run it.
 */
export async function startServer(opts: ServeOptions, global: GlobalOptions): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const ctx = createContext(global, { port: opts.port, publicUrl: opts.publicUrl });
  const { settings } = ctx;
  const log = createLogger(process.stderr, { svc: 'serve' });
  // A larger pool than the CLI's: a join holds its connection across the LiveKit round-trip, and
  // concurrent webhook commits share WAL flushes only when they run on separate connections.
  const db = await openDatabase(settings, { max: SERVE_DB_POOL, onStatus: (status) => log.info('database', { status }) });
  const applied = await migrate(db.sql);
  if (applied.length > 0) log.info('migrations applied', { count: applied.length });
  const livekit = createLiveKit(settings.livekit);
  // The texts of the disclosures this page shows, kept so every consent names its exact words.
  await recordDisclosures(db.sql, [...parseDisclosures(readWebFile('disclosures.json')).values()]);
  const host = opts.host ?? '0.0.0.0';
  const server = createHttpServer({ sql: db.sql, livekit, settings, log, metrics: settings.metricsPort === undefined });
  trackLiveInterviews(createInterviewRepo(db.sql).countOpenByStatus);
  const metricsServer = settings.metricsPort === undefined ? undefined : await startMetricsServer(serveRegistry, settings.metricsPort, host).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'EADDRINUSE' ? new UnavailableError('http', `METRICS_PORT ${settings.metricsPort} is already in use`) : err;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new UnavailableError('http', `port ${settings.port} is already in use; set PORT or --port`) : err),
    );
    server.listen(settings.port, host, resolve);
  });
  log.info('serving', {
    listen: `${host}:${settings.port}`,
    public_url: settings.publicUrl,
    livekit: livekit.host,
    database: db.embedded ? 'embedded' : 'external',
    agent_name: settings.livekit.agentName,
    metrics: metricsServer ? `${host}:${metricsServer.port}/metrics` : '/metrics',
  });
  const stopSweep = await startPeriodicReconcile(db.sql, settings, log);
  const { startOutboundHooks } = await import('./outbound-hooks.js');
  const stopHooks = await startOutboundHooks(db.sql, settings, log);
  const stopEvaluations = await startEvaluationSweep(db.sql, settings, log);
  const close = async () => {
    stopSweep();
    await stopEvaluations();
    await stopHooks();
    await new Promise<void>((r) => server.close(() => r()));
    await metricsServer?.close();
    server.closeAllConnections?.();
    await db.close();
    await ctx.close();
    log.info('stopped');
  };
  return { server, url: settings.publicUrl, close };
}

/** serve repairs what webhooks missed, every minute, with the same sweep as `reconcile`. */
async function startPeriodicReconcile(sql: Sql, settings: Settings, log: Logger): Promise<() => void> {
  const { reconcileDeps } = await import('../use-cases/reconcile-deps.js');
  const { reconcile } = await import('../use-cases/reconcile.js');
  const deps = await reconcileDeps(createInterviewRepo(sql), settings, { utterances: createUtteranceRepo(sql), dispatches: createDispatchRepo(sql), spool: false, checks: createRecorderStatsRepo(sql) });
  const limits = { redispatchAfterMs: settings.reconcile.redispatchAfterMs, abortUploadsAfterMs: settings.reconcile.abortUploadsAfterMs };
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    reconcile(deps, { dryRun: false, limits }, (o) => log.info('reconciled', { interview: o.id, from: o.status, action: o.action, applied: o.applied, detail: o.detail }))
      .then((s) => {
        if (s.uploadsUnchecked) log.warn('reconcile could not list the uploads left open', { error: s.uploadsUnchecked });
      })
      .catch((err) => log.warn('reconcile sweep failed', { error: (err as Error).message }))
      .finally(() => {
        running = false;
      });
  }, 60_000);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * serve evaluates completed interviews (EVALUATION=auto with an LLM configured): here rather than
 * in the agent, because serve always runs while an agent's job process ends with its interview and
 * its slot is meant for the next candidate; an evaluation (up to a minute per model call, retried
 * with backoff, retried again minutes later) would hold it. The claim in Postgres (a row lock and a
 * lease) keeps it to one run per interview across replicas, and interviews completed by reconcile
 * are picked up too. The first pass runs a few seconds after start.
 */
async function startEvaluationSweep(sql: Sql, settings: Settings, log: Logger): Promise<() => Promise<void>> {
  if (!settings.llm || !settings.evaluation.auto) return async () => {};
  const { evaluateDeps } = await import('../use-cases/evaluate-deps.js');
  const { evaluatePending } = await import('../use-cases/evaluate.js');
  const deps = await evaluateDeps(sql, settings, (m) => log.info('evaluation note', { note: m.replace(/^evaluation of \S+: /, '') }));
  let stopped = false;
  let running: Promise<void> | undefined;
  const pass = () => {
    if (running || stopped) return;
    running = evaluatePending(deps, { force: false, trigger: 'serve', retries: 'due', limit: 20 }, (o) => {
      if (o.outcome === 'error') log.warn('evaluation skipped', { interview: o.id, error: o.error.message });
      else log.info('evaluation', { interview: o.id, outcome: o.outcome, attempts: o.evaluation.attempts, error: o.evaluation.error, next_attempt_at: o.evaluation.nextAttemptAt?.toISOString() ?? null });
    }, () => stopped)
      .catch((err) => log.warn('evaluation sweep failed', { error: (err as Error).message }))
      .finally(() => {
        running = undefined;
      });
  };
  const first = setTimeout(pass, 3000);
  const timer = setInterval(pass, 30_000);
  first.unref();
  timer.unref();
  log.info('evaluating completed interviews', { model: settings.llm.model, every_s: 30 });
  return async () => {
    stopped = true;
    clearTimeout(first);
    clearInterval(timer);
    // A run in flight finishes its model call or is taken over after its lease.
    await Promise.race([running, new Promise((r) => setTimeout(r, 2000))]);
  };
}
