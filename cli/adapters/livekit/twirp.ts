import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/**
 * The two LiveKit server calls on the join path (CreateRoom, CreateDispatch), made over a kept-alive
 * node:http connection with tokens signed by node:crypto. The SDK's clients do the same calls
 * through `fetch` (undici, web streams) and sign every request's token with jose (WebCrypto, a
 * thread-pool job); on a 2-core machine that was ~2 ms of serve's CPU per join, more than
 * everything else the join does. Same wire protocol (Twirp, JSON body, Bearer JWT), same grants.
 */

const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url');
// jose writes exactly this protected header for the SDK's tokens.
const HEADER = b64url(JSON.stringify({ alg: 'HS256' }));

/** Signs LiveKit access tokens (HS256 JWT, issuer = API key) with one cached key object. */
export function createTokenSigner(apiKey: string, apiSecret: string) {
  const key: KeyObject = createSecretKey(Buffer.from(apiSecret, 'utf8'));
  return (claims: Record<string, unknown>, ttlSeconds: number): string => {
    const now = Math.floor(Date.now() / 1000);
    const body = `${HEADER}.${b64url(JSON.stringify({ ...claims, iss: apiKey, nbf: now, exp: now + ttlSeconds }))}`;
    return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
  };
}

export type TokenSigner = ReturnType<typeof createTokenSigner>;

/** A Twirp error answer (or a transport failure, status 0) from the LiveKit server. */
export class TwirpCallError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'TwirpCallError';
  }
  /** Worth trying again elsewhere: no answer, or a server-side failure. */
  get retryable(): boolean {
    return this.status === 0 || this.status >= 500;
  }
}

export interface TwirpClientOptions {
  timeoutMs: number;
  /** Connections kept open to the server at most. */
  sockets?: number;
}

/** POSTs Twirp JSON calls to `host` (http or https) over kept-alive connections. */
export function createTwirpClient(host: string, options: TwirpClientOptions) {
  const base = new URL(host);
  const secure = base.protocol === 'https:';
  const prefix = `${base.pathname.replace(/\/$/, '')}/twirp/livekit.`;
  const agentOptions = { keepAlive: true, maxSockets: options.sockets ?? 32, maxFreeSockets: options.sockets ?? 32, timeout: 30_000 };
  const agent = secure ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
  const send = secure ? httpsRequest : httpRequest;

  const once = (path: string, body: string, token: string) =>
    new Promise<{ status: number; text: string; reused: boolean }>((resolve, reject) => {
      const req = send(
        {
          protocol: base.protocol,
          hostname: base.hostname,
          port: base.port || undefined,
          path,
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
        },
        (res: IncomingMessage) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (s: string) => (text += s));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text, reused: req.reusedSocket }));
          res.on('error', reject);
        },
      );
      req.setTimeout(options.timeoutMs, () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
      req.on('error', (err: NodeJS.ErrnoException) => reject(Object.assign(err, { reused: req.reusedSocket })));
      req.end(body);
    });

  return {
    /** Calls `livekit.<service>/<method>`; resolves with the parsed answer, throws TwirpCallError. */
    async call<T>(service: string, method: string, payload: unknown, token: string): Promise<T> {
      const path = `${prefix}${service}/${method}`;
      const body = JSON.stringify(payload);
      let res;
      try {
        res = await once(path, body, token);
      } catch (err) {
        // A kept-alive connection the server closed as we reused it: the request never got there.
        const e = err as NodeJS.ErrnoException & { reused?: boolean };
        if (!(e.reused && e.code === 'ECONNRESET')) throw new TwirpCallError(e.message, 0);
        try {
          res = await once(path, body, token);
        } catch (again) {
          throw new TwirpCallError((again as Error).message, 0);
        }
      }
      if (res.status >= 200 && res.status < 300) return JSON.parse(res.text) as T;
      let code: string | undefined;
      let msg = res.text.slice(0, 200);
      try {
        const e = JSON.parse(res.text) as { code?: string; msg?: string };
        code = e.code;
        msg = e.msg ?? msg;
      } catch {
        // not a Twirp JSON error (a proxy's page): keep the text
      }
      throw new TwirpCallError(`${res.status}${code ? ` ${code}` : ''}: ${msg}`, res.status, code);
    },
    close: () => agent.destroy(),
  };
}
