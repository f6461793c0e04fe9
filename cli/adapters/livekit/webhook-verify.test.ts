import { createHash, createHmac } from 'node:crypto';
import { AccessToken, WebhookReceiver } from 'livekit-server-sdk';
import { describe, expect, it } from 'vitest';
import { signWebhook } from './webhook-sender.js';
import { createWebhookVerifier } from './webhook-verify.js';

// The fast check must accept exactly what LiveKit's own SDK accepts: every case below is also
// given to the SDK's WebhookReceiver, and both must agree.

const KEY = 'APIkey123';
const SECRET = 'a-secret-of-at-least-thirty-two-characters';
const body = JSON.stringify({ event: 'room_started', id: 'EV_abc', createdAt: '1767600000', room: { name: 'interview-AAAAAAAAAAAAAAAAAAAAAA' } });
const bodyHash = (b: string) => createHash('sha256').update(b).digest('base64');

async function signed(opts: { key?: string; secret?: string; ttl?: number | string; sha?: string } = {}): Promise<string> {
  const t = new AccessToken(opts.key ?? KEY, opts.secret ?? SECRET, { ttl: opts.ttl ?? '5m' });
  t.sha256 = opts.sha ?? bodyHash(body);
  return t.toJwt();
}

/** A token assembled by hand, for shapes the SDK will not mint (other algorithms, no exp). */
function handMade(header: object, claims: object, secret = SECRET, alg: 'sha256' | 'sha384' | 'sha512' = 'sha256'): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${enc(header)}.${enc(claims)}`;
  return `${input}.${createHmac(alg, secret).update(input).digest('base64url')}`;
}

const now = () => Math.floor(Date.now() / 1000);
const verify = createWebhookVerifier(KEY, SECRET);
const sdk = new WebhookReceiver(KEY, SECRET);

async function bothSay(b: string, auth: string | undefined): Promise<{ ours: boolean; sdk: boolean }> {
  const ours = (() => {
    try {
      verify(b, auth);
      return true;
    } catch {
      return false;
    }
  })();
  const theirs = await sdk.receive(b, auth).then(() => true, () => false);
  return { ours, sdk: theirs };
}

describe('createWebhookVerifier', () => {
  it('accepts a delivery signed as LiveKit signs it (and as `webhooks trigger` does)', async () => {
    expect(await bothSay(body, await signed())).toEqual({ ours: true, sdk: true });
    expect(await bothSay(body, await signWebhook(body, KEY, SECRET))).toEqual({ ours: true, sdk: true });
  });

  it.each([
    ['no header', async () => undefined, body],
    ['signed with another secret', () => signed({ secret: 'another-secret-of-at-least-thirty-two-chars' }), body],
    ['issued for another API key', () => signed({ key: 'OTHERkey' }), body],
    ['a valid signature over a different body', () => signed(), body.replace('room_started', 'room_finished')],
    ['a body hash claim that does not match', () => signed({ sha: bodyHash('{}') }), body],
    ['expired a minute ago', async () => handMade({ alg: 'HS256' }, { iss: KEY, exp: now() - 60, sha256: bodyHash(body) }), body],
    ['without an expiry', async () => handMade({ alg: 'HS256' }, { iss: KEY, sha256: bodyHash(body) }), body],
    ['not valid before a minute from now', async () => handMade({ alg: 'HS256' }, { iss: KEY, exp: now() + 300, nbf: now() + 60, sha256: bodyHash(body) }), body],
    ['alg none', async () => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: KEY, exp: now() + 60, sha256: bodyHash(body) })).toString('base64url')}.`, body],
    ['a tampered payload under the original signature', async () => {
      const [h, , s] = (await signed()).split('.');
      return `${h}.${Buffer.from(JSON.stringify({ iss: KEY, exp: now() + 9999, sha256: bodyHash('{}') })).toString('base64url')}.${s}`;
    }, '{}'],
    ['garbage', async () => 'not.a.jwt', body],
    ['a Bearer prefix (LiveKit sends the bare token)', async () => `Bearer ${await signed()}`, body],
  ])('rejects %s, as the SDK does', async (_label, auth, b) => {
    expect(await bothSay(b, await auth())).toEqual({ ours: false, sdk: false });
  });

  it('allows the same 10 s of clock skew as the SDK on exp and nbf', async () => {
    const justExpired = handMade({ alg: 'HS256' }, { iss: KEY, exp: now() - 5, sha256: bodyHash(body) });
    const almostValid = handMade({ alg: 'HS256' }, { iss: KEY, exp: now() + 300, nbf: now() + 5, sha256: bodyHash(body) });
    expect(await bothSay(body, justExpired)).toEqual({ ours: true, sdk: true });
    expect(await bothSay(body, almostValid)).toEqual({ ours: true, sdk: true });
  });

  // `webhooks listen` used the SDK's WebhookReceiver and serve this verifier, so they disagreed on
  // these; both use this verifier now, which never accepts what the SDK refuses.
  describe('where serve and `webhooks listen` used to differ', () => {
    it('takes HS256 only: the SDK (so listen) also took HS384 and HS512 with the same secret; LiveKit never sends them', async () => {
      const hs384 = handMade({ alg: 'HS384' }, { iss: KEY, exp: now() + 60, sha256: bodyHash(body) }, SECRET, 'sha384');
      const hs512 = handMade({ alg: 'HS512' }, { iss: KEY, exp: now() + 60, sha256: bodyHash(body) }, SECRET, 'sha512');
      expect(await bothSay(body, hs384)).toEqual({ ours: false, sdk: true });
      expect(await bothSay(body, hs512)).toEqual({ ours: false, sdk: true });
      expect(() => verify(body, hs512)).toThrow(/HS256/);
    });

    it('rejects an iat that is not a number, as the SDK does (serve used to take it)', async () => {
      const oddIat = handMade({ alg: 'HS256' }, { iss: KEY, exp: now() + 60, iat: 'yesterday', sha256: bodyHash(body) });
      expect(await bothSay(body, oddIat)).toEqual({ ours: false, sdk: false });
      expect(() => verify(body, oddIat)).toThrow('"iat" claim must be a number');
      const goodIat = handMade({ alg: 'HS256' }, { iss: KEY, exp: now() + 60, iat: now(), sha256: bodyHash(body) });
      expect(await bothSay(body, goodIat)).toEqual({ ours: true, sdk: true });
    });

    it('agrees with the SDK on every HS256 token over claims of every kind (exp, nbf, iat: missing, odd, past, now, future)', async () => {
      const values = [undefined, 'x', null, -1, now() - 60, now(), now() + 60, now() + 3600];
      let cases = 0;
      for (const exp of values) {
        for (const nbf of values) {
          for (const iat of values) {
            const claims = Object.fromEntries(Object.entries({ iss: KEY, exp, nbf, iat, sha256: bodyHash(body) }).filter(([, v]) => v !== undefined));
            const said = await bothSay(body, handMade({ alg: 'HS256' }, claims));
            if (said.ours) expect(said.sdk, JSON.stringify(claims)).toBe(true);
            else if (said.sdk) throw new Error(`only the SDK accepts ${JSON.stringify(claims)}`);
            cases++;
          }
        }
      }
      expect(cases).toBe(values.length ** 3);
      // 512 SDK checks: well under a second, but a loaded shared machine can take 60 times that.
    }, 120_000);
  });

  it('says which rule failed', async () => {
    expect(() => verify(body, undefined)).toThrow('authorization header is empty');
    expect(() => verify('{}', handMade({ alg: 'HS256' }, { iss: KEY, exp: now() + 60, sha256: bodyHash(body) }))).toThrow('sha256 checksum of body does not match');
  });
});
