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

  it('keeps the header the SDK writes, so LiveKit reads its tokens as the SDK’s own', async () => {
    const [header] = parts(createTokenSigner(KEY, SECRET)({ video: { roomCreate: true } }, 600));
    const [sdkHeader] = parts(await new AccessToken(KEY, SECRET).toJwt());
    expect(header).toEqual(sdkHeader);
  });
});

describe('the candidate token', () => {
  it('grants that room only: joining, camera and microphone, subscribing; no data, no metadata; until the ttl', async () => {
    const lk = createLiveKit({ url: 'ws://127.0.0.1:7880', apiKey: KEY, apiSecret: SECRET, agentName: 'interviewer', explicit: true });
    const jwt = await lk.candidateToken({ roomName: 'interview-abc', identity: 'candidate-abc', name: 'Ada', ttlSeconds: 1500 });
    lk.close();
    const claims = await new TokenVerifier(KEY, SECRET).verify(jwt);
    expect(claims).toMatchObject({ iss: KEY, sub: 'candidate-abc', name: 'Ada' });
    expect(claims.video).toEqual({
      room: 'interview-abc',
      roomJoin: true,
      canPublish: true,
      canPublishSources: ['camera', 'microphone'],
      canSubscribe: true,
      canPublishData: false,
      canUpdateOwnMetadata: false,
    });
    expect(claims.exp! - Math.floor(Date.now() / 1000)).toBeGreaterThan(1490);
    expect(claims.exp! - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(1500);
    await expect(new TokenVerifier(KEY, 'another-secret-at-least-32-characters-long').verify(jwt)).rejects.toThrow();
  });
});
