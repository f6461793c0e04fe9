import { randomBytes } from 'node:crypto';
import { createHookRepo, type DeliveryRow, type EndpointHealth, type HookEndpoint, type HookRepo } from '../adapters/db/hooks.js';
import { withContext, type Context, type GlobalOptions } from '../context.js';
import { parseDuration } from '../core/duration.js';
import { ConflictError, NotFoundError, UsageError } from '../core/errors.js';
import { hookBody, hookUrlProblem, parseEventList, pingData } from '../core/hook-events.js';
import { table } from '../output.js';

const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;
const newEndpointId = () => `ep_${randomBytes(9).toString('base64url')}`;

function durationOption(flag: string, text: string | undefined, fallback: string): number {
  const ms = parseDuration(text ?? fallback);
  if (ms === undefined || ms <= 0) throw new UsageError(`${flag}: ${JSON.stringify(text)} is not a duration (e.g. 1h, 24h)`);
  return ms;
}

function limitOption(text: string | undefined): number {
  const n = text === undefined ? 50 : Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--limit: ${JSON.stringify(text)} is not a positive number`);
  return n;
}

/** An endpoint as printed: never its secrets. */
const publicEndpoint = (e: HookEndpoint) => ({
  id: e.id,
  url: e.url,
  description: e.description,
  events: e.events ?? '*',
  allowPrivate: e.allowPrivate,
  disabledAt: e.disabledAt,
  disabledReason: e.disabledReason,
  rotatingUntil: e.previousSecret && e.previousUntil && e.previousUntil > new Date() ? e.previousUntil : null,
  createdAt: e.createdAt,
});

const publicDelivery = (d: DeliveryRow) => ({ ...d });

async function repoOf(ctx: Context): Promise<HookRepo> {
  return createHookRepo((await ctx.db()).sql);
}

async function oneEndpoint(repo: HookRepo, idOrUrl: string): Promise<HookEndpoint> {
  const found = await repo.findEndpoint(idOrUrl);
  if (found.length === 0) throw new NotFoundError(`no webhook endpoint ${JSON.stringify(idOrUrl)} (see \`interviewctl hooks list\`)`);
  if (found.length > 1) throw new UsageError(`${found.length} endpoints have the URL ${idOrUrl}: name one by id (${found.map((e) => e.id).join(', ')})`);
  return found[0]!;
}

/** Refuses a URL that reaches loopback or private addresses now, unless allowed. */
async function guardUrl(url: string, allowPrivate: boolean): Promise<void> {
  const problem = hookUrlProblem(url);
  if (problem) throw new UsageError(`URL: ${problem}`);
  if (allowPrivate) return;
  const { privateAddressOf } = await import('../adapters/hooks/address-guard.js');
  const host = new URL(url).hostname;
  let address: string | undefined;
  try {
    address = await privateAddressOf(host);
  } catch (err) {
    throw new UsageError(`URL: the host ${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (address) {
    const what = address === host ? `${host} is a loopback or private address` : `${host} resolves to ${address}, a loopback or private address`;
    throw new UsageError(`URL: ${what}; add --allow-private if that is meant (a receiver on this machine or your network)`);
  }
}

export async function add(url: string, opts: { events?: string; description?: string; allowPrivate?: boolean }, global: GlobalOptions): Promise<number> {
  let events;
  try {
    events = parseEventList(opts.events);
  } catch (err) {
    throw new UsageError(`--events: ${(err as Error).message}`);
  }
  await guardUrl(url, Boolean(opts.allowPrivate));
  return withContext(global, async (ctx) => {
    const secret = newSecret();
    const e = await (await repoOf(ctx)).addEndpoint({ id: newEndpointId(), url, description: opts.description ?? '', events: events ?? null, secret, allowPrivate: Boolean(opts.allowPrivate) });
    ctx.out.result({ ...publicEndpoint(e), secret }, () =>
      [
        `added ${e.id} → ${e.url} (${e.events ? e.events.join(', ') : 'every event'})`,
        `signing secret (shown once; keep it in your receiver): ${secret}`,
        `verify with any Standard Webhooks library; try it: interviewctl hooks test ${e.id}`,
      ].join('\n'),
    );
    return 0;
  });
}

const stateOf = (h: EndpointHealth) => (h.endpoint.disabledAt ? 'disabled' : h.retrying > 0 ? 'failing' : 'ok');

export async function list(global: GlobalOptions): Promise<number> {
  return withContext(global, async (ctx) => {
    const rows = await (await repoOf(ctx)).health();
    ctx.out.result(
      rows.map((h) => ({ ...publicEndpoint(h.endpoint), state: stateOf(h), pending: h.pending, retrying: h.retrying, failed: h.failed, oldestPendingAt: h.oldestPendingAt, lastDeliveredAt: h.lastDeliveredAt, lastError: h.lastError })),
      () =>
        rows.length === 0
          ? 'no webhook endpoints (add one: interviewctl hooks add https://…)'
          : table(
              ['ID', 'URL', 'EVENTS', 'STATE', 'PENDING', 'FAILED', 'LAST DELIVERED'],
              rows.map((h) => [h.endpoint.id, h.endpoint.url, h.endpoint.events?.join(',') ?? '*', stateOf(h) + (h.endpoint.disabledReason ? ` (${h.endpoint.disabledReason})` : ''), String(h.pending), String(h.failed), h.lastDeliveredAt?.toISOString() ?? '-']),
            ),
    );
    return 0;
  });
}

export async function remove(idOrUrl: string, global: GlobalOptions): Promise<number> {
  return withContext(global, async (ctx) => {
    const repo = await repoOf(ctx);
    const e = await oneEndpoint(repo, idOrUrl);
    const { deliveries } = await repo.removeEndpoint(e.id);
    ctx.out.result({ id: e.id, url: e.url, removed: true, pendingDropped: deliveries }, () => `removed ${e.id} (${e.url})${deliveries > 0 ? `; ${deliveries} pending deliveries dropped` : ''}`);
    return 0;
  });
}

export async function enable(idOrUrl: string, global: GlobalOptions): Promise<number> {
  return withContext(global, async (ctx) => {
    const repo = await repoOf(ctx);
    const e = await oneEndpoint(repo, idOrUrl);
    await repo.enableEndpoint(e.id);
    ctx.out.result({ id: e.id, enabled: true }, () => `enabled ${e.id}; its pending deliveries go out now (serve, or \`interviewctl hooks send\`)`);
    return 0;
  });
}

export async function rotateSecret(idOrUrl: string, opts: { keepOld?: string }, global: GlobalOptions): Promise<number> {
  const keepMs = durationOption('--keep-old', opts.keepOld, '24h');
  return withContext(global, async (ctx) => {
    const repo = await repoOf(ctx);
    const e = await oneEndpoint(repo, idOrUrl);
    const secret = newSecret();
    const until = new Date(Date.now() + keepMs);
    await repo.rotateSecret(e.id, secret, until);
    ctx.out.result({ id: e.id, secret, previousValidUntil: until }, () =>
      [`new signing secret for ${e.id} (shown once): ${secret}`, `until ${until.toISOString()} every delivery carries two signatures, one with the old secret, one with this one: switch your receiver over before then`].join('\n'),
    );
    return 0;
  });
}

export async function deliveries(opts: { endpoint?: string; failed?: boolean; interview?: string; limit?: string }, global: GlobalOptions): Promise<number> {
  const limit = limitOption(opts.limit);
  return withContext(global, async (ctx) => {
    const repo = await repoOf(ctx);
    const endpointId = opts.endpoint ? (await oneEndpoint(repo, opts.endpoint)).id : undefined;
    const interviewId = opts.interview ? await (await ctx.repos()).interviews.resolveId(opts.interview) : undefined;
    const rows = await repo.deliveries({ endpointId, interviewId, failed: opts.failed, limit });
    ctx.out.result(rows.map(publicDelivery), () =>
      rows.length === 0
        ? 'no deliveries'
        : table(
            ['ID', 'CREATED', 'EVENT', 'WEBHOOK-ID', 'INTERVIEW', 'ENDPOINT', 'STATE', 'TRIES', 'LAST'],
            rows.map((d) => [String(d.id), d.createdAt.toISOString(), d.type, d.eventId, d.interviewId?.slice(0, 8) ?? '-', d.endpointId, d.state === 'pending' && d.attempts > 0 ? `retry ${d.nextAttemptAt.toISOString().slice(11, 19)}` : d.state, String(d.attempts), d.lastError ?? (d.lastStatus ? `HTTP ${d.lastStatus}` : '')]),
          ),
    );
    return 0;
  });
}

export async function resend(ids: string[], opts: { since?: string; interview?: string; endpoint?: string }, global: GlobalOptions): Promise<number> {
  const selectors = [ids.length > 0, opts.since !== undefined, opts.interview !== undefined].filter(Boolean).length;
  if (selectors !== 1) throw new UsageError('say what to resend: delivery ids, or --since 1h, or --interview ID (one of them)');
  const numbers = ids.map((id) => {
    if (!/^\d+$/.test(id)) throw new UsageError(`${JSON.stringify(id)} is not a delivery id (a number, see \`interviewctl hooks deliveries\`)`);
    return Number(id);
  });
  const since = opts.since === undefined ? undefined : new Date(Date.now() - durationOption('--since', opts.since, '1h'));
  return withContext(global, async (ctx) => {
    const repo = await repoOf(ctx);
    const endpointId = opts.endpoint ? (await oneEndpoint(repo, opts.endpoint)).id : undefined;
    const interviewId = opts.interview ? await (await ctx.repos()).interviews.resolveId(opts.interview) : undefined;
    const queued = await repo.resend(numbers.length > 0 ? { ids: numbers } : { filter: { since, interviewId, endpointId, limit: undefined } });
    const missing = numbers.filter((n) => !queued.some((d) => d.id === n));
    ctx.out.result(queued.map(publicDelivery), () =>
      queued.length === 0 ? 'nothing to resend' : `${queued.length} ${queued.length === 1 ? 'delivery' : 'deliveries'} queued again under the same webhook-id; serve sends them now (or run \`interviewctl hooks send\`)`,
    );
    if (missing.length > 0) throw new NotFoundError(`no delivery ${missing.join(', ')}`);
    return 0;
  });
}

export async function test(target: string, opts: { secret?: string; allowPrivate?: boolean }, global: GlobalOptions): Promise<number> {
  return withContext(global, async (ctx) => {
    const repo = await repoOf(ctx);
    const found = /^https?:/i.test(target) ? (await repo.findEndpoint(target))[0] : await oneEndpoint(repo, target);
    const url = found?.url ?? target;
    const allowPrivate = Boolean(opts.allowPrivate) || Boolean(found?.allowPrivate);
    const problem = hookUrlProblem(url);
    if (problem) throw new UsageError(`URL: ${problem}`);
    let secret = opts.secret ?? found?.secret;
    let generated = false;
    if (!secret) {
      secret = newSecret();
      generated = true;
    }
    if (!/^whsec_[A-Za-z0-9+/=]+$/.test(secret)) throw new UsageError('--secret: expected a whsec_… secret (base64 after the prefix)');
    const { createHookHttp } = await import('../adapters/hooks/http-send.js');
    const http = createHookHttp();
    const id = `evt_${randomBytes(16).toString('hex')}`;
    const body = JSON.stringify(hookBody({ id, type: 'ping', createdAt: new Date(), data: pingData(found?.id ?? null) }));
    const secrets = found && found.previousSecret && found.previousUntil && found.previousUntil > new Date() && !opts.secret ? [secret, found.previousSecret] : [secret];
    const outcome = await http.post(url, { id, timestamp: new Date(), body, secrets }, allowPrivate);
    http.close();
    const ok = outcome.status !== null && outcome.status >= 200 && outcome.status < 300;
    ctx.out.result({ url, webhookId: id, status: outcome.status, ok, ms: outcome.ms, error: outcome.error, secret: generated ? secret : undefined }, () =>
      ok ? [`ping delivered to ${url}: HTTP ${outcome.status} in ${outcome.ms} ms`, generated ? `signed with a throwaway secret: ${secret}` : ''].filter(Boolean).join('\n') : '',
    );
    if (!ok) throw new ConflictError(`the receiver did not accept the ping (${outcome.error})`, 'hook_test_failed');
    return 0;
  });
}

export async function send(global: GlobalOptions): Promise<number> {
  return withContext(global, async (ctx) => {
    const { sendAllDue } = await import('../use-cases/send-hooks.js');
    const { createHookHttp } = await import('../adapters/hooks/http-send.js');
    const { openStorage } = await import('../adapters/storage/storage.js');
    let storage: ReturnType<typeof openStorage> | undefined;
    const http = createHookHttp();
    try {
      const summary = await sendAllDue({
        repo: await repoOf(ctx),
        http,
        presign: async (key, s) => (await (storage ??= openStorage(ctx.settings))).presign(key, s),
        retryBaseMs: ctx.settings.hooks.retryBaseMs,
        onAttempt: (d, o, r) => {
          if (r.state !== 'delivered') ctx.out.warn(`${d.event.type} ${d.event.id} → ${d.endpoint.url}: ${o.error}${r.state === 'failed' ? ' (gave up)' : r.disableEndpoint ? ' (endpoint disabled)' : ''}`);
        },
      });
      ctx.out.result(summary, () => (summary.claimed === 0 ? 'nothing due' : `${summary.delivered} delivered, ${summary.retrying} to retry later, ${summary.failed} given up`));
      return summary.retrying + summary.failed > 0 ? 5 : 0;
    } finally {
      http.close();
    }
  });
}
