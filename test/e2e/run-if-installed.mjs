#!/usr/bin/env node
// The last step of `npm test`: the browser tests when the live-test stack is installed. Without it,
// says how to install it and passes — except in CI (CI=true), where a missing stack is a failure.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stackStatus } from '../stack/paths.mjs';

const say = (msg) => process.stderr.write(`e2e: ${msg}\n`);
const ci = /^(1|true|yes)$/i.test(process.env.CI ?? '');
const status = stackStatus();

if (!status.installed) {
  say(`the browser tests need the live-test stack, which is not installed. Missing:\n  - ${status.missing.join('\n  - ')}`);
  say('install it with `npm run setup:stack` (Debian packages via apt-get, livekit-server and versitygw via go install), then `npm run test:e2e`');
  if (ci) {
    say('CI=true: a missing stack is a failure, not a skip');
    process.exitCode = 1;
  } else {
    say('skipping the browser tests');
  }
} else {
  // npm test has just built; the runner need not build again.
  const runner = join(dirname(fileURLToPath(import.meta.url)), 'run.mjs');
  const res = spawnSync(process.execPath, [runner, '--no-build'], { stdio: 'inherit' });
  process.exitCode = res.status ?? 1;
}
