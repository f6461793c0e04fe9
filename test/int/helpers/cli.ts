import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from './paths.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Added to a clean environment (PATH only), so the caller's shell settings cannot leak in. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  input?: string | Buffer;
  /** Leave stdin open (for a command that should be waiting on it). */
  holdStdin?: boolean;
  timeoutMs?: number;
  /** Another copy of the CLI entry (default: this repository's bin/interviewctl). */
  bin?: string;
}

/** Starts `node bin/interviewctl …` as a user would; resolves when it exits. */
export function startCli(args: string[], options: CliOptions = {}): { done: Promise<CliResult>; signal(sig: NodeJS.Signals): void } {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1', TZ: 'UTC' };
  for (const [k, v] of Object.entries(options.env ?? {})) if (v !== undefined) env[k] = v;
  const child = spawn(process.execPath, [options.bin ?? BIN, ...args], { cwd: options.cwd ?? env.INTERVIEWCTL_HOME ?? tmpdir(), env, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  child.stdin.on('error', () => {});
  if (options.holdStdin) child.stdin.write(options.input ?? '');
  else child.stdin.end(options.input ?? '');
  return { done, signal: (sig) => child.kill(sig) };
}

export function cli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).done;
}

/** A scratch folder for one test file: the working directory and INTERVIEWCTL_HOME of its commands. */
export function scratchDir(label: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `ictl-${label}-`));
  chmodSync(dir, 0o755);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** stderr lines that look like a JavaScript stack frame: a user should never see one for bad input. */
export function stackFrames(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /^\s+at .+[:(]/.test(l));
}

/** Parses NDJSON output. */
export function ndjson<T = Record<string, unknown>>(text: string): T[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}
