// Runs the built CLI (`node bin/interviewctl …`) for tests: one-shot commands, and long-running
// processes (`serve`, later `agent`) with their logs in a file, stopped by PID.
import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnLogged, stopProcess, waitUntil } from './process.mjs';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cliBin = join(repoRoot, 'bin', 'interviewctl');

/**
 * The environment every CLI process of a test stack gets: the caller's, minus settings that would
 * point it at a developer's own services, plus `vars`.
 */
export function cliEnv(vars) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(DATABASE_URL|LIVEKIT_|S3_|RECORDINGS_DIR|DEEPGRAM_|PUBLIC_URL|PORT$|RECORDER$|INTERVIEWCTL_HOME)/.test(key)) delete env[key];
  }
  return { ...env, NO_COLOR: '1', ...vars };
}

/**
 * Runs one CLI command to completion. Never throws on a non-zero exit: the result carries it.
 * `cwd` should be a folder without a stray `.env` (the CLI reads `.env` from its working folder).
 * @returns {Promise<{code: number, stdout: string, stderr: string, json(): any}>}
 */
export function runCli(args, { env, cwd, timeoutMs = 60_000, input } = {}) {
  return new Promise((resolvePromise) => {
    const child = execFile(process.execPath, [cliBin, ...args], { env, cwd, timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolvePromise({
        code,
        stdout,
        stderr,
        json() {
          try {
            return JSON.parse(stdout);
          } catch {
            throw new Error(`interviewctl ${args.join(' ')} (exit ${code}) did not print JSON:\n${stdout}\n${stderr}`);
          }
        },
      });
    });
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

/**
 * Starts a long-running CLI command (`serve`, `agent`, …), its stdout and stderr going to
 * `logPath`, and resolves once `ready()` returns true.
 * @returns {Promise<{pid: number, logPath: string, logText(): string, exited(): null | {code: number|null, signal: string|null}, stop(): Promise<void>}>}
 */
export async function startCliProcess(args, { env, cwd, logPath, ready, readyTimeoutMs = 30_000, what = `interviewctl ${args[0]}` }) {
  const { child, exited, logText } = spawnLogged(process.execPath, [cliBin, ...args], { env, cwd, logPath });
  const handle = {
    pid: child.pid,
    logPath,
    logText,
    exited,
    stop: () => stopProcess(child, { graceMs: 10_000 }),
  };
  try {
    await waitUntil(
      async () => {
        const exit = exited();
        if (exit) throw new Error(`${what} exited (${exit.code ?? exit.signal}) while starting:\n${logText().slice(-3000)}`);
        return ready();
      },
      { timeoutMs: readyTimeoutMs, intervalMs: 150, what },
    );
  } catch (err) {
    await handle.stop();
    throw err;
  }
  return handle;
}
