import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeNewInterview } from '../../../test/int/helpers/builders.js';
import { createTestDatabase, type TestDatabase } from '../../../test/int/helpers/db.js';
import { ConflictError, NotFoundError, UsageError } from '../../core/errors.js';
import { STATUSES, transition, type InterviewEvent, type Status } from '../../core/states.js';
import { createInterviewRepo, type InterviewRepo } from './interviews.js';

let db: TestDatabase;
let repo: InterviewRepo;

beforeAll(async () => {
  db = await createTestDatabase({ migrate: true });
  repo = createInterviewRepo(db.sql);
});

afterAll(async () => {
  await db?.drop();
});

const EVENTS: InterviewEvent[] = ['join', 'recorder_started', 'end', 'finalized', 'fail', 'expire', 'revoke'];

/** An interview already in `status`, as if earlier transitions had happened. */
async function interviewIn(status: Status): Promise<string> {
  const row = makeNewInterview();
  await repo.insertMany([row]);
  await db.sql`update interviews set status = ${status} where id = ${row.id}`;
  return row.id;
}

const eventRows = (id: string) => db.sql<{ fromStatus: string; toStatus: string; actor: string; reason: string | null }[]>`
  select from_status, to_status, actor, reason from interview_events where interview_id = ${id} order by id`;

describe('applyEvent: the guarded SQL agrees with the state machine', () => {
  for (const status of STATUSES) {
    it(`every event from ${status}`, async () => {
      for (const event of EVENTS) {
        const id = await interviewIn(status);
        const expected = transition(status, event);
        if (expected.ok) {
          const moved = await repo.applyEvent(id, event, { actor: 'test', reason: `${event} from ${status}` });
          expect(moved.status, `${event} from ${status}`).toBe(expected.state);
          expect(await eventRows(id)).toEqual([{ fromStatus: status, toStatus: expected.state, actor: 'test', reason: `${event} from ${status}` }]);
        } else {
          const err = await repo.applyEvent(id, event, { actor: 'test' }).catch((e: unknown) => e);
          expect(err, `${event} from ${status}`).toBeInstanceOf(ConflictError);
          expect((err as ConflictError).code).toBe('transition_not_allowed');
          expect((err as Error).message).toContain(`it is ${status}`);
          expect(await eventRows(id)).toEqual([]);
          const [row] = await db.sql`select status from interviews where id = ${id}`;
          expect(row!.status).toBe(status);
        }
      }
    });
  }

  it('stamps the time of each step and keeps the first one', async () => {
    const id = await interviewIn('created');
    const used = await repo.applyEvent(id, 'join', { actor: 'candidate' });
    expect(used.usedAt).toBeInstanceOf(Date);
    const recording = await repo.applyEvent(id, 'recorder_started', { actor: 'agent' });
    expect(recording.recordingStartedAt).toBeInstanceOf(Date);
    expect(recording.usedAt).toEqual(used.usedAt);
    const ending = await repo.applyEvent(id, 'end', { actor: 'operator', reason: 'done', patch: { end_reason: 'operator' } });
    expect(ending.endedAt).toBeInstanceOf(Date);
    expect(ending.endReason).toBe('operator');
    const completed = await repo.applyEvent(id, 'finalized', { actor: 'agent', patch: { recording_key: 'recordings/x.mp4' } });
    expect(completed.completedAt).toBeInstanceOf(Date);
    expect(completed.endedAt).toEqual(ending.endedAt);
    expect(completed.recordingKey).toBe('recordings/x.mp4');
    expect((await repo.events(id)).map((e) => `${e.from}>${e.to}`)).toEqual(['created>used', 'used>recording', 'recording>ending', 'ending>completed']);
  });

  it('says not found for an unknown id', async () => {
    await expect(repo.applyEvent('AAAAAAAAAAAAAAAAAAAAAA', 'revoke', { actor: 'test' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('keeps the event log append-only', async () => {
    const id = await interviewIn('created');
    await repo.applyEvent(id, 'revoke', { actor: 'test' });
    await expect(db.sql`update interview_events set actor = 'someone else' where interview_id = ${id}`).rejects.toThrow(/append-only/);
    await expect(db.sql`delete from interview_events where interview_id = ${id}`).rejects.toThrow(/append-only/);
    expect(await eventRows(id)).toHaveLength(1);
  });
});

describe('insertMany', () => {
  it('stores names, emails and refs verbatim, whatever characters they hold', async () => {
    const names = ['山田 太郎', '🦊 Fox', "Robert'); DROP TABLE interviews;--", '<script>alert(1)</script>', 'back\\slash \\N \\t', 'tab\there', 'line\nbreak\r\n'];
    const rows = names.map((candidateName, i) => makeNewInterview({ candidateName, ref: `verbatim-${i}-\\N`, candidateEmail: i === 0 ? null : `a\\b${i}@example.com` }));
    const { created } = await repo.insertMany(rows);
    expect(created).toHaveLength(rows.length);
    for (const r of rows) {
      const got = await repo.get(r.id);
      expect(got.candidateName).toBe(r.candidateName);
      expect(got.ref).toBe(r.ref);
      expect(got.candidateEmail).toBe(r.candidateEmail);
      expect(got.questions).toEqual(r.questions);
    }
  });

  it('creates nothing for refs that exist and returns their ids', async () => {
    const first = [makeNewInterview({ ref: 'same-1' }), makeNewInterview({ ref: 'same-2' })];
    await repo.insertMany(first);
    const again = [makeNewInterview({ ref: 'same-1' }), makeNewInterview({ ref: 'same-2' }), makeNewInterview({ ref: 'new-3' }), makeNewInterview({ ref: null })];
    const { created, existing } = await repo.insertMany(again);
    expect(created.map((c) => c.ref)).toEqual(['new-3', null]);
    expect(existing.get('same-1')).toBe(first[0]!.id);
    expect(existing.get('same-2')).toBe(first[1]!.id);
    const n = (await db.sql<{ n: number }[]>`select count(*)::int as n from interviews where ref like 'same-%'`)[0]!.n;
    expect(n).toBe(2);
  });

  it('keeps each ref once when two clients insert the same refs at the same moment', async () => {
    const other = createInterviewRepo(db.connect(2));
    const refs = Array.from({ length: 50 }, (_, i) => `race-${i}`);
    const [a, b] = await Promise.all([
      repo.insertMany(refs.map((ref) => makeNewInterview({ ref }))),
      other.insertMany(refs.map((ref) => makeNewInterview({ ref }))),
    ]);
    const rows = await db.sql<{ ref: string; id: string }[]>`select ref, id from interviews where ref like 'race-%'`;
    expect(rows).toHaveLength(refs.length);
    expect(a.created.length + b.created.length).toBe(refs.length);
    // Whoever lost a ref was told the winner's id.
    const ids = new Map(rows.map((r) => [r.ref, r.id]));
    for (const side of [a, b]) {
      for (const c of side.created) expect(ids.get(c.ref!)).toBe(c.id);
      for (const [ref, id] of side.existing) expect(ids.get(ref)).toBe(id);
    }
  });
});

describe('get, list and expiry', () => {
  it('finds by ref before trying a prefix', async () => {
    const c = makeNewInterview({ id: 'Rf1Xcccccccccccccccccc', ref: 'ATS-77' });
    await repo.insertMany([c]);
    expect((await repo.get('ATS-77')).id).toBe(c.id);
    await expect(repo.get('ATS-78')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('finds by full id or unique prefix, treating _ in a prefix literally', async () => {
    const a = makeNewInterview({ id: 'Qz9_aaaaaaaaaaaaaaaaaa' });
    const b = makeNewInterview({ id: 'Qz9Xbbbbbbbbbbbbbbbbbb' });
    await repo.insertMany([a, b]);
    expect((await repo.get('Qz9_')).id).toBe(a.id);
    expect((await repo.get('Qz9X')).id).toBe(b.id);
    expect((await repo.get(a.id)).id).toBe(a.id);
    // Too short for a prefix, or not id-shaped: only a ref could match, and none does.
    await expect(repo.get('Qz9')).rejects.toBeInstanceOf(NotFoundError);
    await expect(repo.get('Qz9_a%')).rejects.toBeInstanceOf(NotFoundError);
    await expect(repo.get('Qz9Y')).rejects.toBeInstanceOf(NotFoundError);
    await expect(repo.get('Qz9Ybbbbbbbbbbbbbbbbbb')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses a prefix that matches several interviews', async () => {
    await repo.insertMany([makeNewInterview({ id: 'Dup0aaaaaaaaaaaaaaaaaa' }), makeNewInterview({ id: 'Dup0bbbbbbbbbbbbbbbbbb' })]);
    await expect(repo.get('Dup0')).rejects.toThrow(/matches several interviews/);
  });

  it('stores an unused link past its expiry as expired, once, with an event row', async () => {
    const past = makeNewInterview({ createdAt: new Date(Date.now() - 3_600_000), expiresAt: new Date(Date.now() - 1000) });
    const future = makeNewInterview();
    const usedLate = makeNewInterview({ expiresAt: new Date(Date.now() - 1000) });
    await repo.insertMany([past, future, usedLate]);
    await db.sql`update interviews set status = 'used' where id = ${usedLate.id}`;

    expect((await repo.get(past.id)).status).toBe('expired');
    expect((await repo.get(future.id)).status).toBe('created');
    expect((await repo.get(usedLate.id)).status).toBe('used');
    await repo.list();
    await repo.get(past.id);
    expect(await repo.expireDue()).toBe(0);
    expect(await eventRows(past.id)).toEqual([{ fromStatus: 'created', toStatus: 'expired', actor: 'system', reason: 'link not used before it expired' }]);
    expect(await eventRows(usedLate.id)).toEqual([]);
  });

  it('lists newest first, filtered by status and age, up to the limit', async () => {
    const fresh = await createTestDatabase({ migrate: true });
    try {
      const r = createInterviewRepo(fresh.sql);
      const now = Date.now();
      const rows = [0, 1, 2, 3].map((i) => makeNewInterview({ createdAt: new Date(now - i * 3_600_000), candidateName: `n${i}` }));
      await r.insertMany(rows);
      await r.applyEvent(rows[1]!.id, 'revoke', { actor: 'test' });
      expect((await r.list()).map((i) => i.candidateName)).toEqual(['n0', 'n1', 'n2', 'n3']);
      expect((await r.list({ limit: 2 })).map((i) => i.candidateName)).toEqual(['n0', 'n1']);
      expect((await r.list({ status: 'revoked' })).map((i) => i.candidateName)).toEqual(['n1']);
      expect((await r.list({ status: 'created', since: new Date(now - 2.5 * 3_600_000) })).map((i) => i.candidateName)).toEqual(['n0', 'n2']);
    } finally {
      await fresh.drop();
    }
  });
});
