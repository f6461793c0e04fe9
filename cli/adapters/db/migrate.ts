import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors.js';
import { packageRoot } from '../../paths.js';
import type { Sql } from './sql.js';

export interface MigrationFile {
  version: number;
  name: string;
  checksum: string;
  text: string;
}

export interface MigrationStatus {
  version: number;
  name: string;
  state: 'applied' | 'pending';
  appliedAt: string | null;
}

// One lock for every process that migrates: "interviewctl" as a number.
const LOCK_KEY = 7_236_511_042;

export function migrationsDir(): string {
  return join(packageRoot(), 'sql', 'migrations');
}

/** Reads `NNNNN_name.sql` files in order; a gap or a duplicate number is a packaging bug. */
export function readMigrations(dir = migrationsDir()): MigrationFile[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  const out: MigrationFile[] = [];
  for (const file of files) {
    const m = /^(\d{5})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!m) throw new ConfigError([`sql/migrations/${file}: name must be NNNNN_name.sql`]);
    const text = readFileSync(join(dir, file), 'utf8');
    out.push({ version: Number(m[1]), name: m[2]!, checksum: createHash('sha256').update(text).digest('hex'), text });
  }
  out.forEach((f, i) => {
    if (f.version !== i + 1) throw new ConfigError([`sql/migrations: expected migration ${i + 1} but found ${f.version} (${f.name}); numbers must have no gaps`]);
  });
  return out;
}

async function ensureTable(sql: Sql): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer     PRIMARY KEY,
      name       text        NOT NULL,
      checksum   text        NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`;
}

function checkApplied(files: MigrationFile[], applied: { version: number; name: string; checksum: string }[]): void {
  const problems: string[] = [];
  for (const row of applied) {
    const file = files.find((f) => f.version === row.version);
    if (!file) problems.push(`migration ${row.version} (${row.name}) is applied but its file is missing: this build is older than the database`);
    else if (file.checksum !== row.checksum) problems.push(`migration ${row.version} (${row.name}) was edited after it was applied; landed migrations must never change`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
}

/** Applies every pending migration in one transaction under one advisory lock. Returns what it applied. */
export async function migrate(sql: Sql, files = readMigrations()): Promise<MigrationFile[]> {
  return sql.begin(async (tx) => {
    const t = tx as unknown as Sql;
    await t`select pg_advisory_xact_lock(${LOCK_KEY})`;
    await ensureTable(t);
    const applied = await t<{ version: number; name: string; checksum: string }[]>`select version, name, checksum from schema_migrations order by version`;
    checkApplied(files, applied);
    const pending = files.filter((f) => !applied.some((a) => a.version === f.version));
    for (const f of pending) {
      await t.unsafe(f.text);
      await t`insert into schema_migrations (version, name, checksum) values (${f.version}, ${f.name}, ${f.checksum})`;
    }
    return pending;
  }) as Promise<MigrationFile[]>;
}

export async function migrationStatus(sql: Sql, files = readMigrations()): Promise<MigrationStatus[]> {
  const exists = await sql<{ ok: boolean }[]>`select to_regclass('schema_migrations') is not null as ok`;
  const applied = exists[0]!.ok
    ? await sql<{ version: number; name: string; checksum: string; appliedAt: Date }[]>`select version, name, checksum, applied_at from schema_migrations order by version`
    : [];
  checkApplied(files, applied);
  return files.map((f) => {
    const row = applied.find((a) => a.version === f.version);
    return { version: f.version, name: f.name, state: row ? 'applied' : 'pending', appliedAt: row ? row.appliedAt.toISOString() : null };
  });
}
