import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/int/helpers/db.js';
import { ConfigError } from '../../core/errors.js';
import { migrate, migrationsDir, migrationStatus, readMigrations } from './migrate.js';

let db: TestDatabase;
let dir: string;

beforeEach(async () => {
  db = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'ictl-migrations-'));
});

afterEach(async () => {
  rmSync(dir, { recursive: true, force: true });
  await db.drop();
});

const write = (file: string, text: string) => writeFileSync(join(dir, file), text);
const tables = async () =>
  (await db.sql<{ t: string }[]>`select table_name as t from information_schema.tables where table_schema = 'public' order by 1`).map((r) => r.t);

describe('readMigrations', () => {
  it('reads the shipped migrations as 1, 2, 3, … with no gaps', () => {
    const files = readMigrations();
    const onDisk = readdirSync(migrationsDir()).filter((f) => f.endsWith('.sql')).sort();
    expect(files.map((f) => `${String(f.version).padStart(5, '0')}_${f.name}.sql`)).toEqual(onDisk);
    expect(files.map((f) => f.version)).toEqual(files.map((_, i) => i + 1));
  });

  it('rejects a gap in the numbers', () => {
    write('00001_a.sql', 'create table a (x int);');
    write('00003_c.sql', 'create table c (x int);');
    expect(() => readMigrations(dir)).toThrow(ConfigError);
    expect(() => readMigrations(dir)).toThrow(/expected migration 2 but found 3 \(c\)/);
  });

  it('rejects two files with the same number', () => {
    write('00001_a.sql', 'select 1;');
    write('00002_b.sql', 'select 1;');
    write('00002_b2.sql', 'select 1;');
    expect(() => readMigrations(dir)).toThrow(/expected migration 3 but found 2/);
  });

  it('rejects a file not named NNNNN_name.sql', () => {
    write('1_a.sql', 'select 1;');
    expect(() => readMigrations(dir)).toThrow(/1_a\.sql: name must be NNNNN_name\.sql/);
  });
});

describe('migrate', () => {
  it('applies every shipped migration once; a second run applies nothing', async () => {
    const files = readMigrations();
    const first = await migrate(db.sql);
    expect(first.map((f) => f.version)).toEqual(files.map((f) => f.version));
    expect(await tables()).toEqual(expect.arrayContaining(['interviews', 'interview_events', 'question_sets', 'schema_migrations']));
    expect(await migrate(db.sql)).toEqual([]);
    const rows = await db.sql<{ version: number; checksum: string }[]>`select version, checksum from schema_migrations order by version`;
    expect(rows).toEqual(files.map((f) => ({ version: f.version, checksum: f.checksum })));
  });

  it('reports pending migrations, then applied ones with their time', async () => {
    write('00001_a.sql', 'create table a (x int);');
    write('00002_b.sql', 'create table b (x int);');
    const files = readMigrations(dir);
    expect((await migrationStatus(db.sql, files)).map((s) => s.state)).toEqual(['pending', 'pending']);
    await migrate(db.sql, files.slice(0, 1));
    const status = await migrationStatus(db.sql, files);
    expect(status.map((s) => s.state)).toEqual(['applied', 'pending']);
    expect(Date.now() - Date.parse(status[0]!.appliedAt!)).toBeLessThan(60_000);
  });

  it('refuses to run when an applied migration was edited, and applies nothing after it', async () => {
    write('00001_a.sql', 'create table a (x int);');
    await migrate(db.sql, readMigrations(dir));
    write('00001_a.sql', 'create table a (x int, y int);');
    write('00002_b.sql', 'create table b (x int);');
    const edited = readMigrations(dir);
    await expect(migrate(db.sql, edited)).rejects.toThrow(/migration 1 \(a\) was edited after it was applied/);
    await expect(migrationStatus(db.sql, edited)).rejects.toThrow(ConfigError);
    expect(await tables()).not.toContain('b');
  });

  it('refuses a database that has a migration this build does not know', async () => {
    write('00001_a.sql', 'create table a (x int);');
    write('00002_b.sql', 'create table b (x int);');
    await migrate(db.sql, readMigrations(dir));
    rmSync(join(dir, '00002_b.sql'));
    await expect(migrate(db.sql, readMigrations(dir))).rejects.toThrow(/migration 2 \(b\) is applied but its file is missing/);
  });

  it('applies all pending migrations in one transaction: a failing one leaves nothing behind', async () => {
    write('00001_a.sql', 'create table a (x int);');
    write('00002_b.sql', 'create table b (x int); this is not sql;');
    await expect(migrate(db.sql, readMigrations(dir))).rejects.toThrow(/syntax error/);
    expect(await tables()).toEqual([]);
  });

  it('lets two clients migrate at once: both succeed, each migration is applied once', async () => {
    const other = db.connect(1);
    try {
      const [a, b] = await Promise.all([migrate(db.sql), migrate(other)]);
      const n = readMigrations().length;
      expect([a.length, b.length].sort()).toEqual([0, n]);
      const count = (await db.sql<{ count: number }[]>`select count(*)::int as count from schema_migrations`)[0]!.count;
      expect(count).toBe(n);
    } finally {
      await other.end({ timeout: 1 });
    }
  });
});
