import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, createWriteStream, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

/**
 * The one definition of the livekit-server we run locally and how it is built: `interviewctl dev`
 * builds it on first use, and `npm run setup:stack` (test/stack/setup.mjs) builds the same one.
 *
 * Pinned: v1.13.0/1 and the current head carry `replace` directives that break `go install`.
 * v1.13.5's go.mod asks for Go 1.26; Go 1.21 and newer fetch that toolchain themselves
 * (GOTOOLCHAIN=auto, from the Go module proxy), older ones cannot.
 */
export const LIVEKIT_SERVER_VERSION = '1.13.5';
export const LIVEKIT_SERVER_MODULE = `github.com/livekit/livekit-server/cmd/server@v${LIVEKIT_SERVER_VERSION}`;
/** What `go install` names the binary (we rename it `livekit-server`). */
export const LIVEKIT_SERVER_BUILT_NAME = 'server';
export const LIVEKIT_SERVER_GO = '1.26';
/** The oldest Go that can build it by switching toolchains. */
export const MIN_GO = '1.21';

/** The cache outside the repo where built binaries go: `~/.cache/interviewctl/bin`. */
export function cachedBinDir(home: string = homedir()): string {
  return join(home, '.cache', 'interviewctl', 'bin');
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `command` on PATH, or undefined. */
export function onPath(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

/** The `go` command: on PATH, or where the official tarball puts it (often not on PATH for services). */
export function findGo(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return onPath('go', env) ?? (isExecutable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
}

/** `go1.26.8` → `1.26.8`, from `go version` (undefined when it does not answer). */
export function goVersion(go: string): string | undefined {
  const res = spawnSync(go, ['version'], { encoding: 'utf8', timeout: 10_000 });
  return /\bgo(\d+\.\d+(?:\.\d+)?)/.exec(res.stdout ?? '')?.[1];
}

/** What a build reports while it runs: modules downloaded and packages compiled so far. */
export interface BuildProgress {
  elapsedMs: number;
  modules: number;
  packages: number;
}

export interface GoInstallOptions {
  go: string;
  module: string;
  builtName: string;
  /** Where the binary ends up; it appears there whole or not at all. */
  dest: string;
  /** go's own output goes here (it is long); the last lines are in the error when it fails. */
  logFile: string;
  env?: NodeJS.ProcessEnv;
  onProgress?: (p: BuildProgress) => void;
  progressEveryMs?: number;
  /** Aborting stops the build (Ctrl-C). */
  signal?: AbortSignal;
}

/**
 * `go install <module>` into a scratch GOBIN beside `dest`, then renames the binary into place, so
 * two builds at once, or one stopped half way, never leave a broken binary. `-v` lists each package
 * as it is compiled, which is the progress. Resolves with the build's duration.
 */
export async function goInstall(o: GoInstallOptions): Promise<{ ms: number }> {
  const started = Date.now();
  const dir = dirname(o.dest);
  mkdirSync(dir, { recursive: true });
  const gobin = mkdtempSync(join(dir, '.build-'));
  const log = createWriteStream(o.logFile);
  const tail: string[] = [];
  let modules = 0;
  let packages = 0;
  const env: NodeJS.ProcessEnv = { ...process.env, ...o.env, GOBIN: gobin, CGO_ENABLED: '0' };
  // A Go older than the module's go.mod fetches the toolchain it asks for (a go.env may say
  // `local`); a Go new enough just builds. Unless the caller chose.
  if (process.env.GOTOOLCHAIN === undefined && o.env?.GOTOOLCHAIN === undefined) env.GOTOOLCHAIN = 'auto';
  // Its own process group, so stopping it stops the compilers it runs too.
  const child = spawn(o.go, ['install', '-v', o.module], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const onAbort = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    } catch {
      // gone already
    }
  };
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const count = (chunk: Buffer) => {
    log.write(chunk);
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      if (line.startsWith('go: downloading ')) modules++;
      else if (!line.startsWith('go: ')) packages++;
      tail.push(line);
      if (tail.length > 12) tail.shift();
    }
  };
  child.stdout.on('data', count);
  child.stderr.on('data', count);
  const timer = setInterval(() => o.onProgress?.({ elapsedMs: Date.now() - started, modules, packages }), o.progressEveryMs ?? 30_000);
  try {
    const code = await new Promise<number | string>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c, sig) => resolve(c ?? sig ?? 'unknown'));
    });
    if (o.signal?.aborted) throw new Error('the build was stopped');
    const built = join(gobin, o.builtName);
    if (code !== 0 || !existsSync(built)) {
      throw new Error(`go install ${o.module} ${code === 0 ? `did not produce ${o.builtName}` : `exited with ${code}`}:\n    ${tail.join('\n    ')}\n  (the whole output is in ${o.logFile})`);
    }
    renameSync(built, o.dest);
    return { ms: Date.now() - started };
  } finally {
    clearInterval(timer);
    o.signal?.removeEventListener('abort', onAbort);
    await new Promise<void>((r) => log.end(r));
    rmSync(gobin, { recursive: true, force: true });
  }
}

/** Builds the pinned livekit-server into `binDir` as `livekit-server`; resolves with its path and how long it took. */
export async function buildLiveKitServer(o: { go: string; binDir?: string; onProgress?: GoInstallOptions['onProgress']; signal?: AbortSignal }): Promise<{ path: string; ms: number }> {
  const binDir = o.binDir ?? cachedBinDir();
  const dest = join(binDir, 'livekit-server');
  const { ms } = await goInstall({
    go: o.go,
    module: LIVEKIT_SERVER_MODULE,
    builtName: LIVEKIT_SERVER_BUILT_NAME,
    dest,
    logFile: join(dirname(binDir), 'livekit-server-build.log'),
    onProgress: o.onProgress,
    signal: o.signal,
  });
  return { path: dest, ms };
}
