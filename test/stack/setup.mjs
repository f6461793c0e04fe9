#!/usr/bin/env node
// `npm run setup:stack`: installs what the live tests need on a fresh Debian 12 machine, skipping
// what is already there, and says what it does.
//   - Debian packages: chromium ffmpeg espeak-ng sox iproute2 tmux (apt-get, only the missing ones)
//   - livekit-server v1.13.5 and versitygw v1.7.0, built with `go install` into ~/.cache/interviewctl/bin
import { spawnSync } from 'node:child_process';
import { copyFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEBIAN_PACKAGES,
  LIVEKIT_SERVER_MODULE,
  LIVEKIT_SERVER_VERSION,
  VERSITYGW_MODULE,
  VERSITYGW_VERSION,
  binDir,
  binaryVersion,
  livekitServerBin,
  stackStatus,
  versitygwBin,
  which,
} from './paths.mjs';

/** Prebuilt livekit-server binaries to reuse when their version matches (saves a ~minutes build). */
const PREBUILT_LIVEKIT = [process.env.LIVEKIT_SERVER_PREBUILT, '/tmp/lkbin/server'].filter(Boolean);

const say = (msg) => process.stderr.write(`setup: ${msg}\n`);

class SetupError extends Error {}

function run(cmd, args, opts = {}) {
  say(`$ ${[cmd, ...args].join(' ')}`);
  const started = Date.now();
  const res = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (res.error) throw new SetupError(`${cmd}: ${res.error.message}`);
  if (res.status !== 0) throw new SetupError(`${cmd} ${args.join(' ')} exited with ${res.status ?? res.signal}`);
  say(`  done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

function debianPackageInstalled(pkg) {
  const res = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return res.status === 0 && res.stdout.includes('install ok installed');
}

function installDebianPackages() {
  const haveDpkg = Boolean(which('dpkg-query'));
  const missing = DEBIAN_PACKAGES.filter(({ pkg, command }) => (haveDpkg ? !debianPackageInstalled(pkg) : !which(command)));
  if (missing.length === 0) {
    say(`Debian packages: all present (${DEBIAN_PACKAGES.map((p) => p.pkg).join(' ')})`);
    return;
  }
  const names = missing.map((p) => p.pkg);
  if (!which('apt-get')) {
    throw new SetupError(`missing ${names.join(', ')} and there is no apt-get here: install them with your package manager`);
  }
  say(`Debian packages: installing ${names.join(' ')}`);
  const sudo = process.getuid?.() === 0 ? [] : which('sudo') ? ['sudo'] : null;
  if (sudo === null) throw new SetupError(`installing ${names.join(' ')} needs root (run as root or install sudo)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) => (sudo.length ? run('sudo', ['-E', 'apt-get', ...args], { env }) : run('apt-get', args, { env }));
  apt(['update']);
  apt(['install', '-y', ...names]);
}

function goBinary() {
  const go = which('go') ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
  if (!go) {
    throw new SetupError(
      'Go is needed to build livekit-server and versitygw and is not installed. Install Go 1.24 or newer ' +
        '(https://go.dev/doc/install; Debian 12\'s golang-go is too old), then run `npm run setup:stack` again.',
    );
  }
  return go;
}

/** `go install <module>` into a scratch GOBIN, then move the binary into the cache under `finalName`. */
function goInstall(module, builtName, finalPath) {
  const go = goBinary();
  mkdirSync(binDir, { recursive: true });
  const gobin = mkdtempSync(join(binDir, '.build-'));
  try {
    run(go, ['install', module], { env: { ...process.env, GOBIN: gobin, CGO_ENABLED: '0' } });
    const built = join(gobin, builtName);
    if (!existsSync(built)) throw new SetupError(`go install ${module} did not produce ${builtName}`);
    renameSync(built, finalPath);
  } finally {
    rmSync(gobin, { recursive: true, force: true });
  }
}

function installLivekitServer() {
  const have = binaryVersion(livekitServerBin);
  if (have === LIVEKIT_SERVER_VERSION) {
    say(`livekit-server v${have}: present at ${livekitServerBin}`);
    return;
  }
  if (have) say(`livekit-server at ${livekitServerBin} is v${have}; replacing it with v${LIVEKIT_SERVER_VERSION}`);
  mkdirSync(binDir, { recursive: true });
  for (const candidate of PREBUILT_LIVEKIT) {
    if (binaryVersion(candidate) === LIVEKIT_SERVER_VERSION) {
      say(`livekit-server v${LIVEKIT_SERVER_VERSION}: copying the prebuilt ${candidate} to ${livekitServerBin}`);
      const tmp = `${livekitServerBin}.tmp-${process.pid}`;
      copyFileSync(candidate, tmp);
      chmodSync(tmp, 0o755);
      renameSync(tmp, livekitServerBin);
      return;
    }
  }
  say(`livekit-server v${LIVEKIT_SERVER_VERSION}: building with go install (a few minutes on 2 cores)`);
  goInstall(LIVEKIT_SERVER_MODULE, 'server', livekitServerBin);
  const built = binaryVersion(livekitServerBin);
  if (built !== LIVEKIT_SERVER_VERSION) throw new SetupError(`the built livekit-server reports version ${built ?? '(none)'}`);
}

/** The module version Go stamped into a binary (`go version -m`), or undefined. */
function goModuleVersion(file) {
  const go = which('go') ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
  if (!go || !existsSync(file)) return undefined;
  const res = spawnSync(go, ['version', '-m', file], { encoding: 'utf8', timeout: 10_000 });
  return /^\s*mod\s+\S+\s+v(\S+)/m.exec(res.stdout ?? '')?.[1];
}

function installVersitygw() {
  // versitygw --version says "git" when built by `go install`; Go's build info has the module version.
  if (existsSync(versitygwBin)) {
    const have = goModuleVersion(versitygwBin);
    if (have === undefined || have === VERSITYGW_VERSION) {
      say(`versitygw${have ? ` v${have}` : ''}: present at ${versitygwBin}`);
      return;
    }
    say(`versitygw at ${versitygwBin} is v${have}; replacing it with v${VERSITYGW_VERSION}`);
  }
  say(`versitygw v${VERSITYGW_VERSION}: building with go install`);
  goInstall(VERSITYGW_MODULE, 'versitygw', versitygwBin);
}

function main() {
  const started = Date.now();
  installDebianPackages();
  installLivekitServer();
  installVersitygw();
  const status = stackStatus();
  if (!status.installed) throw new SetupError(`still missing after setup: ${status.missing.join('; ')}`);
  say(`the live-test stack is installed (${((Date.now() - started) / 1000).toFixed(1)}s); run \`npm run test:e2e\``);
}

try {
  main();
} catch (err) {
  say(`FAILED: ${err instanceof SetupError ? err.message : err?.stack ?? err}`);
  process.exitCode = 1;
}
