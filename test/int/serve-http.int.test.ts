import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../cli/adapters/db/connect.js';
import { createInterviewRepo } from '../../cli/adapters/db/interviews.js';
import { createLiveKit, type LiveKit } from '../../cli/adapters/livekit/client.js';
import { signWebhook } from '../../cli/adapters/livekit/webhook-sender.js';
import { newInterviewId } from '../../cli/core/ids.js';
import { syntheticWebhook } from '../../cli/core/webhook-shapes.js';
import { createHttpServer, type ServerDeps } from '../../cli/server/server.js';
import { createLogger } from '../../cli/log.js';
import { loadSettings } from '../../cli/settings.js';
import { makeNewInterview } from './helpers/builders.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { joinBody } from '../stack/disclosure.mjs';

// serve's HTTP contract (SPEC section 4) against real Postgres: limits, refusals, headers, the rate
// limit behind a proxy, slow and unsigned webhook bodies, and joins whose client or time ran out.
// LiveKit is not running here: its address answers nothing, and where a join needs a dispatch the
// test holds our own adapter's startSession to make it slow.

let db: TestDatabase;
let web: string;
const lines: Record<string, unknown>[] = [];
const servers: Server[] = [];
const KEY = 'devkey';
const SECRET = 'test-secret-at-least-32-characters-long';

beforeAll(async () => {
  db = await createTestDatabase({ migrate: true });
  web = mkdtempSync(join(tmpdir(), 'ictl-web-'));
  mkdirSync(join(web, 'sub'));
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>page</title>');
  writeFileSync(join(web, 'app.js'), 'console.log(1)');
  writeFileSync(join(web, 'app.js.map'), '{"sources":["secret.ts"]}');
  // The disclosure versions the built page shows: joins must name one (issue 12's consent record).
  copyFileSync(join('web-lite', 'dist', 'disclosures.json'), join(web, 'disclosures.json'));
});
afterAll(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await db?.drop();
  rmSync(web, { recursive: true, force: true });
});

const log = createLogger(
  new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).trim().split('\n')) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  }),
);

async function start(env: Record<string, string> = {}, over: Partial<ServerDeps> & { startSession?: LiveKit['startSession']; sql?: Sql } = {}) {
  const settings = loadSettings({}, { LIVEKIT_URL: 'ws://127.0.0.1:9', LIVEKIT_API_KEY: KEY, LIVEKIT_API_SECRET: SECRET, PUBLIC_URL: 'http://interview.test', ...env }, tmpdir());
  const real = createLiveKit(settings.livekit, { requestTimeoutSeconds: 1 });
  const livekit = over.startSession ? { ...real, startSession: over.startSession } : real;
  const server = createHttpServer({ sql: over.sql ?? db.sql, livekit, settings, log, webDir: web, ...over });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, port };
}

const join_ = (base: string, id: string, body: unknown = joinBody(), headers: Record<string, string> = {}) =>
  fetch(`${base}/api/interviews/${id}/join`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

async function created(): Promise<string> {
  const row = makeNewInterview();
  await createInterviewRepo(db.sql).insertMany([row]);
  return row.id;
}
const statusOf = async (id: string) => (await db.sql<{ status: string }[]>`select status from interviews where id = ${id}`)[0]!.status;

/** Sends raw bytes; resolves with what came back and whether the server closed the socket. */
function raw(port: number, head: string, opts: { body?: string; trickle?: { every: number; max: number } } = {}) {
  return new Promise<{ text: string; closedAfterMs: number }>((resolve) => {
    const t0 = performance.now();
    const sock = connect(port, '127.0.0.1');
    let text = '';
    let timer: NodeJS.Timeout | undefined;
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => (text += d));
    sock.on('error', () => {});
    sock.on('close', () => {
      clearInterval(timer);
      resolve({ text, closedAfterMs: performance.now() - t0 });
    });
    sock.write(head);
    if (opts.body) sock.write(opts.body);
    if (opts.trickle) {
      let sent = 0;
      timer = setInterval(() => {
        if (sent++ >= opts.trickle!.max) return sock.destroy();
        sock.write('x');
      }, opts.trickle.every);
    }
  });
}

describe('serve: bodies, types and origins', () => {
  let base: string;
  beforeAll(async () => ({ url: base } = await start()));

  it('415 for a join that is not JSON, 400 for bad JSON, a non-object or no consent, 413 past 64 KiB', async () => {
    const id = await created();
    const r415 = await join_(base, id, 'consent=true', { 'content-type': 'text/plain' });
    expect([r415.status, (await r415.json()).error]).toEqual([415, 'unsupported_media_type']);
    expect((await join_(base, id, '{"consent":')).status).toBe(400);
    expect(await (await join_(base, id, '[true]')).json()).toMatchObject({ error: 'invalid_body' });
    expect(await (await join_(base, id, {})).json()).toMatchObject({ error: 'consent_required' });
    const big = await join_(base, id, JSON.stringify({ ...joinBody(), pad: 'x'.repeat(70 * 1024) }));
    expect([big.status, (await big.json()).error]).toEqual([413, 'payload_too_large']);
    expect(await statusOf(id)).toBe('created');
  });

  it('403 for a join from another site, with no CORS headers', async () => {
    const id = await created();
    const r = await join_(base, id, joinBody(), { origin: 'https://evil.example' });
    expect(r.status).toBe(403);
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
    expect(await statusOf(id)).toBe('created');
  });

  it('the page carries its security headers; assets are exact names only: no traversal, no index.html, no source maps', async () => {
    const page = await fetch(`${base}/interview/${newInterviewId()}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await fetch(`${base}/assets/app.js`)).status).toBe(200);
    for (const path of ['/assets/index.html', '/assets/app.js.map', '/assets/../package.json', '/assets/%2e%2e/%2e%2e/package.json', '/assets/..%2fpackage.json', '/assets/sub']) {
      expect(`${path} ${(await fetch(`${base}${path}`)).status}`).toBe(`${path} 404`);
    }
  });
});

describe('serve: the join rate limit', () => {
  it('429 with Retry-After once a client address is over the limit', async () => {
    const { url } = await start({ JOIN_RATE_LIMIT: '3/1m' });
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      const r = await join_(url, newInterviewId());
      statuses.push(r.status);
      if (r.status === 429) expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(statuses).toEqual([404, 404, 404, 429, 429]);
  });

  it('behind a proxy (TRUST_PROXY=1) it keys on the address the proxy saw, not on what the client wrote', async () => {
    const { url } = await start({ JOIN_RATE_LIMIT: '3/1m', TRUST_PROXY: '1' });
    const spoofed = [];
    for (let i = 0; i < 6; i++) spoofed.push((await join_(url, newInterviewId(), joinBody(), { 'x-forwarded-for': `10.9.${i}.1, 203.0.113.7` })).status);
    expect(spoofed.filter((s) => s === 429)).toHaveLength(3);
    // Another client behind the same proxy has its own budget.
    expect((await join_(url, newInterviewId(), joinBody(), { 'x-forwarded-for': '203.0.113.8' })).status).toBe(404);
  });

  it('without TRUST_PROXY the header is ignored: one socket address, one budget', async () => {
    const { url } = await start({ JOIN_RATE_LIMIT: '3/1m' });
    const s = [];
    for (let i = 0; i < 5; i++) s.push((await join_(url, newInterviewId(), joinBody(), { 'x-forwarded-for': `198.51.100.${i}` })).status);
    expect(s).toEqual([404, 404, 404, 429, 429]);
  });
});

describe('serve: webhooks', () => {
  it('refuses a missing or malformed Authorization before reading the body, and closes the connection', async () => {
    const { port } = await start();
    // The body is announced but never sent: an answer can only come before reading it.
    const head = (auth: string) =>
      `POST /webhooks/livekit HTTP/1.1\r\nhost: x\r\ncontent-type: application/webhook+json\r\ncontent-length: 60000\r\n${auth}\r\n`;
    for (const auth of ['', 'authorization: Bearer nonsense\r\n', 'authorization: a.b\r\n']) {
      const r = await raw(port, head(auth));
      expect(r.text).toMatch(/^HTTP\/1\.1 401/);
      expect(r.text).toMatch(/connection: close/i);
    }
  });

  it('413 for a signed event over 64 KiB (nothing stored); 400 for a signed one with NUL in its id', async () => {
    const { url } = await start();
    const id = await created();
    const event = syntheticWebhook('participant_left', id, 'candidate', new Date(), () => Math.random().toString(36).slice(2));
    const big = JSON.stringify({ ...event, pad: 'x'.repeat(100 * 1024) });
    const r = await fetch(`${url}/webhooks/livekit`, { method: 'POST', headers: { 'content-type': 'application/webhook+json', authorization: await signWebhook(big, KEY, SECRET) }, body: big });
    expect(r.status).toBe(413);
    const nul = JSON.stringify({ ...event, id: 'EV_\u0000x' });
    const n = await fetch(`${url}/webhooks/livekit`, { method: 'POST', headers: { 'content-type': 'application/webhook+json', authorization: await signWebhook(nul, KEY, SECRET) }, body: nul });
    expect([n.status, (await n.json()).error]).toEqual([400, 'invalid_event']);
    const [{ n: stored }] = await db.sql<{ n: number }[]>`select count(*)::int as n from webhook_events where interview_id = ${id}`;
    expect(stored).toBe(0);
  });

  it('cuts off bodies trickled a byte at a time (20 sockets, bounded to 30 s)', async () => {
    const { port } = await start({}, { limits: { requestTimeoutMs: 1500, headersTimeoutMs: 1000, checkEveryMs: 250 } });
    const { signWebhook: sign } = await import('../../cli/adapters/livekit/webhook-sender.js');
    const auth = await sign('{}', KEY, SECRET);
    const head = `POST /webhooks/livekit HTTP/1.1\r\nhost: x\r\ncontent-type: application/webhook+json\r\nauthorization: ${auth}\r\ncontent-length: 1000\r\n\r\n`;
    // 200 bytes at one per 150 ms would take 30 s; the server must close each well before that.
    const results = await Promise.all(Array.from({ length: 20 }, () => raw(port, head, { trickle: { every: 150, max: 200 } })));
    for (const r of results) {
      expect(r.closedAfterMs).toBeLessThan(25_000);
      expect(r.text === '' || /^HTTP\/1\.1 408/.test(r.text)).toBe(true);
    }
  }, 40_000);
});

describe('serve: health and a lost database', () => {
  it('/healthz and a join answer 503 (not 500) when the database is gone', async () => {
    const dead = postgres({ host: '/nonexistent/ictl-test', port: 5432, max: 2, connect_timeout: 2, onnotice: () => {} }) as unknown as Sql;
    const { url } = await start({}, { sql: dead });
    const h = await fetch(`${url}/healthz`);
    expect([h.status, await h.json()]).toEqual([503, { ok: false, db: false, livekit: false }]);
    const j = await join_(url, newInterviewId());
    expect([j.status, (await j.json()).error]).toEqual([503, 'database_unavailable']);
    await dead.end({ timeout: 1 });
  });
});

describe('serve: a join whose request is gone never commits', () => {
  /** A startSession held until released, as a LiveKit that answers slowly. */
  function slowLiveKit() {
    const held: (() => void)[] = [];
    let n = 0;
    return {
      startSession: async () => {
        n++;
        await new Promise<void>((r) => held.push(r));
        return `AD_${n}`;
      },
      release: () => held.splice(0).forEach((r) => r()),
      calls: () => n,
    };
  }

  it('past its deadline the join is answered 503; the link stays created and the retry wins', async () => {
    const lk = slowLiveKit();
    const { url } = await start({}, { startSession: lk.startSession, joinDeadlineMs: 800 });
    const id = await created();
    const first = await join_(url, id);
    expect([first.status, (await first.json()).error]).toEqual([503, 'join_timeout']);
    lk.release();
    await new Promise((r) => setTimeout(r, 200));
    expect(await statusOf(id)).toBe('created');
    const retry = join_(url, id);
    while (lk.calls() < 2) await new Promise((r) => setTimeout(r, 20));
    lk.release();
    const ok = await retry;
    expect(ok.status).toBe(200);
    expect((await ok.json()).resumeKey).toEqual(expect.any(String));
    expect(await statusOf(id)).toBe('used');
  });

  it('a client that hangs up while its dispatch is under way leaves the link created, logged once at warn', async () => {
    const lk = slowLiveKit();
    const { url } = await start({}, { startSession: lk.startSession });
    const id = await created();
    const before = lines.length;
    const abort = new AbortController();
    const aborted = fetch(`${url}/api/interviews/${id}/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(joinBody()), signal: abort.signal }).catch(() => 'aborted');
    while (lk.calls() < 1) await new Promise((r) => setTimeout(r, 20));
    abort.abort();
    expect(await aborted).toBe('aborted');
    await new Promise((r) => setTimeout(r, 200));
    lk.release();
    const until = performance.now() + 10_000;
    while (!lines.slice(before).some((l) => l.msg === 'client went away') && performance.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(await statusOf(id)).toBe('created');
    const mine = lines.slice(before);
    expect(mine.filter((l) => l.msg === 'client went away').map((l) => l.level)).toEqual(['warn']);
    expect(mine.filter((l) => l.level === 'error')).toEqual([]);
  });
});
