import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { RESPONSE_READ_LIMIT, SEND_TIMEOUT_MS } from '../../core/hook-events.js';
import { guardedLookup, isPrivateAddress, PrivateAddressError } from './address-guard.js';

/** What one attempt got back. `status` null: no HTTP answer (refused, timed out, reset, guarded). */
export interface SendOutcome {
  status: number | null;
  /** A short reason for anything but a 2xx, safe to store and print (no body beyond a snippet). */
  error: string | null;
  ms: number;
}

export interface SignedMessage {
  id: string;
  timestamp: Date;
  body: string;
  /** Every secret currently valid (two during a rotation): one `v1,` signature each. */
  secrets: readonly string[];
}

/**
 * The Standard Webhooks headers for a message, signed with the `standardwebhooks` package; during
 * a rotation `webhook-signature` carries one signature per secret, space-separated, and a
 * receiver accepts the message when any of them matches its secret.
 */
export function signedHeaders(m: SignedMessage, signers: Map<string, Webhook> = new Map()): Record<string, string> {
  const signatures = m.secrets.map((secret) => {
    let w = signers.get(secret);
    if (!w) signers.set(secret, (w = new Webhook(secret)));
    return w.sign(m.id, m.timestamp, m.body);
  });
  return {
    'webhook-id': m.id,
    'webhook-timestamp': String(Math.floor(m.timestamp.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}

const printable = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim().slice(0, 160);

/**
 * Sends webhooks over keep-alive connections: one POST, the 10 s budget covering connect to the
 * last byte read, redirects never followed (node:http does not follow them), at most 64 KiB of
 * the answer read and the rest dropped with the connection, private addresses refused on every
 * connection unless allowed.
 */
export function createHookHttp(opts: { timeoutMs?: number; maxSockets?: number; userAgent?: string } = {}) {
  const timeoutMs = opts.timeoutMs ?? SEND_TIMEOUT_MS;
  const agentOpts = { keepAlive: true, maxSockets: opts.maxSockets ?? 64, timeout: timeoutMs };
  const agents = { http: new HttpAgent(agentOpts), https: new HttpsAgent(agentOpts), httpPrivate: new HttpAgent(agentOpts), httpsPrivate: new HttpsAgent(agentOpts) };
  const signers = new Map<string, Webhook>();
  const userAgent = opts.userAgent ?? 'interviewctl-webhooks/1';

  function post(url: string, m: SignedMessage, allowPrivate: boolean): Promise<SendOutcome> {
    const started = performance.now();
    const done = (status: number | null, error: string | null): SendOutcome => ({ status, error, ms: Math.round(performance.now() - started) });
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return Promise.resolve(done(null, 'not a URL'));
    }
    const https = u.protocol === 'https:';
    const host = u.hostname.replace(/^\[|\]$/g, '');
    // An IP literal is connected to without a lookup, so it is checked here.
    if (!allowPrivate && isIP(host) && isPrivateAddress(host)) return Promise.resolve(done(null, new PrivateAddressError(host, host).message));
    const body = Buffer.from(m.body);
    const headers = { ...signedHeaders(m, signers), 'content-type': 'application/json', 'content-length': String(body.length), 'user-agent': userAgent };
    const agent = https ? (allowPrivate ? agents.httpsPrivate : agents.https) : allowPrivate ? agents.httpPrivate : agents.http;
    return new Promise<SendOutcome>((resolve) => {
      let settled = false;
      const finish = (status: number | null, error: string | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(done(status, error));
      };
      const req = (https ? httpsRequest : httpRequest)(u, { method: 'POST', headers, agent, ...(allowPrivate ? {} : { lookup: guardedLookup as never }) }, (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        let read = 0;
        let snippet = '';
        res.on('data', (chunk: Buffer) => {
          if (snippet.length < 160) snippet += chunk.toString('utf8', 0, Math.min(chunk.length, 160));
          read += chunk.length;
          if (read > RESPONSE_READ_LIMIT) {
            // Enough: the answer's status is all we need; the rest goes with the connection.
            res.destroy();
            finish(status, status >= 200 && status < 300 ? null : describe(status, res, snippet, true));
          }
        });
        res.on('end', () => finish(status, status >= 200 && status < 300 ? null : describe(status, res, snippet, false)));
        res.on('error', () => finish(status, status >= 200 && status < 300 ? null : describe(status, res, snippet, true)));
      });
      const timer = setTimeout(() => {
        req.destroy(new Error('timeout'));
        finish(null, `no answer within ${timeoutMs / 1000}s`);
      }, timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => finish(null, err instanceof PrivateAddressError ? err.message : `${err.code ?? 'error'}: ${printable(err.message)}`));
      req.end(body);
    });
  }

  return {
    post,
    close() {
      for (const a of Object.values(agents)) a.destroy();
    },
  };
}

function describe(status: number, res: IncomingMessage, snippet: string, cut: boolean): string {
  if (status >= 300 && status < 400) return `HTTP ${status}: redirect${res.headers.location ? ` to ${printable(String(res.headers.location)).slice(0, 100)}` : ''} not followed`;
  const text = printable(snippet);
  return `HTTP ${status}${text ? `: ${text}` : ''}${cut ? ' (answer over 64 KiB, dropped)' : ''}`;
}

export type HookHttp = ReturnType<typeof createHookHttp>;
