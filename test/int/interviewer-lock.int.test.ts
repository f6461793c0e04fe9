import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeInterviewerLock } from '../../cli/adapters/db/interviewer-lock.js';
import type { Sql } from '../../cli/adapters/db/connect.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';

// Two agent jobs for one interview (a re-dispatch's, and one that started just before it): each
// job process has its own pool, so each is a client of its own here.

let db: TestDatabase;
const clients: Sql[] = [];
const job = () => {
  const sql = db.connect(3);
  clients.push(sql);
  return sql;
};

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.end({ timeout: 1 }).catch(() => {})));
  await db?.drop();
});

describe('the interviewer lock', () => {
  it('refuses a second job while the first holds it, and lets one in once the first has released it', async () => {
    const first = await takeInterviewerLock(job(), 'interviewA');
    expect(first).toBeDefined();
    const second = job();
    expect(await takeInterviewerLock(second, 'interviewA')).toBeUndefined();
    // Another interview is not held up by it.
    expect(await takeInterviewerLock(second, 'interviewB')).toBeDefined();
    await first!.release();
    expect(await takeInterviewerLock(second, 'interviewA')).toBeDefined();
  });

  it('is free again once the holder’s connection closes without releasing it (a killed job process)', async () => {
    const killed = job();
    expect(await takeInterviewerLock(killed, 'interviewC')).toBeDefined();
    const next = job();
    expect(await takeInterviewerLock(next, 'interviewC')).toBeUndefined();
    await killed.end({ timeout: 0 });
    expect(await takeInterviewerLock(next, 'interviewC')).toBeDefined();
  });

  it('gives its connection back: a pool of one still answers after a release', async () => {
    const sql = db.connect(1);
    clients.push(sql);
    const lock = await takeInterviewerLock(sql, 'interviewD');
    await lock!.release();
    const [row] = await sql<{ n: number }[]>`select 1 as n`;
    expect(row!.n).toBe(1);
    // And the released lock did not stay on that pooled connection.
    expect(await takeInterviewerLock(job(), 'interviewD')).toBeDefined();
  });
});
