#!/usr/bin/env node
// CPU per candidate token: our node:crypto signer (cli/adapters/livekit/twirp.ts) against the
// SDK's AccessToken (jose over WebCrypto), on the candidate's grant. Short: a few thousand tokens
// each, best of 3 rounds, process CPU (all threads) per token. Needs `npm run build`.
//   node test/bench/candidate-token.mjs [--count 3000]
import { AccessToken, TrackSource } from 'livekit-server-sdk';
import { createTokenSigner } from '../../dist/cli/adapters/livekit/twirp.js';
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

for (let i = 0; i < 300; i++) await Promise.all([ours(), sdk()]);
const a = await cpuPerToken(ours);
const b = await cpuPerToken(sdk);
process.stdout.write(`candidate token, CPU per token (best of 3 x ${COUNT}): node:crypto signer ${(a * 1000).toFixed(1)} µs, SDK AccessToken ${(b * 1000).toFixed(1)} µs (${(b / a).toFixed(1)}x)\n`);
