import { createHash, createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/** Seconds of clock skew allowed on exp and nbf, as livekit-server-sdk's TokenVerifier allows. */
const CLOCK_TOLERANCE_S = 10;

function decodeJson(part: string): Record<string, unknown> {
  const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('token part is not a JSON object');
  return value as Record<string, unknown>;
}

/**
 * The one check of a LiveKit webhook's signature, for `serve` and `webhooks listen` alike.
 * Checks the `Authorization` header the way LiveKit signs it, with node:crypto alone: a compact JWT, alg HS256 (nothing else), HMAC with the API secret, issuer = the API key,
 * an expiry that has not passed and a not-before that has (10 s skew allowed, as the SDK does),
 * and claim `sha256` = base64(sha256(body)). The same rules as the SDK's WebhookReceiver, without
 * its async JOSE machinery and protobuf decoding: 6.6 µs of CPU per check against 42 µs for the
 * SDK's (test/bench/tokens.mjs, a shared 2-core machine), where serve spends ~250 µs per delivery.
 * It accepts a subset of what the SDK accepts: HS256 only (jose would take HS384 and HS512 with
 * the same secret; LiveKit signs HS256). webhook-verify.test.ts gives every case to both.
 * Throws an Error saying which rule failed.
 */
export function createWebhookVerifier(apiKey: string, apiSecret: string, clock: () => number = Date.now) {
  const key: KeyObject = createSecretKey(Buffer.from(apiSecret, 'utf8'));
  return (body: string, authorization: string | undefined): void => {
    if (!authorization) throw new Error('authorization header is empty');
    const parts = authorization.split('.');
    if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) throw new Error('authorization is not a compact JWT');
    const [head, payload, signature] = parts as [string, string, string];
    const header = decodeJson(head);
    if (header.alg !== 'HS256') throw new Error('token is not signed with HS256');
    if (header.crit !== undefined) throw new Error('token has critical header parameters');
    const expected = createHmac('sha256', key).update(`${head}.${payload}`).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error('signature verification failed');
    const claims = decodeJson(payload);
    if (claims.iss !== apiKey) throw new Error('unexpected "iss" claim value');
    const now = Math.floor(clock() / 1000);
    if (typeof claims.exp !== 'number') throw new Error('missing "exp" claim');
    if (claims.exp <= now - CLOCK_TOLERANCE_S) throw new Error('"exp" claim timestamp check failed');
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now + CLOCK_TOLERANCE_S)) throw new Error('"nbf" claim timestamp check failed');
    // The SDK (jose) rejects an iat that is not a number; so do we, so that no token passes here that it refuses.
    if (claims.iat !== undefined && typeof claims.iat !== 'number') throw new Error('"iat" claim must be a number');
    if (claims.sha256 !== createHash('sha256').update(body).digest('base64')) throw new Error('sha256 checksum of body does not match');
  };
}

export type WebhookVerifier = ReturnType<typeof createWebhookVerifier>;
