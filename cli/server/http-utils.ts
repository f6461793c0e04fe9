import { clientAddressFrom, type TrustProxy } from './trust-proxy.js';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** An HTTP error with the JSON body SPEC.md section 4 fixes: {"error": code, "message": …}. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export const JSON_LIMIT = 64 * 1024;

/** Reads a body up to `limit` bytes; past it, 413 without reading the rest. */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw new HttpError(413, 'payload_too_large', `body is larger than ${limit} bytes`);
  // With a declared length within the limit (Node holds the body to it), plain events are enough
  // and cheaper per request than an async iterator.
  if (Number.isFinite(declared)) return readDeclared(req);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, 'payload_too_large', `body is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function readDeclared(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
    req.once('aborted', () => reject(new Error('request aborted')));
  });
}

/** True when the client hung up before its answer (an aborted body, a reset socket). */
export function isClientGone(req: IncomingMessage, res: ServerResponse, err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return (!res.headersSent && (res.destroyed || req.socket.destroyed)) || code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (err as Error)?.message === 'request aborted';
}

/** A JSON object body: 415 for another content type, 400 for bad JSON or a non-object. */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'unsupported_media_type', 'send the body as application/json');
  const text = await readBody(req, JSON_LIMIT);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'the body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'invalid_body', 'the body must be a JSON object');
  return value as Record<string, unknown>;
}

const BASE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

export function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...BASE_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
    ...extra,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: HttpError, extra: Record<string, string> = {}): void {
  sendJson(res, err.status, { error: err.code, message: err.message }, extra);
}

/** Security headers of the candidate page: nothing inline, nothing from elsewhere but LiveKit. */
export function pageHeaders(livekitOrigins: string[]): Record<string, string> {
  const connect = ["'self'", ...livekitOrigins].join(' ');
  return {
    ...BASE_HEADERS,
    'content-security-policy': [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data: blob:",
      "media-src 'self' blob:",
      `connect-src ${connect}`,
      "worker-src 'self' blob:",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      "object-src 'none'",
    ].join('; '),
    'x-frame-options': 'DENY',
    'permissions-policy': 'camera=(self), microphone=(self), geolocation=(), payment=()',
  };
}

export function staticHeaders(): Record<string, string> {
  return { ...BASE_HEADERS };
}

/** The client address: X-Forwarded-For is read only as far as TRUST_PROXY's proxies wrote it. */
export function clientAddress(req: IncomingMessage, trust: TrustProxy): string {
  return clientAddressFrom(req.socket.remoteAddress, req.headers['x-forwarded-for'], trust);
}
