#!/usr/bin/env node
// `npm run test:e2e [-- vitest args]`: runs the browser tests against the real stack inside a
// private network namespace that has only loopback, so livekit-server, serve, Postgres and
// Chromium can talk to nothing but each other.
//
//   outside: checks the stack, builds, then re-executes itself under
//            `unshare -n -- sh -c 'ip link set lo up && exec node run.mjs …'`
//   inside:  checks that loopback is the only interface, then runs vitest with vitest.e2e.config.ts
//   after:   stops, by PID, whatever a killed test left running (see test/stack/process.mjs)
//
// Flags (before any vitest args): --no-build skips `npm run build` (npm test has just built).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stackStatus } from '../stack/paths.mjs';
import { cleanUpLedger } from '../stack/process.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const self = fileURLToPath(import.meta.url);
const say = (msg) => process.stderr.write(`e2e: ${msg}\n`);
const INSIDE = 'INTERVIEWCTL_E2E_NETNS';
// libwebrtc never gathers ICE candidates on a loopback interface, so the agent's WebRTC stack
// (@livekit/rtc-node) cannot connect in a namespace that has only lo. A veth pair whose two ends
// both stay inside the namespace gives it a private address (10.77.0.1) with no route anywhere:
// packets between it and 127.0.0.1 never leave the namespace.
const PRIVATE_LINK =
  'ip link add ivc0 type veth peer name ivc1 && ip addr add 10.77.0.1/32 dev ivc0 && ip link set ivc1 up && ip link set ivc0 up';
const ALLOWED_INTERFACES = ['ivc0', 'ivc1', 'lo'];

/** Proxy settings would send loopback traffic elsewhere (Chromium honours them): drop them. */
function withoutProxies(env) {
  const out = { ...env };
  for (const key of Object.keys(out)) if (/^(https?|all|no|ftp)_proxy$/i.test(key)) delete out[key];
  return out;
}

function runChild(cmd, args, env) {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env, cwd: repoRoot });
    const forward = (sig) => () => {
      try {
        process.kill(child.pid, sig);
      } catch {
        // gone already
      }
    };
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    child.on('error', (err) => {
      say(`${cmd}: ${err.message}`);
      resolvePromise(1);
    });
    child.on('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolvePromise(code ?? (signal === 'SIGINT' ? 130 : 1));
    });
  });
}

async function outside(args) {
  const build = !args.includes('--no-build');
  const rest = args.filter((a) => a !== '--no-build');
  const status = stackStatus();
  if (!status.installed) {
    say(`the live-test stack is not installed; missing:\n  - ${status.missing.join('\n  - ')}\nInstall it with: npm run setup:stack`);
    return 1;
  }
  if (process.getuid?.() !== 0) {
    say('needs root: the stack runs in a private network namespace (`unshare -n`), which only root can create here');
    return 1;
  }
  if (build) {
    say('building (npm run build)');
    const res = spawnSync('npm', ['run', 'build', '--silent'], { cwd: repoRoot, stdio: 'inherit' });
    if (res.status !== 0) return res.status ?? 1;
  }
  const ledger = mkdtempSync(join(tmpdir(), 'interviewctl-e2e-ledger-'));
  const env = withoutProxies({ ...process.env, [INSIDE]: '1', INTERVIEWCTL_E2E_LEDGER: ledger });
  const started = Date.now();
  say('entering a private network namespace (loopback only)');
  try {
    const code = await runChild(
      'unshare',
      ['-n', '--', 'sh', '-c', `ip link set lo up && ${PRIVATE_LINK} && exec "$0" "$@"`, process.execPath, self, ...rest],
      env,
    );
    if (code !== 0) say('screenshots and logs (livekit-server, serve, postgres, browser console) are in test/e2e/artifacts/<scenario>/');
    return code;
  } finally {
    cleanUpLedger(ledger, { repoRoot, log: say });
    rmSync(ledger, { recursive: true, force: true });
    say(`finished in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }
}

async function inside(args) {
  // /proc/self/net/dev lists this process's namespace (/sys/class/net shows the host's mount).
  const interfaces = readFileSync('/proc/self/net/dev', 'utf8')
    .split('\n')
    .slice(2)
    .map((line) => line.split(':')[0].trim())
    .filter(Boolean);
  if (interfaces.sort().join(',') !== ALLOWED_INTERFACES.join(',')) {
    say(`refusing to run: this network namespace has ${interfaces.join(', ')}, not only lo and the private veth pair`);
    return 1;
  }
  // No route leads out: the main table holds nothing (the /32 address adds only a local route).
  const routes = readFileSync('/proc/self/net/route', 'utf8').split('\n').slice(1).filter(Boolean);
  if (routes.length > 0) {
    say(`refusing to run: this network namespace has routes:\n${routes.join('\n')}`);
    return 1;
  }
  const vitest = join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs');
  return runChild(process.execPath, [vitest, 'run', '--config', join(repoRoot, 'vitest.e2e.config.ts'), ...args], process.env);
}

const args = process.argv.slice(2);
process.exitCode = process.env[INSIDE] === '1' ? await inside(args) : await outside(args);
