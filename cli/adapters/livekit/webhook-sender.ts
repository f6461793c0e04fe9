import { createHash } from 'node:crypto';
import { AccessToken } from 'livekit-server-sdk';
import { UnavailableError } from '../../core/errors.js';

/** Signs a webhook body the way LiveKit does: an HS256 JWT, issuer = API key, claim sha256 of the body. */
export async function signWebhook(body: string, apiKey: string, apiSecret: string): Promise<string> {
  const token = new AccessToken(apiKey, apiSecret, { ttl: '5m' });
  token.sha256 = createHash('sha256').update(body).digest('base64');
  return token.toJwt();
}

/** POSTs a freshly signed delivery; returns the HTTP status and body the receiver answered. */
export async function sendWebhook(url: string, body: string, apiKey: string, apiSecret: string): Promise<{ status: number; text: string }> {
  const authorization = await signWebhook(body, apiKey, apiSecret);
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/webhook+json', authorization }, body, signal: AbortSignal.timeout(10_000) });
    return { status: res.status, text: await res.text() };
  } catch (err) {
    throw new UnavailableError('webhook receiver', `cannot reach ${url}: ${(err as Error).message}`, { cause: err });
  }
}
