#!/usr/bin/env node
// CPU per token, our node:crypto code against the SDK's (jose over WebCrypto):
//   - signing the candidate's token: createTokenSigner (cli/adapters/livekit/twirp.ts) vs AccessToken
//   - checking a webhook delivery: createWebhookVerifier (webhook-verify.ts) vs WebhookReceiver
// Short: a few thousand each, best of 3 rounds, process CPU (all threads) per token.
// Needs `npm run build`.   node test/bench/tokens.mjs [--count 3000]
import { createHash } from 'node:crypto';
import { AccessToken, TrackSource, WebhookReceiver } from 'livekit-server-sdk';
import { createTokenSigner } from '../../dist/cli/adapters/livekit/twirp.js';
import { createWebhookVerifier } from '../../dist/cli/adapters/livekit/webhook-verify.js';
import { numberOption, requireBuild } from './lib.mjs';

requireBuild();
const COUNT = numberOption('count', 3000);
const KEY = 'devkey';
const SECRET = 'secret-at-least-32-characters-long-xx';
const video = { room: 'interview-abc', roomJoin: true, canPublish: true, canPublishSources: ['camera', 'microphone'], canSubscribe: true, canPublishData: false, canUpdateOwnMetadata: false };

const sign = createTokenSigner(KEY, SECRET);
const ours = async () => sign({ video, name: 'Ada', sub: 'candidate-abc' }, 1500);
const sdk = async () => {
  const t = new AccessToken(KEY, SECRET, { identity: 'candidate-abc', name: 'Ada', ttl: 1500 });
  t.addGrant({ ...video, canPublishSources: [TrackSource.CAMERA, TrackSource.MICROPHONE] });
  return t.toJwt();
};

async function cpuPerToken(make) {
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const start = process.cpuUsage();
    for (let i = 0; i < COUNT; i++) await make();
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1000 / COUNT);
  }
  return best;
}

const body = JSON.stringify({ event: 'participant_joined', id: 'EV_bench', createdAt: '1767600000', room: { name: 'interview-abc' }, participant: { identity: 'candidate-abc' } });
const hook = new AccessToken(KEY, SECRET, { ttl: '5m' });
hook.sha256 = createHash('sha256').update(body).digest('base64');
const authorization = await hook.toJwt();
const verify = createWebhookVerifier(KEY, SECRET);
const receiver = new WebhookReceiver(KEY, SECRET);
const oursCheck = async () => verify(body, authorization);
const sdkCheck = () => receiver.receive(body, authorization);

const report = async (label, a, b, names) => {
  for (let i = 0; i < 300; i++) await Promise.all([a(), b()]);
  const x = await cpuPerToken(a);
  const y = await cpuPerToken(b);
  process.stdout.write(`${label}, CPU each (best of 3 x ${COUNT}): ${names[0]} ${(x * 1000).toFixed(1)} µs, ${names[1]} ${(y * 1000).toFixed(1)} µs (${(y / x).toFixed(1)}x)\n`);
};
await report('candidate token', ours, sdk, ['node:crypto signer', 'SDK AccessToken']);
await report('webhook check', oursCheck, sdkCheck, ['createWebhookVerifier', 'SDK WebhookReceiver']);
