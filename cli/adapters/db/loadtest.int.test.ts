import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeNewInterview } from '../../../test/int/helpers/builders.js';
import { createTestDatabase, type TestDatabase } from '../../../test/int/helpers/db.js';
import { createInterviewRepo } from './interviews.js';
import { createLoadtestRepo } from './loadtest.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase({ migrate: true });
});

afterAll(async () => {
  await db?.drop();
});

describe('cleaning up after a load test', () => {
  it('purges only finished interviews whose ref says loadtest-, whatever ids it is given', async () => {
    const repo = createInterviewRepo(db.sql);
    const mine = makeNewInterview({ ref: 'loadtest-20261201T000000-1' });
    const live = makeNewInterview({ ref: 'loadtest-20261201T000000-2' });
    const real = makeNewInterview({ ref: 'ATS-1042' });
    await repo.insertMany([mine, live, real]);
    await db.sql`update interviews set status = 'completed', recording_key = 'recordings/x.mp4' where id = any(${[mine.id, real.id]})`;
    await db.sql`update interviews set status = 'recording' where id = ${live.id}`;
    await db.sql`insert into utterances (interview_id, seq, speaker, kind, start_ms, end_ms) values (${mine.id}, 1, 'agent', 'greeting', 0, 1000), (${real.id}, 1, 'agent', 'greeting', 0, 1000)`;

    const lt = createLoadtestRepo(db.sql);
    const found = await lt.find([mine.id, live.id, real.id]);
    const byId = Object.fromEntries(found.map((f) => [f.id, [f.status, f.keys]]));
    expect(byId).toEqual({ [mine.id]: ['completed', ['recordings/x.mp4']], [live.id]: ['recording', []] });
    expect(await lt.purge([mine.id, live.id, real.id], new Map([[mine.id, 1]]))).toBe(1);

    const rows = await db.sql<{ id: string; purged: boolean }[]>`select id, purged_at is not null as purged from interviews where id = any(${[mine.id, live.id, real.id]})`;
    expect(Object.fromEntries(rows.map((r) => [r.id, r.purged]))).toEqual({ [mine.id]: true, [live.id]: false, [real.id]: false });
    expect(await db.sql`select interview_id from utterances where interview_id = any(${[mine.id, real.id]})`).toEqual([{ interviewId: real.id }]);
    expect(await db.sql`select objects_deleted, retention from purge_audit where interview_id = ${mine.id}`).toEqual([{ objectsDeleted: 1, retention: 'loadtest' }]);
    // A second cleanup finds nothing left to do.
    expect((await lt.find([mine.id])).length).toBe(0);
  });
});
