import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeNewInterview } from '../../../test/int/helpers/builders.js';
import { createTestDatabase, type TestDatabase } from '../../../test/int/helpers/db.js';
import { createInterviewRepo, type InterviewRepo } from '../db/interviews.js';
import type { WatchChange } from '../../ui/feed.js';
import { startPostgresFeed, type PresenceSource, type RunningFeed } from './postgres-feed.js';

// The live view's feed against a real Postgres: LISTEN/NOTIFY drives it, a notification fetches
// only the named interview's new events, and LiveKit presence degrades to unknown.

let db: TestDatabase;
let repo: InterviewRepo;
const feeds: RunningFeed[] = [];
let scratch: string;

beforeAll(async () => {
  db = await createTestDatabase({ migrate: true });
  repo = createInterviewRepo(db.sql);
  scratch = mkdtempSync(join(tmpdir(), 'ictl-feed-'));
});

afterEach(async () => {
  await Promise.all(feeds.splice(0).map((f) => f.stop()));
});

afterAll(async () => {
  await db?.drop();
  rmSync(scratch, { recursive: true, force: true });
});

async function interview(name: string, ...events: Parameters<InterviewRepo['applyEvent']>[1][]): Promise<string> {
  const row = makeNewInterview({ candidateName: name });
  await repo.insertMany([row]);
  for (const e of events) await repo.applyEvent(row.id, e, { actor: 'test' });
  return row.id;
}

async function start(options: Partial<Parameters<typeof startPostgresFeed>[0]> = {}): Promise<RunningFeed> {
  const feed = await startPostgresFeed({ sql: db.sql, newListenClient: () => db.connect(1), interviews: repo, healthIntervalMs: 200, ...options });
  feeds.push(feed);
  return feed;
}

async function until<T>(what: string, check: () => T, ms = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const rowOf = (feed: RunningFeed, id: string) => feed.snapshot().rows.find((r) => r.id === id);

describe('startPostgresFeed', () => {
  it('starts with live and recent interviews and follows each change by notification, in order', async () => {
    const waiting = await interview('Ada Lovelace');
    const live = await interview('Grace Hopper', 'join', 'recorder_started');
    const feed = await start();
    expect(feed.snapshot()).toMatchObject({ db: 'live', livekit: 'off' });
    expect(rowOf(feed, waiting)).toMatchObject({ status: 'created', lastEvent: null, candidate: 'Ada Lovelace' });
    expect(rowOf(feed, live)).toMatchObject({ status: 'recording', lastEvent: { from: 'used', to: 'recording', actor: 'test' }, presence: { candidate: null, agent: null } });

    const changes: WatchChange[] = [];
    feed.onChange((c) => changes.push(c));
    let frames = 0;
    feed.subscribe(() => frames++);
    await repo.applyEvent(waiting, 'join', { actor: 'candidate', reason: 'first join' });
    await db.sql`insert into interview_events (interview_id, from_status, to_status, actor, reason) values (${waiting}, 'used', 'used', 'livekit', 'agent joined the room')`;
    await repo.applyEvent(waiting, 'recorder_started', { actor: 'agent' });
    await until('three changes', () => changes.length >= 3);
    expect(changes.map((c) => [c.id, c.from, c.to, c.actor])).toEqual([
      [waiting, 'created', 'used', 'candidate'],
      [waiting, 'used', 'used', 'livekit'],
      [waiting, 'used', 'recording', 'agent'],
    ]);
    expect(changes[0]!.row.usedAt).toBeInstanceOf(Date);
    expect(rowOf(feed, waiting)).toMatchObject({ status: 'recording', lastEvent: { to: 'recording', actor: 'agent' } });
    expect(frames).toBeGreaterThan(0);

    await feed.end(live, 'ended by operator (watch)');
    await until('the end', () => rowOf(feed, live)?.status === 'ending');
    expect(rowOf(feed, live)).toMatchObject({ endReason: 'operator_ended', lastEvent: { actor: 'operator', reason: 'ended by operator (watch)' } });
    const timeline = await feed.timeline(live);
    expect(timeline.map((e) => `${e.from}>${e.to}`)).toEqual(['created>used', 'used>recording', 'recording>ending']);
    await expect(feed.end(live, 'again')).rejects.toThrow(/cannot end/);
  });

  it('shows interviews created after it started, one notification per insert statement', async () => {
    const feed = await start();
    const changes: WatchChange[] = [];
    feed.onChange((c) => changes.push(c));
    const batch = [makeNewInterview({ candidateName: 'Mary Jackson' }), makeNewInterview({ candidateName: 'Dorothy Vaughan' })];
    await repo.insertMany(batch);
    await until('the new rows', () => batch.every((b) => rowOf(feed, b.id)));
    expect(rowOf(feed, batch[0]!.id)).toMatchObject({ status: 'created', candidate: 'Mary Jackson', lastEvent: null });
    expect(changes.filter((c) => batch.some((b) => b.id === c.id)).map((c) => [c.from, c.to, c.seq])).toEqual([
      [null, 'created', null],
      [null, 'created', null],
    ]);
    // A later change of a new interview is followed like any other.
    await repo.applyEvent(batch[1]!.id, 'revoke', { actor: 'operator' });
    await until('the revoke', () => rowOf(feed, batch[1]!.id)?.status === 'revoked');
  });

  it('follows the transcript as the agent writes it', async () => {
    const id = await interview('Alan Turing', 'join', 'recorder_started');
    const feed = await start();
    expect(await feed.transcript(id, 0)).toEqual([]);
    await db.sql`insert into utterances (interview_id, seq, speaker, kind, text, start_ms, end_ms) values
      (${id}, 1, 'agent', 'question', 'Tell me about yourself.', 1000, 3000), (${id}, 2, 'candidate', 'answer', null, 3500, 9000)`;
    const lines = (await feed.transcript(id, 0))!;
    expect(lines.map((l) => [l.speaker, l.text, l.startMs])).toEqual([
      ['agent', 'Tell me about yourself.', 1000],
      ['candidate', null, 3500],
    ]);
    expect(await feed.transcript(id, lines[1]!.seq)).toEqual([]);
  });

  it('keeps only one status with a status filter', async () => {
    const a = await interview('Hedy Lamarr', 'join');
    const b = await interview('Radia Perlman', 'join', 'recorder_started');
    const feed = await start({ status: 'recording' });
    expect(rowOf(feed, a)).toBeUndefined();
    expect(rowOf(feed, b)).toBeDefined();
    const changes: WatchChange[] = [];
    feed.onChange((c) => changes.push(c));
    await repo.applyEvent(a, 'recorder_started', { actor: 'agent' });
    await until('a to enter', () => rowOf(feed, a));
    await repo.applyEvent(b, 'end', { actor: 'agent' });
    await until('b to leave', () => !rowOf(feed, b));
    // Later changes of an interview that left the filter neither bring it back nor repeat old ones.
    await repo.applyEvent(b, 'finalized', { actor: 'agent' });
    await repo.applyEvent(a, 'end', { actor: 'agent' });
    await until('a to leave', () => !rowOf(feed, a));
    expect(changes.map((c) => [c.id, c.to])).toEqual([
      [a, 'recording'],
      [b, 'ending'],
      [a, 'ending'],
    ]);
    expect(rowOf(feed, b)).toBeUndefined();
  });

  it('asks LiveKit who is in live rooms, a few rooms per round, and shows unknown when it cannot', async () => {
    const inRoom = await interview('Barbara Liskov', 'join', 'recorder_started');
    const alone = await interview('Frances Allen', 'join');
    const noRoom = await interview('Ken Thompson', 'join');
    let down = false;
    let lookups = 0;
    let rounds = 0;
    const livekit: PresenceSource = {
      async listRooms() {
        if (down) throw new Error('connect ECONNREFUSED 127.0.0.1:7880');
        rounds++;
        return [
          { name: `interview-${inRoom}`, numParticipants: 2 },
          { name: `interview-${alone}`, numParticipants: 1 },
        ];
      },
      async listParticipants(room) {
        lookups++;
        if (room === `interview-${inRoom}`) return [{ identity: `candidate-${inRoom}` }, { identity: 'agent-AJ_xyz' }];
        return [{ identity: 'agent-AJ_abc' }];
      },
    };
    const feed = await start({ livekit, presenceIntervalMs: 50, participantLookupsPerRound: 1 });
    await until('presence', () => feed.snapshot().livekit === 'ok' && rowOf(feed, alone)?.presence.agent === true && rowOf(feed, inRoom)?.presence.agent === true);
    expect(rowOf(feed, inRoom)!.presence).toEqual({ candidate: true, agent: true });
    expect(rowOf(feed, alone)!.presence).toEqual({ candidate: false, agent: true });
    expect(rowOf(feed, noRoom)!.presence).toEqual({ candidate: false, agent: false });
    // At most the given number of participant lists per round, however many rooms are live.
    expect(lookups).toBeLessThanOrEqual(rounds);

    down = true;
    await until('unknown presence', () => feed.snapshot().livekit === 'unreachable' && rowOf(feed, inRoom)?.presence.candidate === null);
    expect(rowOf(feed, noRoom)!.presence).toEqual({ candidate: null, agent: null });
  });

  it('reads the size of a recording being written to the local recordings folder', async () => {
    const id = await interview('Sophie Wilson', 'join', 'recorder_started');
    const key = `recordings/${id}/20261122T100000Z_interview-${id}.mp4`;
    await db.sql`update interviews set recording_key = ${key} where id = ${id}`;
    mkdirSync(dirname(join(scratch, key)), { recursive: true });
    writeFileSync(join(scratch, key), Buffer.alloc(4096));
    const feed = await start({ recordingsDir: scratch, presenceIntervalMs: 50 });
    await until('the size', () => rowOf(feed, id)?.recordingBytes === 4096);
    writeFileSync(join(scratch, key), Buffer.alloc(8192));
    await until('the new size', () => rowOf(feed, id)?.recordingBytes === 8192);
  });
});
