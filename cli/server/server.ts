import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { isConnectionError, pingDatabase, type Sql } from '../adapters/db/connect.js';
import { explainDatabaseError } from '../adapters/db/errors.js';
import { createInterviewRepo } from '../adapters/db/interviews.js';
import { createIntegrityRepo } from '../adapters/db/reviews.js';
import { createSessionRepo } from '../adapters/db/sessions.js';
import { createWebhookRepo, type WebhookRepo } from '../adapters/db/webhooks.js';
import type { LiveKit } from '../adapters/livekit/client.js';
import { createWebhookVerifier } from '../adapters/livekit/webhook-verify.js';
import { UnavailableError } from '../core/errors.js';
import { isInterviewId } from '../core/ids.js';
import { packageRoot } from '../paths.js';
import type { Settings } from '../settings.js';
import { receiveAlone, receiveDeliveries, webhookFacts } from '../use-cases/apply-webhook.js';
import { createCandidateApi } from './candidate-api.js';
import { createRecordingApi } from './recording-api.js';
import { openStorage, type ObjectStorage } from '../adapters/storage/storage.js';
import { clientAddress, HttpError, isClientGone, JSON_LIMIT, pageHeaders, readBody, sendError, sendJson, staticHeaders } from './http-utils.js';
import type { Logger } from '../log.js';
import { joinMetrics, observeJoin, serveRegistry, webhookEventLabel, webhookMetrics } from '../metrics/serve-metrics.js';
import { sendMetrics } from '../metrics/http.js';
import { createRateLimiter } from './rate-limit.js';
import { loadStaticFiles } from './static-files.js';
import { parseDisclosures } from './disclosures.js';
import { createWebhookBatcher } from './webhook-batches.js';

export interface ServerDeps {
  sql: Sql;
  livekit: LiveKit;
  settings: Settings;
  log: Logger;
  webDir?: string;
  /** Overrides of HTTP_LIMITS (tests use short timeouts). */
  limits?: Partial<typeof HTTP_LIMITS>;
  /** Overrides of the join's deadline (see cli/core/join-timing.ts). */
  joinDeadlineMs?: number;
  /** Answer Prometheus scrapes on /metrics here (false when METRICS_PORT gives them a port of their own). */
  metrics?: boolean;
}

/** SPEC section 4 holds every JSON body to 64 KiB, webhooks included (LiveKit's events are ~1-3 KiB). */
const WEBHOOK_LIMIT = JSON_LIMIT;

/**
 * What one client may hold of serve: the headers within 10 s, the whole request within 15 s (a
 * body trickled a byte at a time is cut off, 408), idle keep-alive sockets closed after 5 s, and
 * at most this many sockets open at once (new ones are refused beyond it).
 */
export const HTTP_LIMITS = { headersTimeoutMs: 10_000, requestTimeoutMs: 15_000, keepAliveTimeoutMs: 5_000, maxConnections: 2_000, checkEveryMs: 1_000 };

/** A LiveKit webhook's Authorization is a compact JWT of a few hundred bytes. */
const AUTHORIZATION_SHAPE = /^[A-Za-z0-9_-]{2,1024}\.[A-Za-z0-9_-]{2,4096}\.[A-Za-z0-9_-]{2,1024}$/;

/** A JSON string holding \u0000 (an escape not itself escaped): Postgres text cannot store it. */
const JSON_NUL = /(?:^|[^\\])(?:\\\\)*\\u0000/;

/** The HTTP surface of SPEC.md section 4: candidate page, candidate API, LiveKit webhooks, health. */
export function createHttpServer(deps: ServerDeps): Server {
  const { sql, livekit, settings, log } = deps;
  const interviews = createInterviewRepo(sql);
  const sessions = createSessionRepo(sql);
  const webhooks = createWebhookRepo(sql);
  const web = loadStaticFiles(deps.webDir ?? join(packageRoot(), 'web-lite', 'dist'));
  const api = createCandidateApi({
    interviews,
    sessions,
    livekit,
    log,
    integrity: createIntegrityRepo(sql),
    joinDeadlineMs: deps.joinDeadlineMs,
    disclosures: parseDisclosures(web.assets.get('disclosures.json')?.body),
    pageRecords: settings.recorder === 'browser',
  });
  let storage: Promise<ObjectStorage> | undefined;
  const recording =
    settings.recorder === 'browser'
      ? createRecordingApi({
          interviews,
          log,
          storage: () => {
            storage ??= openStorage(settings);
            storage.catch(() => (storage = undefined));
            return storage;
          },
        })
      : undefined;
  const limits = { ...HTTP_LIMITS, ...deps.limits };
  // sql.begin, not a reserved connection with BEGIN pipelined (one round-trip less): when a reserved
  // connection dies mid-transaction postgres.js 3.4 throws outside any promise and serve would crash.
  const inTransaction = <T>(fn: (tx: WebhookRepo) => Promise<T>): Promise<T> =>
    sql.begin((t) => fn(createWebhookRepo(t as unknown as Sql))) as Promise<T>;
  const batcher = createWebhookBatcher({
    receiveBatch: (fs) => inTransaction((tx) => receiveDeliveries(tx, fs)),
    receiveAlone: (f) => receiveAlone(webhooks, inTransaction, f),
    // Leaves most of serve's pool to joins, which hold a connection across the LiveKit round-trip.
    slots: 8,
    maxBatch: 64,
  });
  const verifyWebhook = createWebhookVerifier(settings.livekit.apiKey, settings.livekit.apiSecret);
  if (!web.index) log.warn('candidate page not built; run npm run build', { dir: deps.webDir ?? 'web-lite/dist' });
  const limiter = createRateLimiter(settings.joinRateLimit.limit, settings.joinRateLimit.windowMs);
  const livekitOrigins = [new URL(livekit.url).origin.replace(/^http/, 'ws'), new URL(livekit.host).origin];
  const page = pageHeaders([...new Set(livekitOrigins.map((o) => o.replace(/\/$/, '')))]);
  const publicOrigin = new URL(settings.publicUrl).origin;

  // No CORS: a browser request from another origin is refused outright.
  const checkOrigin = (req: IncomingMessage) => {
    const origin = req.headers.origin;
    if (origin === undefined) return;
    const host = req.headers.host;
    if (origin === publicOrigin || (host && (origin === `http://${host}` || origin === `https://${host}`))) return;
    throw new HttpError(403, 'forbidden_origin', 'requests from other sites are not accepted');
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://x').pathname;
    } catch {
      throw new HttpError(400, 'bad_request', 'malformed request path');
    }
    const segments = path.split('/').filter((s) => s !== '');

    if (segments[0] === 'api' && segments[1] === 'interviews' && segments[3] === 'recording' && segments.length >= 5) {
      const id = segments[2]!;
      if (!isInterviewId(id)) throw new HttpError(404, 'not_found', 'no interview at this link');
      if (!recording) throw new HttpError(404, 'not_found', 'this server does not take recordings from the page (RECORDER is not browser)');
      checkOrigin(req);
      if (segments[4] === 'start' && segments.length === 5 && method === 'POST') return recording.start(req, res, id);
      if (segments[4] === 'complete' && segments.length === 5 && method === 'POST') return recording.complete(req, res, id);
      if (segments[4] === 'parts' && segments.length === 7 && method === 'PUT') return recording.part(req, res, id, segments[5]!, segments[6]!);
      throw new HttpError(405, 'method_not_allowed', `${method} is not allowed here`);
    }

    if (segments[0] === 'api' && segments[1] === 'interviews' && segments.length >= 3 && segments.length <= 4) {
      const id = segments[2]!;
      const action = segments[3];
      if (!isInterviewId(id)) throw new HttpError(404, 'not_found', 'no interview at this link');
      if (action === undefined && (method === 'GET' || method === 'HEAD')) return api.status(res, id);
      if (method !== 'POST' || (action !== 'join' && action !== 'end' && action !== 'integrity')) throw new HttpError(405, 'method_not_allowed', `${method} is not allowed here`);
      checkOrigin(req);
      if (action === 'join') {
        const wait = limiter.hit(clientAddress(req, settings.trustProxy));
        if (wait > 0) {
          log.warn('join rate limited', { retry_after: wait });
          joinMetrics.total.inc({ outcome: 'rate_limited' });
          return sendError(res, new HttpError(429, 'rate_limited', 'too many attempts; wait a moment and try again'), { 'retry-after': String(wait) });
        }
        const started = performance.now();
        try {
          const { outcome, livekitMs } = await api.join(req, res, id);
          joinMetrics.total.inc({ outcome });
          if (outcome === 'joined') observeJoin(performance.now() - started, livekitMs ?? 0);
        } catch (err) {
          const service = (err as { service?: string }).service ?? (isConnectionError(err) ? 'database' : undefined);
          joinMetrics.total.inc({ outcome: err instanceof HttpError ? err.code : service ? `${service}_unavailable` : 'error' });
          throw err;
        }
        return;
      }
      if (action === 'integrity') return api.integrity(req, res, id);
      return api.end(req, res, id);
    }

    if (path === '/webhooks/livekit') {
      if (method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'POST webhooks here');
      // Before a byte of the body is read: a request that cannot be LiveKit's is refused at once,
      // and the connection closed rather than drained.
      if (!AUTHORIZATION_SHAPE.test(req.headers.authorization ?? '')) {
        res.setHeader('connection', 'close');
        webhookMetrics.total.inc({ event: 'unknown', outcome: 'rejected' });
        throw new HttpError(401, 'invalid_signature', 'webhook signature missing or malformed');
      }
      const body = await readBody(req, WEBHOOK_LIMIT).catch((err: unknown) => {
        if (err instanceof HttpError) res.setHeader('connection', 'close');
        throw err;
      });
      const receivedAt = performance.now();
      try {
        verifyWebhook(body, req.headers.authorization);
      } catch (err) {
        webhookMetrics.total.inc({ event: 'unknown', outcome: 'rejected' });
        log.warn('webhook rejected', { reason: (err as Error).message?.slice(0, 120) });
        throw new HttpError(401, 'invalid_signature', 'webhook signature missing, forged, stale or not matching the body');
      }
      if (body.includes('\0') || JSON_NUL.test(body)) throw new HttpError(400, 'invalid_event', 'the event holds a NUL character, which cannot be stored');
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        throw new HttpError(400, 'invalid_event', 'the body is not JSON');
      }
      const facts = webhookFacts(body, parsed);
      if (!facts) {
        webhookMetrics.total.inc({ event: 'unknown', outcome: 'invalid' });
        throw new HttpError(400, 'invalid_event', 'the body is not a LiveKit event (no id or type, or fields of the wrong kind)');
      }
      if (facts.createdAt) webhookMetrics.ingestLag.observe(Math.max(0, Date.now() - facts.createdAt.getTime()) / 1000);
      const outcome = await batcher.receive(facts).catch((err: unknown) => {
        webhookMetrics.total.inc({ event: webhookEventLabel(facts.event), outcome: 'failed' });
        throw err;
      });
      webhookMetrics.applyLag.observe((performance.now() - receivedAt) / 1000);
      webhookMetrics.total.inc({ event: webhookEventLabel(facts.event), outcome: outcome.duplicate ? 'duplicate' : 'applied' });
      log.info('webhook', { event: facts.event, event_id: facts.id, duplicate: outcome.duplicate, result: outcome.result });
      return sendJson(res, 200, { ok: true, duplicate: outcome.duplicate });
    }

    if (path === '/metrics' && deps.metrics !== false && (method === 'GET' || method === 'HEAD')) return sendMetrics(serveRegistry, res);

    if (path === '/healthz' && (method === 'GET' || method === 'HEAD')) {
      const db = await pingDatabase(sql, 2000);
      const lk = await livekit.listRooms(['healthz-probe']).then(() => true, () => false);
      return sendJson(res, db ? 200 : 503, { ok: db && lk, db, livekit: lk });
    }

    if (segments[0] === 'interview' && (method === 'GET' || method === 'HEAD')) {
      if (!web.index) throw new HttpError(503, 'page_not_built', 'the candidate page is not built; run npm run build');
      // Any /interview/… path gets the page; the page asks the API, which answers 404 for a bad id.
      const status = segments.length === 2 && isInterviewId(segments[1]!) ? 200 : 404;
      res.writeHead(status, { ...page, 'content-type': web.index.type, 'cache-control': 'no-store' });
      res.end(method === 'HEAD' ? undefined : web.index.body);
      return;
    }

    if (segments[0] === 'assets' && (method === 'GET' || method === 'HEAD')) {
      const name = segments.slice(1).join('/');
      // The page itself only at /interview/<id>, with its headers; source maps are not published.
      const file = name === 'index.html' || name.endsWith('.map') ? undefined : web.assets.get(name);
      if (!file || segments.length < 2) throw new HttpError(404, 'not_found', 'no such file');
      res.writeHead(200, { ...staticHeaders(), 'content-type': file.type, 'cache-control': 'public, max-age=300' });
      res.end(method === 'HEAD' ? undefined : file.body);
      return;
    }

    throw new HttpError(404, 'not_found', 'nothing here');
  }

  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.checkEveryMs,
    },
    (req, res) => {
    const started = performance.now();
    route(req, res)
      .catch((err) => {
        if (isClientGone(req, res, err)) {
          log.warn('client went away', { method: req.method, path: req.url?.split('?')[0]?.slice(0, 80) });
          return;
        }
        if (err instanceof HttpError) {
          if (err.status >= 400 && err.status !== 404 && err.status !== 409 && err.status !== 410) {
            log.warn('request refused', { method: req.method, status: err.status, code: err.code });
          }
          return sendError(res, err);
        }
        const service = (err as { service?: string }).service ?? (isConnectionError(err) || explainDatabaseError(err) instanceof UnavailableError ? 'database' : undefined);
        if (service) {
          log.error('service unavailable', { service, error: (err as Error).message });
          return sendError(res, new HttpError(503, `${service}_unavailable`, `the ${service} service is unavailable; try again shortly`));
        }
        log.error('request failed', { method: req.method, error: (err as Error)?.message ?? String(err) });
        return sendError(res, new HttpError(500, 'internal', 'something went wrong on our side'));
      })
      .finally(() => {
        if (res.headersSent && performance.now() - started > 1000) log.warn('slow request', { ms: Math.round(performance.now() - started) });
      });
    },
  );
  server.maxConnections = limits.maxConnections;
  return server;
}
