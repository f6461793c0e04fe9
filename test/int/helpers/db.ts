import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import type { Sql } from '../../../cli/adapters/db/connect.js';
import { columnCase } from '../../../cli/adapters/db/sql.js';
import { cli, type CliResult } from './cli.js';

export interface TestDatabase {
  name: string;
  /** What a command needs in its environment to use this database (DATABASE_URL, and for a Unix socket PGHOST). */
  env: Record<string, string>;
  /** A client for assertions and set-up. */
  sql: Sql;
  /** The environment for another database on the same server (e.g. one that does not exist). */
  envFor(database: string): Record<string, string>;
  /** Another client, e.g. for a second session in a race. */
  connect(max?: number): Sql;
  /** Runs `interviewctl db migrate` against it. */
  migrate(): Promise<CliResult>;
  drop(): Promise<void>;
}

// The repositories' column transform, so set-up and assertions read rows as the code does.
const CLIENT = { onnotice: () => {}, types: {}, transform: columnCase, connect_timeout: 10, idle_timeout: 5 };

function adminClient(): Sql {
  const pg = inject('pg');
  if (pg.kind === 'url') return postgres(pg.url, { ...CLIENT, max: 1 }) as unknown as Sql;
  return postgres({ ...CLIENT, max: 1, host: pg.socketDir, port: 5432, user: 'postgres', password: pg.password, database: 'postgres' }) as unknown as Sql;
}

/**
 * A fresh, empty database on the run's Postgres, so test files never see each other's rows.
 * postgres.js reads a Unix socket only from a host holding "/", which a URL cannot carry: for the
 * embedded cluster DATABASE_URL names the database and PGHOST the socket folder.
 */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const pg = inject('pg');
  const name = `ictl_t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = adminClient();
  try {
    await admin`create database ${admin(name)}`;
  } finally {
    await admin.end({ timeout: 1 });
  }

  const envFor = (database: string): Record<string, string> => {
    if (pg.kind === 'url') {
      const u = new URL(pg.url);
      u.pathname = `/${database}`;
      return { DATABASE_URL: u.toString() };
    }
    return { DATABASE_URL: `postgres:///${database}`, PGHOST: pg.socketDir, PGUSER: 'postgres', PGPASSWORD: pg.password };
  };
  const env = envFor(name);
  const connect = (max = 4): Sql =>
    (pg.kind === 'url'
      ? postgres(env.DATABASE_URL!, { ...CLIENT, max })
      : postgres({ ...CLIENT, max, host: pg.socketDir, port: 5432, user: 'postgres', password: pg.password, database: name })) as unknown as Sql;
  const sql = connect();
  const db: TestDatabase = {
    name,
    env,
    envFor,
    sql,
    connect,
    migrate: () => cli(['db', 'migrate'], { env }),
    async drop() {
      await sql.end({ timeout: 1 });
      const a = adminClient();
      try {
        await a`drop database if exists ${a(name)} with (force)`;
      } finally {
        await a.end({ timeout: 1 });
      }
    },
  };
  if (options.migrate) {
    const r = await db.migrate();
    if (r.code !== 0) throw new Error(`db migrate failed (exit ${r.code}): ${r.stderr}`);
  }
  return db;
}

/** An environment whose database server is not there: nothing listens on that socket or port. */
export function unreachableEnv(): Record<string, string> {
  return inject('pg').kind === 'url'
    ? { DATABASE_URL: 'postgres://postgres@127.0.0.1:9/interviewctl' }
    : { DATABASE_URL: 'postgres:///interviewctl', PGHOST: '/nonexistent/interviewctl-test', PGUSER: 'postgres' };
}
