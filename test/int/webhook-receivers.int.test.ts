import { createHash, createHmac } from 'node:crypto';
import { connect, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../cli/adapters/livekit/webhook-sender.js';
import { startCli } from './helpers/cli.js';
import { useCliWorkspace } from './helpers/workspace.js';

// `serve` and `webhooks listen` side by side: the same deliveries, the same answers. They used to
// check signatures with different code (listen with the SDK's WebhookReceiver), and disagreed on
// the cases marked below.

const KEY = 'APIsidebyside';
const SECRET = 'a-secret-of-at-least-thirty-two-characters-ok';
const ws = useCliWorkspace('webhook-receivers', { LIVEKIT_API_KEY: KEY, LIVEKIT_API_SECRET: SECRET, LIVEKIT_URL: 'ws://127.0.0.1:9' });

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

async function untilListening(port: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1', () => (c.destroy(), resolve(true)));
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on ${port}`);
}

const hash = (b: string) => createHash('sha256').update(b).digest('base64');
/** A token made by hand, for shapes the SDK will not mint. */
function handMade(alg: 'HS256' | 'HS512', claims: object): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${enc({ alg })}.${enc(claims)}`;
  return `${input}.${createHmac(alg === 'HS256' ? 'sha256' : 'sha512', SECRET).update(input).digest('base64url')}`;
}
const now = () => Math.floor(Date.now() / 1000);
const event = JSON.stringify({ event: 'room_started', id: 'EV_sidebyside1', createdAt: String(now()), room: { name: 'interview-AAAAAAAAAAAAAAAAAAAAAA' } });

let servePort = 0;
let listenPort = 0;
let serve: ReturnType<typeof startCli>;
let listen: ReturnType<typeof startCli>;

beforeAll(async () => {
  [servePort, listenPort] = [await freePort(), await freePort()];
  const env = { ...ws.db.env, INTERVIEWCTL_HOME: ws.scratch.dir, LIVEKIT_API_KEY: KEY, LIVEKIT_API_SECRET: SECRET, LIVEKIT_URL: 'ws://127.0.0.1:9' };
  serve = startCli(['serve', '--port', String(servePort)], { env, cwd: ws.scratch.dir, timeoutMs: 120_000 });
  listen = startCli(['webhooks', 'listen', '--port', String(listenPort), '--json'], { env, cwd: ws.scratch.dir, timeoutMs: 120_000 });
  await Promise.all([untilListening(servePort), untilListening(listenPort)]);
});

afterAll(async () => {
  serve?.signal('SIGTERM');
  listen?.signal('SIGTERM');
  await Promise.all([serve?.done, listen?.done]);
});

async function post(port: number, path: string, body: string, authorization?: string): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/webhook+json' };
  if (authorization !== undefined) headers.authorization = authorization;
  return (await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers, body })).status;
}

const bothAnswer = async (body: string, authorization?: string) => ({
  serve: await post(servePort, '/webhooks/livekit', body, authorization),
  listen: await post(listenPort, '/', body, authorization),
});

describe('serve and webhooks listen on the same deliveries', () => {
  it('both take a delivery signed as LiveKit signs it', async () => {
    expect(await bothAnswer(event, await signWebhook(event, KEY, SECRET))).toEqual({ serve: 200, listen: 200 });
  });

  it('both refuse a missing signature and one with another secret', async () => {
    expect(await bothAnswer(event)).toEqual({ serve: 401, listen: 401 });
    expect(await bothAnswer(event, await signWebhook(event, KEY, `${SECRET}-other`))).toEqual({ serve: 401, listen: 401 });
  });

  it('both refuse an HS512 token (listen took it before)', async () => {
    expect(await bothAnswer(event, handMade('HS512', { iss: KEY, exp: now() + 60, sha256: hash(event) }))).toEqual({ serve: 401, listen: 401 });
  });

  it('both refuse an iat that is not a number (serve took it before)', async () => {
    const body = event.replace('EV_sidebyside1', 'EV_sidebyside2');
    expect(await bothAnswer(body, handMade('HS256', { iss: KEY, exp: now() + 60, iat: 'yesterday', sha256: hash(body) }))).toEqual({ serve: 401, listen: 401 });
  });

  it('both answer 400 to a validly signed body that is not a LiveKit event (listen said 401, or took it)', async () => {
    expect(await bothAnswer('not json', await signWebhook('not json', KEY, SECRET))).toEqual({ serve: 400, listen: 400 });
    const notEvent = JSON.stringify({ hello: 'world' });
    expect(await bothAnswer(notEvent, await signWebhook(notEvent, KEY, SECRET))).toEqual({ serve: 400, listen: 400 });
  });

  it('listen prints what it took and why it refused the rest', async () => {
    listen.signal('SIGTERM');
    const { stdout } = await listen.done;
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { ok: boolean; event?: string; id?: string; room?: string; error?: string });
    expect(lines.filter((l) => l.ok)).toEqual([expect.objectContaining({ event: 'room_started', id: 'EV_sidebyside1', room: 'interview-AAAAAAAAAAAAAAAAAAAAAA' })]);
    expect(lines.filter((l) => !l.ok).map((l) => l.error)).toEqual([
      'authorization header is empty',
      'signature verification failed',
      'token is not signed with HS256',
      '"iat" claim must be a number',
      'the body is not JSON',
      'the body is not a LiveKit event (no id or type, or fields of the wrong kind)',
    ]);
  });
});
