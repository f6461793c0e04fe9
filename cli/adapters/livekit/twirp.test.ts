import { AccessToken, TokenVerifier, TrackSource } from 'livekit-server-sdk';
import { describe, expect, it } from 'vitest';
import { createLiveKit } from './client.js';
import { createTokenSigner } from './twirp.js';

const KEY = 'devkey';
const SECRET = 'secret-at-least-32-characters-long-xx';
const parts = (jwt: string) => jwt.split('.').map((p, i) => (i < 2 ? JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) : p));

describe('createTokenSigner', () => {
  it('signs tokens the SDK verifies, and refuses to verify with another secret', async () => {
    const jwt = createTokenSigner(KEY, SECRET)({ video: { roomCreate: true } }, 600);
    const claims = await new TokenVerifier(KEY, SECRET).verify(jwt);
    expect(claims).toMatchObject({ iss: KEY, video: { roomCreate: true } });
    expect(claims.exp! - Math.floor(Date.now() / 1000)).toBeGreaterThan(590);
    await expect(new TokenVerifier(KEY, 'another-secret-at-least-32-characters-long').verify(jwt)).rejects.toThrow();
  });

  it('the candidate token carries the same header and claims as the SDK’s AccessToken', async () => {
    const lk = createLiveKit({ url: 'ws://127.0.0.1:7880', apiKey: KEY, apiSecret: SECRET, agentName: 'interviewer', explicit: true });
    const ours = lk.candidateToken({ roomName: 'interview-abc', identity: 'candidate-abc', name: 'Ada', ttlSeconds: 1500 });
    lk.close();
    const sdk = new AccessToken(KEY, SECRET, { identity: 'candidate-abc', name: 'Ada', ttl: 1500 });
    sdk.addGrant({
      room: 'interview-abc',
      roomJoin: true,
      canPublish: true,
      canPublishSources: [TrackSource.CAMERA, TrackSource.MICROPHONE],
      canSubscribe: true,
      canPublishData: false,
      canUpdateOwnMetadata: false,
    });
    const [oh, oc] = parts(ours);
    const [sh, sc] = parts(await sdk.toJwt());
    expect(oh).toEqual(sh);
    const { nbf: onbf, exp: oexp, ...oRest } = oc;
    const { nbf: snbf, exp: sexp, ...sRest } = sc;
    expect(oRest).toEqual(sRest);
    expect(Math.abs(onbf - snbf)).toBeLessThanOrEqual(1);
    expect(Math.abs(oexp - sexp)).toBeLessThanOrEqual(1);
    expect(await new TokenVerifier(KEY, SECRET).verify(ours)).toMatchObject({ sub: 'candidate-abc', video: { room: 'interview-abc', canPublishSources: ['camera', 'microphone'] } });
  });
});
