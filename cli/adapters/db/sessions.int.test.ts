import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeNewInterview } from '../../../test/int/helpers/builders.js';
import { createTestDatabase, type TestDatabase } from '../../../test/int/helpers/db.js';
import type { Status } from '../../core/states.js';
import type { Sql } from './connect.js';
import { createInterviewRepo } from './interviews.js';
import { createSessionRepo, type JoinClaim, type JoinRequest } from './sessions.js';

// The join's claim against the real Postgres: first join wins, batches of joins in one
// transaction, a failed dispatch leaves the link usable, a racing batch is told "busy" at once.

let db: TestDatabase;
let other: Sql;

beforeAll(async () => {
  db = await createTestDatabase({ migrate: true });
  other = db.connect(2);
});

afterAll(async () => {
  await other?.end({ timeout: 1 });
  await db?.drop();
});

async function interviewIn(status: Status, overrides: Parameters<typeof makeNewInterview>[0] = {}): Promise<string> {
  const row = makeNewInterview(overrides);
  await createInterviewRepo(db.sql).insertMany([row]);
  if (status !== 'created') await db.sql`update interviews set status = ${status}, resume_key_hash = 'earlier' where id = ${row.id}`;
  return row.id;
}

const stored = async (id: string) => {
  const [row] = await db.sql<{ status: string; resumeKeyHash: string | null; dispatchId: string | null; usedAt: Date | null }[]>`
    select status, resume_key_hash, dispatch_id, used_at from interviews where id = ${id}`;
  return row!;
};
const events = (id: string) => db.sql<{ fromStatus: string; toStatus: string; actor: string }[]>`
  select from_status, to_status, actor from interview_events where interview_id = ${id} order by id`;

/** Runs one batch; returns each request's claim in request order, and the ids dispatched. */
async function claim(requests: JoinRequest[], start: (id: string) => Promise<string> = async (id) => `AD_${id}`, sql: Sql = db.sql) {
  const claims: (JoinClaim | undefined)[] = requests.map(() => undefined);
  const started: string[] = [];
  await createSessionRepo(sql).claimForJoins(
    requests,
    (id) => {
      started.push(id);
      return start(id);
    },
    (i, c) => {
      expect(claims[i], `request ${i} settled twice`).toBeUndefined();
      claims[i] = c;
    },
  );
  return { claims, started };
}

describe('claimForJoins', () => {
  it('the first join moves created → used with the resume key hash and the dispatch id, and logs it', async () => {
    const id = await interviewIn('created');
    const { claims, started } = await claim([{ id, resumeKeyHash: 'h1' }]);
    expect(started).toEqual([id]);
    expect(claims[0]).toMatchObject({ outcome: 'claimed', interview: { id, status: 'used', dispatchId: `AD_${id}`, resumeKeyHash: 'h1' } });
    expect(await stored(id)).toMatchObject({ status: 'used', resumeKeyHash: 'h1', dispatchId: `AD_${id}` });
    expect((await stored(id)).usedAt).toBeInstanceOf(Date);
    expect(await events(id)).toEqual([{ fromStatus: 'created', toStatus: 'used', actor: 'candidate' }]);

    // A second join later only sees the row; nothing is dispatched or written again.
    const again = await claim([{ id, resumeKeyHash: 'h2' }]);
    expect(again.started).toEqual([]);
    expect(again.claims[0]).toMatchObject({ outcome: 'seen', busy: false, expired: false, interview: { status: 'used', resumeKeyHash: 'h1' } });
    expect(await events(id)).toHaveLength(1);
  });

  it('a batch: one winner per link, every other join told what it found', async () => {
    const shared = await interviewIn('created');
    const fresh = await interviewIn('created');
    const used = await interviewIn('used');
    const revoked = await interviewIn('revoked');
    const expired = await interviewIn('created', { createdAt: new Date(Date.now() - 8 * 86_400_000) });
    const unknown = 'AAAAAAAAAAAAAAAAAAAAAA';
    const { claims, started } = await claim([
      { id: shared, resumeKeyHash: 's1' },
      { id: used, resumeKeyHash: 'u' },
      { id: shared, resumeKeyHash: 's2' },
      { id: unknown, resumeKeyHash: 'x' },
      { id: revoked, resumeKeyHash: 'r' },
      { id: expired, resumeKeyHash: 'e' },
      { id: fresh, resumeKeyHash: 'f' },
      { id: shared, resumeKeyHash: 's3' },
    ]);
    expect(started.sort()).toEqual([shared, fresh].sort());
    expect(claims.map((c) => c?.outcome)).toEqual(['claimed', 'seen', 'seen', 'not_found', 'seen', 'seen', 'claimed', 'seen']);
    expect(claims[2]).toMatchObject({ busy: true, expired: false });
    expect(claims[7]).toMatchObject({ busy: true, expired: false });
    expect(claims[1]).toMatchObject({ busy: false, interview: { status: 'used' } });
    expect(claims[4]).toMatchObject({ busy: false, expired: false, interview: { status: 'revoked' } });
    expect(claims[5]).toMatchObject({ busy: false, expired: true, interview: { status: 'created' } });
    expect(await stored(shared)).toMatchObject({ status: 'used', resumeKeyHash: 's1', dispatchId: `AD_${shared}` });
    expect(await stored(fresh)).toMatchObject({ status: 'used', resumeKeyHash: 'f', dispatchId: `AD_${fresh}` });
    expect(await stored(expired)).toMatchObject({ status: 'created', resumeKeyHash: null });
    for (const id of [used, revoked, expired]) expect(await events(id)).toEqual([]);
  });

  it('a failed dispatch changes nothing for that link; the others in the batch still win', async () => {
    const failing = await interviewIn('created');
    const fine = await interviewIn('created');
    const boom = new Error('livekit down');
    const { claims } = await claim(
      [
        { id: failing, resumeKeyHash: 'a' },
        { id: fine, resumeKeyHash: 'b' },
      ],
      async (id) => {
        if (id === failing) throw boom;
        return `AD_${id}`;
      },
    );
    expect(claims[0]).toEqual({ outcome: 'dispatch_failed', error: boom });
    expect(claims[1]).toMatchObject({ outcome: 'claimed' });
    expect(await stored(failing)).toMatchObject({ status: 'created', resumeKeyHash: null, dispatchId: null, usedAt: null });
    expect(await events(failing)).toEqual([]);
    // The candidate tries again and gets in.
    const retry = await claim([{ id: failing, resumeKeyHash: 'a2' }]);
    expect(retry.claims[0]).toMatchObject({ outcome: 'claimed', interview: { resumeKeyHash: 'a2' } });
  });

  it('joins that claim nothing are answered before the batch’s dispatches finish', async () => {
    const waiting = await interviewIn('created');
    const used = await interviewIn('used');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const order: string[] = [];
    const run = createSessionRepo(db.sql).claimForJoins(
      [
        { id: waiting, resumeKeyHash: 'w' },
        { id: used, resumeKeyHash: 'u' },
      ],
      async (id) => {
        await gate;
        order.push('dispatched');
        return `AD_${id}`;
      },
      (i, c) => order.push(`${i}:${c.outcome}`),
    );
    const deadline = Date.now() + 10_000;
    while (!order.includes('1:seen') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual(['1:seen']);
    release();
    await run;
    expect(order).toEqual(['1:seen', 'dispatched', '0:claimed']);
  });

  it('two batches racing for one link: one dispatch, one winner; the other is told busy at once', async () => {
    const id = await interviewIn('created');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let firstStarted!: () => void;
    const started = new Promise<void>((r) => (firstStarted = r));
    const first = claim([{ id, resumeKeyHash: 'first' }], async (x) => {
      firstStarted();
      await gate;
      return `AD_${x}`;
    });
    await started; // the first batch holds the row lock and is dispatching
    const t = performance.now();
    const second = await claim([{ id, resumeKeyHash: 'second' }], async () => 'never', other);
    expect(performance.now() - t).toBeLessThan(2_000); // not waiting for the first batch's lock
    expect(second.started).toEqual([]);
    expect(second.claims[0]).toMatchObject({ outcome: 'seen', busy: true, interview: { status: 'created' } });
    release();
    const won = await first;
    expect(won.claims[0]).toMatchObject({ outcome: 'claimed', interview: { resumeKeyHash: 'first' } });
    expect(await events(id)).toHaveLength(1);
  });

  it('a database failure after the dispatch rolls the claim back and says so', async () => {
    const id = await interviewIn('created');
    const run = claim([{ id, resumeKeyHash: 'lost' }], async (x) => {
      // The claim's own connection dies while it waits for LiveKit.
      await other`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and state = 'idle in transaction'`;
      return `AD_${x}`;
    });
    await expect(run).rejects.toThrow();
    expect(await stored(id)).toMatchObject({ status: 'created', resumeKeyHash: null, dispatchId: null });
    expect(await events(id)).toEqual([]);
  });
});
