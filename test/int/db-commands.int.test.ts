import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, scratchDir, stackFrames, type CliOptions } from './helpers/cli.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { ROOT } from './helpers/paths.js';

// db migrate | status | stop, as a user (or a deploy script) runs them.

const MIGRATIONS = readdirSync(join(ROOT, 'sql', 'migrations'))
  .filter((f) => f.endsWith('.sql'))
  .sort()
  .map((f) => f.replace(/\.sql$/, ''));

let scratch: ReturnType<typeof scratchDir>;
const dbs: TestDatabase[] = [];

beforeAll(() => {
  scratch = scratchDir('db-commands');
});

afterAll(async () => {
  await Promise.all(dbs.map((d) => d.drop()));
  scratch?.remove();
});

async function freshDb(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  dbs.push(db);
  return db;
}

const run = (db: TestDatabase, args: string[], options: CliOptions = {}) =>
  cli(args, { cwd: scratch.dir, ...options, env: { ...db.env, INTERVIEWCTL_HOME: scratch.dir, ...options.env } });

/**
 * A copy of the installed package whose sql/migrations the test may change, as a bad build or a
 * hand-edited migration would. dist/ is copied (not linked) because the CLI finds its migrations
 * next to its own compiled files.
 */
function packageCopy(): string {
  const dir = join(scratch.dir, `pkg-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir);
  for (const p of ['bin', 'dist', 'sql', 'package.json']) cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

describe('db status and db migrate', () => {
  it('status exits 5 while migrations are pending; migrate applies them once; then status exits 0', async () => {
    const db = await freshDb();
    const pending = await run(db, ['db', 'status']);
    expect(pending.code).toBe(5);
    for (const m of MIGRATIONS) expect(pending.stdout).toMatch(new RegExp(`^${m.replace('_', '\\s+')}\\s+pending\\s+-$`, 'm'));
    expect(pending.stdout).toContain(`${MIGRATIONS.length} pending: run \`interviewctl db migrate\``);
    const pendingJson = await run(db, ['db', 'status', '--json']);
    expect(pendingJson.code).toBe(5);
    expect(JSON.parse(pendingJson.stdout)).toMatchObject({ embedded: false, pending: MIGRATIONS.length });

    const migrated = await run(db, ['db', 'migrate']);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toBe(MIGRATIONS.map((m) => `applied ${m}\n`).join(''));

    const again = await run(db, ['db', 'migrate', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ applied: [] });
    expect((await run(db, ['db', 'migrate'])).stdout).toBe('database is up to date\n');

    const status = await run(db, ['db', 'status', '--json']);
    expect(status.code).toBe(0);
    const body = JSON.parse(status.stdout) as { pending: number; migrations: { state: string; appliedAt: string }[] };
    expect(body.pending).toBe(0);
    expect(body.migrations.map((m) => m.state)).toEqual(MIGRATIONS.map(() => 'applied'));
    const n = (await db.sql<{ n: number }[]>`select count(*)::int as n from schema_migrations`)[0]!.n;
    expect(n).toBe(MIGRATIONS.length);
  });

  it('commands on a database that was never migrated say to run db migrate (exit 3)', async () => {
    const db = await freshDb();
    const r = await run(db, ['create', '--name', 'Too Early']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('run `interviewctl db migrate`');
    expect(stackFrames(r.stderr)).toEqual([]);
  });

  it('two db migrate started at the same moment both succeed and apply each migration once', async () => {
    const db = await freshDb();
    const [a, b] = await Promise.all([run(db, ['db', 'migrate', '--json']), run(db, ['db', 'migrate', '--json'])]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const applied = [a, b].map((r) => (JSON.parse(r.stdout) as { applied: unknown[] }).applied.length).sort();
    expect(applied).toEqual([0, MIGRATIONS.length]);
    const rows = await db.sql<{ version: number }[]>`select version from schema_migrations order by version`;
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('refuses a landed migration that was edited afterwards (exit 3, naming it)', async () => {
    const db = await freshDb();
    expect((await db.migrate()).code).toBe(0);
    const pkg = packageCopy();
    const first = join(pkg, 'sql', 'migrations', `${MIGRATIONS[0]}.sql`);
    writeFileSync(first, `${readFileSync(first, 'utf8')}\n-- a harmless-looking edit\n`);
    for (const args of [['db', 'status'], ['db', 'migrate']]) {
      const r = await cli([...args], { cwd: scratch.dir, env: { ...db.env, INTERVIEWCTL_HOME: scratch.dir }, bin: join(pkg, 'bin', 'interviewctl') });
      expect(r.code, args.join(' ')).toBe(3);
      expect(r.stderr).toContain(`migration 1 (${MIGRATIONS[0]!.slice(6)}) was edited after it was applied; landed migrations must never change`);
    }
  });

  it('refuses a build whose migrations have a gap in their numbers (exit 3)', async () => {
    const db = await freshDb();
    const pkg = packageCopy();
    const next = MIGRATIONS.length + 2;
    writeFileSync(join(pkg, 'sql', 'migrations', `${String(next).padStart(5, '0')}_skipped_one.sql`), 'select 1;\n');
    const r = await cli(['db', 'migrate'], { cwd: scratch.dir, env: { ...db.env, INTERVIEWCTL_HOME: scratch.dir }, bin: join(pkg, 'bin', 'interviewctl') });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`expected migration ${MIGRATIONS.length + 1} but found ${next} (skipped_one); numbers must have no gaps`);
    const exists = (await db.sql<{ exists: boolean }[]>`select to_regclass('schema_migrations') is not null as exists`)[0]!.exists;
    expect(exists).toBe(false);
  });
});

describe('db stop', () => {
  it('refuses to stop anything when DATABASE_URL is set', async () => {
    const db = await freshDb();
    const r = await run(db, ['db', 'stop']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: DATABASE_URL is set: `db stop` only stops the embedded database\n');
  });
});
