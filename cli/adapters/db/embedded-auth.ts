import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { existsSync, lchownSync, lstatSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import postgres from 'postgres';
import type { RunAs } from './embedded-fs.js';

/**
 * How the embedded cluster keeps other local users out: its socket folder is 0700 and the
 * `postgres` role has a scram-sha-256 password kept in a 0600 file in the home. Clusters made by
 * older versions (`--auth=trust`, a 0777 socket) are upgraded in place on their next use.
 */
export interface AuthPaths {
  data: string;
  socketDir: string;
  passwordFile: string;
}

const HBA = (passwordFile: string) => `# Written by interviewctl. Only the postgres role, with the scram-sha-256 password kept in
# ${passwordFile} (mode 0600); the socket folder is 0700 and there is no TCP listener.
local   all             all                                     scram-sha-256
host    all             all             127.0.0.1/32            scram-sha-256
host    all             all             ::1/128                 scram-sha-256
local   replication     all                                     scram-sha-256
`;

/** The password, or undefined when there is none (yet) or it cannot be read by this user. */
export function readEmbeddedPassword(passwordFile: string): string | undefined {
  try {
    return readFileSync(passwordFile, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The stored password, made (0600, exclusively) when there is none. */
export function ensurePasswordFile(passwordFile: string): string {
  const existing = readEmbeddedPassword(passwordFile);
  if (existing) return existing;
  const password = randomBytes(24).toString('base64url');
  try {
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600, flag: 'wx' });
    return password;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readEmbeddedPassword(passwordFile) ?? password;
  }
}

/**
 * The SCRAM-SHA-256 verifier Postgres stores for a password (RFC 5802/7677): setting the role's
 * password to it means the plain password never travels to the server or into its logs.
 */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** The authentication methods pg_hba.conf names, or undefined when it cannot be read. */
export function hbaMethods(data: string): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(`${data}/pg_hba.conf`, 'utf8');
  } catch {
    return undefined;
  }
  const methods = new Set<string>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const fields = line.split(/\s+/);
    // local DB USER METHOD | host DB USER ADDRESS METHOD (an address may be "addr mask")
    const method = fields[0] === 'local' ? fields[3] : fields.find((f, i) => i >= 4 && /^[a-z-]+$/.test(f) && !f.includes('.'));
    if (method) methods.add(method);
  }
  return [...methods];
}

/** True when the cluster still lets anyone in without a password, or has no password on file. */
export function needsAuthUpgrade(paths: AuthPaths): boolean {
  if (!existsSync(`${paths.data}/PG_VERSION`)) return false;
  const methods = hbaMethods(paths.data);
  if (methods === undefined) return false;
  return methods.some((m) => m !== 'scram-sha-256' && m !== 'reject') || readEmbeddedPassword(paths.passwordFile) === undefined;
}

/**
 * Upgrades a running cluster to password authentication: sets the role's password (from the file,
 * made if missing), rewrites pg_hba.conf and reloads it. Runs under the start lock; idempotent.
 */
export async function upgradeAuth(paths: AuthPaths, port: number, who: RunAs): Promise<void> {
  const password = ensurePasswordFile(paths.passwordFile);
  const sql = postgres({ host: paths.socketDir, port, user: 'postgres', database: 'postgres', password, max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    // The verifier is made here from base64 characters only: nothing in it needs quoting.
    await sql.unsafe(`alter role postgres password '${scramVerifier(password)}'`);
    const hba = `${paths.data}/pg_hba.conf`;
    const tmp = `${hba}.interviewctl-${process.pid}`;
    writeFileSync(tmp, HBA(paths.passwordFile), { mode: 0o600, flag: 'wx' });
    if (who.uid !== undefined && who.gid !== undefined) lchownSync(tmp, who.uid, who.gid);
    renameSync(tmp, hba);
    await sql`select pg_reload_conf()`;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** What `db status` says about who can reach the embedded cluster. */
export function describeProtection(paths: AuthPaths): { socketFolderMode: string | null; auth: string[] | null; passwordFile: string; passwordFileMode: string | null; ownerOnly: boolean } {
  const mode = (p: string) => {
    try {
      return (lstatSync(p).mode & 0o777).toString(8).padStart(4, '0');
    } catch {
      return null;
    }
  };
  const socketFolderMode = mode(paths.socketDir);
  const auth = hbaMethods(paths.data) ?? null;
  const passwordFileMode = mode(paths.passwordFile);
  const ownerOnly = socketFolderMode === '0700' && auth !== null && auth.every((m) => m === 'scram-sha-256' || m === 'reject') && passwordFileMode === '0600';
  return { socketFolderMode, auth, passwordFile: paths.passwordFile, passwordFileMode, ownerOnly };
}
