import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { createWebhookRepo, type StoredWebhook } from '../adapters/db/webhooks.js';
import { createContext, withContext, type GlobalOptions } from '../context.js';
import { parseDuration } from '../core/duration.js';
import { ConflictError, UsageError } from '../core/errors.js';
import { SYNTHETIC_EVENTS, syntheticWebhook, type SyntheticEvent } from '../core/webhook-shapes.js';
import { table } from '../output.js';
import { onShutdown } from '../shutdown.js';
import { replayStored } from '../use-cases/replay-webhooks.js';
import { webhookFacts } from '../use-cases/apply-webhook.js';
import { createWebhookVerifier } from '../adapters/livekit/webhook-verify.js';

/** Deliveries read and applied per transaction by `webhooks replay`. */
const REPLAY_CHUNK = 2000;

function sinceDate(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined) throw new UsageError(`--since: ${JSON.stringify(text)} is not a duration (e.g. 1h, 24h)`);
  return new Date(Date.now() - ms);
}

function checkUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.protocol === 'http:' || u.protocol === 'https:') return url;
  } catch {
    // fall through
  }
  throw new UsageError(`--to: ${JSON.stringify(url)} is not an http(s) URL`);
}

const row = (w: StoredWebhook) => ({
  id: w.id,
  event: w.event,
  interviewId: w.interviewId,
  roomName: w.roomName,
  participant: w.participantIdentity,
  createdAt: w.createdAt,
  receivedAt: w.receivedAt,
  appliedAt: w.appliedAt,
  error: w.error,
});

export async function list(opts: { interview?: string; since?: string; event?: string; limit?: string }, global: GlobalOptions): Promise<number> {
  const since = sinceDate(opts.since);
  const limit = opts.limit === undefined ? 50 : Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit: ${JSON.stringify(opts.limit)} is not a positive number`);
  return withContext(global, async (ctx) => {
    const { interviews } = await ctx.repos();
    const interviewId = opts.interview ? await interviews.resolveId(opts.interview) : undefined;
    const rows = await createWebhookRepo((await ctx.db()).sql).list({ interviewId, since, event: opts.event, limit });
    ctx.out.result(rows.map(row), () =>
      rows.length === 0
        ? 'no webhook deliveries stored'
        : table(
            ['RECEIVED', 'EVENT', 'ID', 'INTERVIEW', 'APPLIED', 'ERROR'],
            rows.map((w) => [w.receivedAt.toISOString(), w.event, w.id, w.interviewId?.slice(0, 8) ?? '-', w.appliedAt ? 'yes' : 'no', w.error ?? '']),
          ),
    );
    return 0;
  });
}

export async function replay(ids: string[], opts: { interview?: string; since?: string; to?: string }, global: GlobalOptions): Promise<number> {
  const selectors = [ids.length > 0, opts.interview !== undefined, opts.since !== undefined].filter(Boolean).length;
  if (selectors !== 1) throw new UsageError('say what to replay: event ids, or --interview ID, or --since 1h (one of them)');
  const since = sinceDate(opts.since);
  const to = opts.to === undefined ? undefined : checkUrl(opts.to);
  return withContext(global, async (ctx) => {
    const { out, settings } = ctx;
    const { sql } = await ctx.db();
    const { interviews } = await ctx.repos();
    const webhooks = createWebhookRepo(sql);
    // The deliveries to replay, in received order, a chunk at a time (never all in memory).
    let chunks: AsyncIterable<StoredWebhook[]>;
    let total: number | undefined;
    if (ids.length > 0) {
      const stored: StoredWebhook[] = [];
      const missing: string[] = [];
      for (const id of ids) {
        const w = await webhooks.get(id);
        if (w) stored.push(w);
        else missing.push(id);
      }
      if (missing.length > 0) out.warn(`no stored delivery with id ${missing.join(', ')}`);
      if (stored.length === 0) {
        out.info('nothing to replay');
        return 4;
      }
      stored.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || (a.id < b.id ? -1 : 1));
      chunks = (async function* () {
        yield stored;
      })();
      total = stored.length;
    } else {
      const filter = { interviewId: opts.interview ? await interviews.resolveId(opts.interview) : undefined, since };
      chunks = webhooks.stream(filter, REPLAY_CHUNK);
      // Counted only to draw the progress bar on a terminal.
      if (process.stderr.isTTY && !out.json && !out.quiet) total = await webhooks.count(filter);
    }
    if (to) {
      const { sendWebhook } = await import('../adapters/livekit/webhook-sender.js');
      let sent = 0;
      let bad = 0;
      for await (const chunk of chunks) {
        for (const w of chunk) {
          const res = await sendWebhook(to, w.body, settings.livekit.apiKey, settings.livekit.apiSecret);
          sent++;
          if (res.status >= 300) bad++;
          out.line({ id: w.id, event: w.event, to, status: res.status }, () => `${w.id}  ${w.event}  → ${res.status}`);
        }
      }
      out.info(sent === 0 ? 'nothing to replay' : `re-sent ${sent} deliveries to ${to} (${bad} not accepted)`);
      return bad > 0 ? 5 : 0;
    }
    const progress = out.progress('replaying', total);
    let done = 0;
    const transaction = <T>(fn: (tx: ReturnType<typeof createWebhookRepo>) => Promise<T>) => sql.begin((tx) => fn(createWebhookRepo(tx as unknown as typeof sql))) as Promise<T>;
    const summary = await replayStored({ transaction, webhooks }, chunks, (outcomes) => {
      done += outcomes.length;
      progress.update(done);
      if (out.json || !out.quiet) out.lines(outcomes, (o) => `${o.id}  ${o.event}  ${o.result}${o.error ? `: ${o.error}` : ''}`);
    });
    progress.done();
    if (done === 0) {
      out.info('nothing to replay');
      return 0;
    }
    out.info(`replayed ${done} deliveries: ${summary.changed} changed something, ${summary.applied - summary.changed} changed nothing, ${summary.failed} failed`);
    return summary.failed > 0 ? new ConflictError('').exitCode : 0;
  });
}

export async function trigger(type: string, opts: { interview: string; to?: string; as?: string }, global: GlobalOptions): Promise<number> {
  if (!(SYNTHETIC_EVENTS as readonly string[]).includes(type)) throw new UsageError(`${JSON.stringify(type)} is not one of ${SYNTHETIC_EVENTS.join(', ')}`);
  const who = opts.as ?? 'candidate';
  if (who !== 'candidate' && who !== 'agent') throw new UsageError('--as must be candidate or agent');
  return withContext(global, async (ctx) => {
    const { out, settings } = ctx;
    const { interviews } = await ctx.repos();
    const id = await interviews.resolveId(opts.interview);
    const to = opts.to === undefined ? `${settings.publicUrl}/webhooks/livekit` : checkUrl(opts.to);
    const event = syntheticWebhook(type as SyntheticEvent, id, who, new Date(), () => randomBytes(9).toString('base64url'));
    const body = JSON.stringify(event);
    const { sendWebhook } = await import('../adapters/livekit/webhook-sender.js');
    const res = await sendWebhook(to, body, settings.livekit.apiKey, settings.livekit.apiSecret);
    out.result({ to, status: res.status, response: res.text, event }, () => `${type} ${event.id} → ${to}: ${res.status} ${res.text}`);
    return res.status >= 200 && res.status < 300 ? 0 : 5;
  });
}

export async function listen(opts: { port?: string }, global: GlobalOptions): Promise<number> {
  const port = Number(opts.port ?? '8081');
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port: ${JSON.stringify(opts.port)} is not a port number`);
  const ctx = createContext(global);
  const { out, settings } = ctx;
  // The same verifier and event reading as serve's receiver, so what listen accepts serve accepts.
  const verify = createWebhookVerifier(settings.livekit.apiKey, settings.livekit.apiSecret);
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const at = new Date().toISOString();
    const reject = (status: number, error: string) => {
      out.line({ at, ok: false, error }, () => `${at}  ✗ rejected: ${error}`);
      res.writeHead(status).end(status === 401 ? 'invalid signature' : 'invalid event');
    };
    try {
      verify(body, req.headers.authorization);
    } catch (err) {
      return reject(401, (err as Error).message);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return reject(400, 'the body is not JSON');
    }
    const ev = webhookFacts(body, parsed);
    if (!ev) return reject(400, 'the body is not a LiveKit event (no id or type, or fields of the wrong kind)');
    out.line({ at, ok: true, event: ev.event, id: ev.id, room: ev.roomName ?? null, participant: ev.participantIdentity ?? null, body: parsed }, () =>
      `${at}  ✓ ${ev.event.padEnd(30)} ${ev.id}  room=${ev.roomName ?? '-'}${ev.participantIdentity ? `  participant=${ev.participantIdentity}` : ''}`,
    );
    res.writeHead(200).end('ok');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  out.info(`listening on http://127.0.0.1:${port}/ for LiveKit webhooks signed with key ${settings.livekit.apiKey}; nothing is applied. Ctrl-C stops.`);
  onShutdown(async () => {
    server.close();
    server.closeAllConnections();
  });
  await new Promise<void>((r) => server.on('close', r));
  return 0;
}
