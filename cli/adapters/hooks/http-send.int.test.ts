// The webhook HTTP client against real local receivers: timeouts, private addresses, bounded reads.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { createHookHttp, signedHeaders } from './http-send.js';

const servers: Server[] = [];
async function serve(handler: Parameters<typeof createServer>[0]): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const s = createServer((req, res) => {
    hits++;
    handler!(req, res);
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/h`, hits: () => hits };
}
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
const msg = () => ({ id: 'evt_test', timestamp: new Date(), body: '{"id":"evt_test"}', secrets: [secret] });

describe('hook HTTP client', () => {
  it('gives up on a receiver that does not answer in time', async () => {
    const rx = await serve((_req, res) => void setTimeout(() => res.writeHead(200).end(), 3000).unref());
    const http = createHookHttp({ timeoutMs: 300 });
    const out = await http.post(rx.url, msg(), true);
    http.close();
    expect(out).toMatchObject({ status: null, error: 'no answer within 0.3s' });
  });

  it('refuses a loopback address unless allowed, without connecting', async () => {
    const rx = await serve((_req, res) => void res.writeHead(204).end());
    const http = createHookHttp();
    const refused = await http.post(rx.url, msg(), false);
    expect(refused.status).toBeNull();
    expect(refused.error).toMatch(/loopback or private address/);
    expect(rx.hits()).toBe(0);
    const byName = await http.post(rx.url.replace('127.0.0.1', 'localhost'), msg(), false);
    expect(byName.error).toMatch(/localhost resolves to .*loopback or private/);
    expect(rx.hits()).toBe(0);
    expect((await http.post(rx.url, msg(), true)).status).toBe(204);
    http.close();
  });

  it('reads at most 64 KiB of an answer and reports a 3xx as not followed', async () => {
    const big = await serve((_req, res) => {
      res.writeHead(500);
      res.end(Buffer.alloc(5 * 1024 * 1024, 'y'));
    });
    const moved = await serve((_req, res) => void res.writeHead(307, { location: 'http://example.com/' }).end());
    const http = createHookHttp();
    const a = await http.post(big.url, msg(), true);
    expect(a.status).toBe(500);
    expect(a.error).toMatch(/over 64 KiB, dropped/);
    const b = await http.post(moved.url, msg(), true);
    expect(b).toMatchObject({ status: 307, error: 'HTTP 307: redirect to http://example.com/ not followed' });
    http.close();
  });

  it('signs with every valid secret, each verifiable on its own', () => {
    const other = `whsec_${Buffer.from('fedcba9876543210fedcba9876543210').toString('base64')}`;
    const m = { ...msg(), secrets: [secret, other] };
    const h = signedHeaders(m);
    expect(h['webhook-signature']!.split(' ')).toHaveLength(2);
    for (const s of [secret, other]) expect(new Webhook(s).verify(m.body, h)).toEqual({ id: 'evt_test' });
    expect(() => new Webhook(`whsec_${Buffer.from('x'.repeat(32)).toString('base64')}`).verify(m.body, h)).toThrow();
  });
});
