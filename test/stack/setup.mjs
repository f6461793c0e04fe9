#!/usr/bin/env node
// `npm run setup:stack`: installs what the live tests need on a fresh Debian 12 machine, skipping
// what is already there, and says what it does.
//   - Debian packages: chromium ffmpeg espeak-ng sox iproute2 tmux (apt-get, only the missing ones)
//   - livekit-server (the CLI's pin and build: the same one `interviewctl dev` builds) and
//     versitygw v1.7.0, built with `go install` into ~/.cache/interviewctl/bin
import { spawnSync } from 'node:child_process';
import { copyFileSync, chmodSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEBIAN_PACKAGES,
  LIVEKIT_SERVER_GO,
  LIVEKIT_SERVER_VERSION,
  buildLiveKitServer,
  findGo,
  goInstall,
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
  const go = findGo();
  if (!go) {
    throw new SetupError(
      `Go is needed to build livekit-server and versitygw and is not installed. Install Go ${LIVEKIT_SERVER_GO} or newer ` +
        "(https://go.dev/doc/install; Debian 12's golang-go is too old), then run `npm run setup:stack` again.",
    );
  }
  return go;
}

// The Go builds run in their own process group: Ctrl-C stops them through this.
const stopBuilds = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    say(`${sig}: stopping`);
    stopBuilds.abort();
    process.exitCode = 130;
  });
}
const signal = stopBuilds.signal;

const onProgress = (p) => say(`  still building: ${Math.round(p.elapsedMs / 1000)}s, ${p.modules} modules downloaded, ${p.packages} packages compiled`);

async function timed(label, build) {
  say(`$ ${label}`);
  try {
    const { ms } = await build();
    say(`  done in ${(ms / 1000).toFixed(1)}s`);
  } catch (err) {
    throw new SetupError(err.message);
  }
}

async function installLivekitServer() {
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
  await timed('go install (livekit-server)', () => buildLiveKitServer({ go: goBinary(), binDir, onProgress, signal }));
  const built = binaryVersion(livekitServerBin);
  if (built !== LIVEKIT_SERVER_VERSION) throw new SetupError(`the built livekit-server reports version ${built ?? '(none)'}`);
}

/** The module version Go stamped into a binary (`go version -m`), or undefined. */
function goModuleVersion(file) {
  const go = findGo();
  if (!go || !existsSync(file)) return undefined;
  const res = spawnSync(go, ['version', '-m', file], { encoding: 'utf8', timeout: 10_000 });
  return /^\s*mod\s+\S+\s+v(\S+)/m.exec(res.stdout ?? '')?.[1];
}

async function installVersitygw() {
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
  await timed(`go install ${VERSITYGW_MODULE}`, () =>
    goInstall({ go: goBinary(), module: VERSITYGW_MODULE, builtName: 'versitygw', dest: versitygwBin, logFile: join(binDir, '..', 'versitygw-build.log'), onProgress, signal }),
  );
}

async function main() {
  const started = Date.now();
  installDebianPackages();
  await installLivekitServer();
  await installVersitygw();
  const status = stackStatus();
  if (!status.installed) throw new SetupError(`still missing after setup: ${status.missing.join('; ')}`);
  say(`the live-test stack is installed (${((Date.now() - started) / 1000).toFixed(1)}s); run \`npm run test:e2e\``);
}

try {
  await main();
} catch (err) {
  say(`FAILED: ${err instanceof SetupError ? err.message : err?.stack ?? err}`);
  process.exitCode = 1;
}
