import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInterviewRepo } from '../../cli/adapters/db/interviews.js';
import { makeNewInterview } from './helpers/builders.js';
import { cli, ndjson, scratchDir, startCli, type CliOptions, type CliResult } from './helpers/cli.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';

// Separate processes racing for the same interview, and commands racing to start the embedded
// database: exactly one wins, nobody corrupts anything.

const RACER = join(import.meta.dirname, 'helpers', 'apply-event.mjs');

let db: TestDatabase;
let scratch: ReturnType<typeof scratchDir>;

beforeAll(async () => {
  db = await createTestDatabase({ migrate: true });
  scratch = scratchDir('concurrency');
});

afterAll(async () => {
  await db?.drop();
  scratch?.remove();
});

const options = (): CliOptions => ({ cwd: scratch.dir, env: { ...db.env, INTERVIEWCTL_HOME: scratch.dir } });

async function newInterview(): Promise<string> {
  const row = makeNewInterview();
  await createInterviewRepo(db.sql).insertMany([row]);
  return row.id;
}

/**
 * Starts the racers while this test holds the interview's row lock, waits until every racer is
 * blocked on it inside its guarded UPDATE, then lets go: they run at the same moment, not one after
 * another because one process happened to start faster.
 */
async function raceBehindRowLock(id: string, start: () => { done: Promise<CliResult> }[]): Promise<CliResult[]> {
  const holder = await db.sql.reserve();
  let racers: { done: Promise<CliResult> }[] = [];
  try {
    await holder`begin`;
    await holder`select id from interviews where id = ${id} for update`;
    racers = start();
    const finished: CliResult[] = [];
    for (const r of racers) void r.done.then((res) => finished.push(res));
    const deadline = Date.now() + 20_000;
    for (;;) {
      const n = (await db.sql<{ n: number }[]>`
        select count(*)::int as n from pg_stat_activity
        where datname = current_database() and application_name = 'interviewctl' and wait_event_type = 'Lock'`)[0]!.n;
      if (n >= racers.length) break;
      if (finished.length > 0 || Date.now() > deadline) {
        const early = finished.map((f) => `exit ${f.code}: ${f.stdout}${f.stderr}`).join('\n');
        throw new Error(`only ${n} of ${racers.length} racers reached the row lock; finished early:\n${early}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    await holder`commit`.catch(() => {});
    holder.release();
  }
  return Promise.all(racers.map((r) => r.done));
}

const eventCount = async (id: string) => {
  const n = (await db.sql<{ n: number }[]>`select count(*)::int as n from interview_events where interview_id = ${id}`)[0]!.n;
  return n;
};

describe('two processes racing for one interview', () => {
  it('revoke twice at the same moment: one revokes, the other gets exit 5, one event row', async () => {
    for (let round = 0; round < 2; round++) {
      const id = await newInterview();
      const results = await raceBehindRowLock(id, () => [startCli(['revoke', id], options()), startCli(['revoke', id], options())]);
      const codes = results.map((r) => r.code).sort();
      expect(codes, results.map((r) => r.stderr).join('\n')).toEqual([0, 5]);
      const loser = results.find((r) => r.code === 5)!;
      expect(loser.stderr).toBe(`error: cannot revoke interview ${id}: it is revoked\n`);
      expect(results.find((r) => r.code === 0)!.stdout).toBe(`revoked ${id}\n`);
      expect(await eventCount(id)).toBe(1);
    }
  });

  it('three joins at the same moment: exactly one is let in (created → used), the others get a conflict', async () => {
    const id = await newInterview();
    const results = await raceBehindRowLock(id, () => [0, 1, 2].map(() => startCli([id, 'join'], { ...options(), bin: RACER })));
    const outcomes = results.map((r) => ({ code: r.code, ...ndjson<{ ok: boolean; name?: string; code?: string }>(r.stdout)[0] }));
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    const losers = outcomes.filter((o) => !o.ok);
    expect(losers).toHaveLength(2);
    for (const l of losers) expect(l).toMatchObject({ code: 'transition_not_allowed', name: 'ConflictError' });
    expect(results.map((r) => r.code).sort()).toEqual([0, 5, 5]);
    const events = await db.sql`select from_status, to_status from interview_events where interview_id = ${id}`;
    expect(events).toEqual([{ fromStatus: 'created', toStatus: 'used' }]);
    const [row] = await db.sql`select status, used_at from interviews where id = ${id}`;
    expect(row!.status).toBe('used');
    expect(row!.usedAt).toBeInstanceOf(Date);
  });

  it('a join and a revoke at the same moment: one of them wins and the record says which', async () => {
    const id = await newInterview();
    const [join_, revoke] = await raceBehindRowLock(id, () => [startCli([id, 'join'], { ...options(), bin: RACER }), startCli(['revoke', id], options())]);
    expect([join_!.code, revoke!.code].sort()).toEqual([0, 5]);
    const [row] = await db.sql`select status from interviews where id = ${id}`;
    expect(row!.status).toBe(join_!.code === 0 ? 'used' : 'revoked');
    const events = await db.sql`select to_status from interview_events where interview_id = ${id}`;
    expect(events).toEqual([{ toStatus: row!.status }]);
  });
});

describe('the embedded database on first use', () => {
  /** Postmaster processes (not their children) serving this data directory. */
  const postmasters = (data: string) =>
    spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter((l) => l.includes(` -D ${data} `) || l.endsWith(` -D ${data}`)).length;

  it('three commands started at the same moment on a fresh home all succeed, and one cluster is started', async () => {
    const home = scratchDir('fresh-home');
    const env = { INTERVIEWCTL_HOME: home.dir };
    const data = join(home.dir, 'postgres', 'data');
    try {
      const results = await Promise.all([
        cli(['create', '--name', 'First Candidate', '--json'], { env, cwd: home.dir, timeoutMs: 90_000 }),
        cli(['list', '--json'], { env, cwd: home.dir, timeoutMs: 90_000 }),
        cli(['questions', 'list', '--json'], { env, cwd: home.dir, timeoutMs: 90_000 }),
      ]);
      for (const r of results) expect(r.code, r.stderr).toBe(0);
      const stderr = results.map((r) => r.stderr).join('');
      expect(stderr.match(/initialising the embedded database/g)).toHaveLength(1);
      expect(stderr.match(/starting the embedded database/g)).toHaveLength(1);
      expect(postmasters(data)).toBe(1);

      // Later commands reuse it without starting anything.
      const later = await cli(['list', '--json'], { env, cwd: home.dir });
      expect(later.code).toBe(0);
      expect(later.stderr).toBe('');
      expect((JSON.parse(later.stdout) as { name: string }[]).map((r) => r.name)).toEqual(['First Candidate']);
      expect(postmasters(data)).toBe(1);
    } finally {
      const stop = await cli(['db', 'stop'], { env, cwd: home.dir });
      expect(stop.code, stop.stderr).toBe(0);
      expect(stop.stdout).toContain('stopped the embedded database');
      expect(postmasters(data)).toBe(0);
      home.remove();
    }
  }, 120_000);
});
