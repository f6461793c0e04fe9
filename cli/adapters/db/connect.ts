import postgres from 'postgres';
import { ConfigError, UnavailableError } from '../../core/errors.js';
import { isConnectionError } from './errors.js';

export { isConnectionError };
import type { Settings } from '../../settings.js';
import { embeddedConnection, embeddedNeedsProtection, embeddedPaths, ensureEmbeddedStarted } from './embedded.js';
import { migrate } from './migrate.js';

import { columnCase, type Sql } from './sql.js';

export type { Sql };

export interface Database {
  sql: Sql;
  /** True when this is the embedded cluster that interviewctl manages. */
  embedded: boolean;
  /** Where it is, for messages (never includes a password). */
  where: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Connections in the pool. */
  max?: number;
  onStatus?: (message: string) => void;
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'DATABASE_URL';
  }
}

function client(settings: Settings, max: number): Sql {
  const common = {
    max,
    onnotice: () => {},
    connect_timeout: 10,
    idle_timeout: 30,
    types: {},
    transform: columnCase,
    connection: { application_name: 'interviewctl' },
  };
  if (settings.databaseUrl) return postgres(settings.databaseUrl, common) as unknown as Sql;
  return postgres({ ...common, ...embeddedConnection(embeddedPaths(settings.home)) }) as unknown as Sql;
}

/**
 * A one-connection client on the same database, for LISTEN only (no migration, no start: the
 * caller already opened the database).
 */
export function openListenClient(settings: Pick<Settings, 'databaseUrl' | 'home'>, applicationName: string): Sql {
  const options = { max: 1, onnotice: () => {}, connect_timeout: 5, transform: columnCase, connection: { application_name: applicationName } };
  if (settings.databaseUrl) return postgres(settings.databaseUrl, options) as unknown as Sql;
  return postgres({ ...options, ...embeddedConnection(embeddedPaths(settings.home)) }) as unknown as Sql;
}

/**
 * Opens the database: DATABASE_URL when set, otherwise the embedded cluster, started (and
 * migrated) on first use. The fast path is one connection attempt; only when it fails do we
 * take the start lock.
 */
export async function openDatabase(settings: Settings, options: OpenOptions = {}): Promise<Database> {
  const max = options.max ?? 4;
  const embedded = settings.databaseUrl === undefined;
  const where = embedded ? `embedded (${embeddedPaths(settings.home).data})` : redact(settings.databaseUrl!);
  let sql = client(settings, max);
  let ready = false;
  try {
    await sql`select 1`;
    // A cluster an older version started still lets every local user in: protect it first (and
    // make the pool again, as its connections were opened without the password).
    ready = !embedded || !embeddedNeedsProtection(embeddedPaths(settings.home));
  } catch (err) {
    if (!embedded || !isConnectionError(err)) {
      await sql.end({ timeout: 1 }).catch(() => {});
      throw unavailable(err, where);
    }
  }
  if (!ready) {
    await sql.end({ timeout: 1 }).catch(() => {});
    await ensureEmbeddedStarted(embeddedPaths(settings.home), options.onStatus);
    sql = client(settings, max);
    try {
      await sql`select 1`;
      // Also when another process started it: its migration may still be running, and the
      // advisory lock in migrate() waits for it instead of letting us query missing tables.
      await migrate(sql);
    } catch (err2) {
      await sql.end({ timeout: 1 }).catch(() => {});
      throw unavailable(err2, where);
    }
  }
  return { sql, embedded, where, close: () => sql.end({ timeout: 5 }) };
}

/** True when the database answers a trivial query within `timeoutMs` (serve's /healthz). */
export function pingDatabase(sql: Sql, timeoutMs: number): Promise<boolean> {
  return Promise.race([sql`select 1`.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs))]).catch(() => false);
}

function unavailable(err: unknown, where: string): Error {
  if (err instanceof UnavailableError || err instanceof ConfigError) return err;
  const code = (err as { code?: string })?.code;
  const message = (err as Error)?.message ?? String(err);
  return new UnavailableError('database', `cannot reach the database at ${where}: ${message}${code ? ` (${code})` : ''}`, { cause: err });
}
