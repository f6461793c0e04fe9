import { createHmac, timingSafeEqual } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { BIN } from './paths.js';

export interface Received {
  webhookId: string;
  timestamp: number;
  type: string;
  interviewId: string | null;
  body: Record<string, unknown>;
  raw: string;
  headers: IncomingMessage['headers'];
  at: number;
  /** The status this receiver answered (set once answered). */
  status?: number;
}

/**
 * A second, independent check of the Standard Webhooks scheme (node:crypto, written from the
 * spec: HMAC-SHA256 over `id.timestamp.body` with the base64 key after `whsec_`), so the test does
 * not only agree with the library that signed.
 */
export function verifyBySpec(secret: string, headers: IncomingMessage['headers'], raw: string): boolean {
  const id = String(headers['webhook-id'] ?? '');
  const ts = String(headers['webhook-timestamp'] ?? '');
  const sigs = String(headers['webhook-signature'] ?? '').split(' ');
  if (!id || !/^\d+$/.test(ts) || Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${raw}`).digest();
  return sigs.some((s) => {
    const [v, b64] = s.split(',');
    if (v !== 'v1' || !b64) return false;
    const got = Buffer.from(b64, 'base64');
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
}

/**
 * A real HTTP receiver on loopback that verifies every delivery with the `standardwebhooks`
 * library (the receiver's side of it) and by the spec, and records what it accepted. `respond`
 * decides each answer (default 204); it may hold a request open by never resolving.
 */
export async function startHookReceiver(initialSecret?: string) {
  let secret = initialSecret ?? '';
  let wh = initialSecret ? new Webhook(initialSecret) : undefined;
  const received: Received[] = [];
  const rejected: string[] = [];
  /** Every request's path, verified or not (a followed redirect would show here). */
  const paths: string[] = [];
  let respond: (r: Received, res: ServerResponse) => Promise<void> | void = (_r, res) => void res.writeHead(204).end();
  const server: Server = createServer((req, res) => {
    paths.push(req.url ?? '');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown>;
      try {
        if (!wh) throw new Error('no secret yet');
        body = wh.verify(raw, req.headers as Record<string, string>) as Record<string, unknown>;
        if (!verifyBySpec(secret, req.headers, raw)) throw new Error('spec check failed');
      } catch (err) {
        rejected.push((err as Error).message);
        res.writeHead(401).end();
        return;
      }
      const data = body.data as Record<string, unknown>;
      const r: Received = {
        webhookId: String(req.headers['webhook-id']),
        timestamp: Number(req.headers['webhook-timestamp']),
        type: String(body.type),
        interviewId: (data?.interview_id as string | undefined) ?? null,
        body,
        raw,
        headers: req.headers,
        at: Date.now(),
      };
      const writeHead = res.writeHead.bind(res);
      res.writeHead = ((status: number, ...rest: unknown[]) => {
        r.status = status;
        return (writeHead as (...a: unknown[]) => ServerResponse)(status, ...rest);
      }) as typeof res.writeHead;
      received.push(r);
      void Promise.resolve(respond(r, res)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    received,
    rejected,
    paths,
    setSecret(s: string) {
      secret = s;
      wh = new Webhook(s);
    },
    setResponder(fn: typeof respond) {
      respond = fn;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** `interviewctl serve` as a child process, resolved once it logs that it serves. */
export async function startServe(env: Record<string, string>, cwd: string): Promise<{ child: ChildProcess; stderr: () => string; stop(signal?: NodeJS.Signals): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--host', '127.0.0.1'], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1', TZ: 'UTC', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${stderr}`)), 45_000);
    const check = () => {
      if (stderr.includes('"msg":"serving"')) {
        clearTimeout(timer);
        child.stderr!.off('data', check);
        resolve();
      }
    };
    child.stderr!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code}:\n${stderr}`));
    });
  });
  child.removeAllListeners('exit');
  return {
    child,
    stderr: () => stderr,
    stop: (signal = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

/** Polls until `check` holds (or throws after `timeoutMs`, saying what it waited for). */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 40_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
