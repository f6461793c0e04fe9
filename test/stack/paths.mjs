// Where the live-test stack lives and whether it is installed, for setup.mjs, the e2e runner and
// the tests. The livekit-server pin, the cache folder and the Go build are the CLI's own
// (cli/adapters/livekit/server-build.ts, which `interviewctl dev` builds with), read from the
// compiled CLI: `npm ci` builds it.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const serverBuild = await import('../../dist/cli/adapters/livekit/server-build.js').catch((err) => {
  throw new Error(`test/stack needs the compiled CLI (dist/): run \`npm run build\` first (${err.message})`);
});
export const { LIVEKIT_SERVER_VERSION, LIVEKIT_SERVER_MODULE, LIVEKIT_SERVER_GO, buildLiveKitServer, goInstall, findGo } = serverBuild;
export const VERSITYGW_VERSION = '1.7.0';
export const VERSITYGW_MODULE = `github.com/versity/versitygw/cmd/versitygw@v${VERSITYGW_VERSION}`;

/** Debian packages the live tests use, with the command each one provides. */
export const DEBIAN_PACKAGES = [
  { pkg: 'chromium', command: 'chromium' },
  { pkg: 'ffmpeg', command: 'ffmpeg' },
  { pkg: 'espeak-ng', command: 'espeak-ng' },
  { pkg: 'sox', command: 'sox' },
  { pkg: 'iproute2', command: 'ip' },
  { pkg: 'tmux', command: 'tmux' },
  // The cluster test's shared state for two livekit-server nodes (started inside the namespace).
  { pkg: 'redis-server', command: 'redis-server' },
];

/** The cache outside the repo where the Go-built binaries go (`~/.cache/interviewctl/bin`). */
export const binDir = serverBuild.cachedBinDir();
export const cacheDir = join(binDir, '..');
export const livekitServerBin = join(binDir, 'livekit-server');
export const versitygwBin = join(binDir, 'versitygw');
export const chromiumBin = '/usr/bin/chromium';

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of `command` on PATH (plus the sbin folders root has), or undefined. */
export function which(command) {
  const dirs = (process.env.PATH ?? '').split(delimiter).concat(['/usr/local/sbin', '/usr/sbin', '/sbin']);
  for (const dir of dirs) {
    if (dir && isExecutable(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

/** The version a binary reports (first x.y.z in `<bin> --version`), or undefined. */
export function binaryVersion(file) {
  if (!isExecutable(file)) return undefined;
  const res = spawnSync(file, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  const m = /(\d+\.\d+\.\d+)/.exec(`${res.stdout ?? ''}${res.stderr ?? ''}`);
  return m?.[1];
}

/**
 * What the live tests need and what of it is missing. `installed` is true when nothing is.
 * Each missing entry says what it is and how it gets installed.
 * @returns {{ installed: boolean, missing: string[], livekitServerBin: string, versitygwBin: string, chromiumBin: string }}
 */
export function stackStatus() {
  const missing = [];
  for (const { pkg, command } of DEBIAN_PACKAGES) {
    if (!which(command)) missing.push(`${command} (Debian package ${pkg})`);
  }
  if (!which('unshare')) missing.push('unshare (Debian package util-linux)');
  if (!isExecutable(livekitServerBin)) missing.push(`livekit-server v${LIVEKIT_SERVER_VERSION} at ${livekitServerBin}`);
  if (!isExecutable(versitygwBin)) missing.push(`versitygw v${VERSITYGW_VERSION} at ${versitygwBin}`);
  return { installed: missing.length === 0, missing, livekitServerBin, versitygwBin, chromiumBin };
}
