// Helpers shared by the benchmark scripts: a throwaway INTERVIEWCTL_HOME with its own embedded
// database, running the real CLI, and tidy figures. Plain Node, no build step of its own.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(ROOT, 'bin/interviewctl');

export function requireBuild() {
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) {
    process.stderr.write('dist/ is missing: run `npm run build` first\n');
    process.exit(1);
  }
}

/** Reads `--name value` style options with numeric defaults. */
export function numberOption(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`--${name}: expected a positive whole number\n`);
    process.exit(2);
  }
  return n;
}

/**
 * A fresh INTERVIEWCTL_HOME in the temp folder. It is world-readable because, as root, the
 * embedded Postgres runs as the `postgres` user and must reach its data folder.
 */
export function freshHome(label) {
  const home = mkdtempSync(join(tmpdir(), `ictl-${label}-`));
  chmodSync(home, 0o755);
  // The CLI runs with the home as its working folder, so no .env of the repository applies, and
  // without DATABASE_URL, so it uses (and starts) the embedded database in the home.
  const env = { ...process.env, INTERVIEWCTL_HOME: home, NO_COLOR: '1' };
  delete env.DATABASE_URL;
  return { home, env };
}

const children = new Set();

/** Runs the CLI to completion; resolves with its exit code, wall time and stderr. */
export function runCli(args, { env, cwd, stdoutFile = '/dev/null', nodeArgs = [] }) {
  return new Promise((resolvePromise, reject) => {
    const out = openSync(stdoutFile, 'w');
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [...nodeArgs, BIN, ...args], { env, cwd, stdio: ['ignore', out, 'pipe'] });
    children.add(child);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s) => {
      if (stderr.length < 64_000) stderr += s;
    });
    child.on('error', (err) => {
      children.delete(child);
      closeSync(out);
      reject(err);
    });
    child.on('close', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      children.delete(child);
      closeSync(out);
      resolvePromise({ code: code ?? (signal ? 128 : 1), ms, stderr });
    });
  });
}

/** Runs the CLI and fails the benchmark loudly when it does not exit 0. */
export async function mustRun(args, opts) {
  const res = await runCli(args, opts);
  if (res.code !== 0) throw new Error(`interviewctl ${args.join(' ')} exited ${res.code}:\n${res.stderr.trim()}`);
  return res;
}

/** Stops the home's embedded database (if it ever started) and removes the home. */
export function cleanup({ home, env }) {
  for (const child of children) child.kill('SIGTERM');
  if (existsSync(join(home, 'postgres', 'data', 'PG_VERSION'))) {
    const res = spawnSync(process.execPath, [BIN, 'db', 'stop'], { env, cwd: home, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (res.status !== 0) process.stderr.write(`warning: db stop failed: ${res.stderr}\n`);
  }
  rmSync(home, { recursive: true, force: true });
}

/** Makes Ctrl-C (and a kill) still stop the database and remove the temp home. */
export function cleanupOnSignal(target) {
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      process.stderr.write(`\n${sig}: cleaning up\n`);
      cleanup(target);
      process.exit(130);
    });
  }
}

/**
 * A clock of the CPU time the whole Postgres cluster of `dataDir` has spent, in ms (backends that
 * have exited are counted in the postmaster's children's time): a figure the machine's other
 * load hardly moves.
 */
export function postgresCpuClock(dataDir) {
  const CLOCK_TICKS = 100;
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return () => {
    let ticks = 0;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
        // utime, stime, cutime, cstime (fields 14-17); ppid is field 4.
        if (Number(pid) === postmaster || Number(f[1]) === postmaster) ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      } catch {
        // gone meanwhile
      }
    }
    return (ticks * 1000) / CLOCK_TICKS;
  };
}

/** A small deterministic random generator (mulberry32), so every run loads the same data. */
export function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export const int = (n) => Math.round(n).toLocaleString('en-US');
export const fixed = (n, digits = 2) => n.toFixed(digits);

/** A small aligned table: first column left, the rest right-aligned. */
export function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? '').length)));
  return rows
    .map((r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c ?? '').padStart(widths[i]))).join('   ').trimEnd())
    .join('\n');
}
