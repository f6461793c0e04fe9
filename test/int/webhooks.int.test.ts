import { describe, expect, it } from 'vitest';
import type { Sql } from '../../cli/adapters/db/connect.js';
import { createInterviewRepo } from '../../cli/adapters/db/interviews.js';
import { createWebhookRepo, type WebhookRepo } from '../../cli/adapters/db/webhooks.js';
import { syntheticWebhook, type SyntheticEvent } from '../../cli/core/webhook-shapes.js';
import { receiveAlone, receiveDeliveries, webhookFacts, type WebhookFacts } from '../../cli/use-cases/apply-webhook.js';
import { replayStored, type ReplayOutcome } from '../../cli/use-cases/replay-webhooks.js';
import { makeNewInterview } from './helpers/builders.js';
import { useCliWorkspace } from './helpers/workspace.js';

// Applying LiveKit webhooks in batches (serve's receiver and `webhooks replay`) against real
// Postgres: order tolerance, duplicates, forward-only states, and replays that change nothing.

const ws = useCliWorkspace('webhooks');
const sql = () => ws.db.sql;

let serial = 0;
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

/** A delivery of LiveKit's shape for an interview, `secondsIn` after T0. */
function delivery(event: SyntheticEvent, interviewId: string, who: 'candidate' | 'agent', secondsIn: number): WebhookFacts {
  const body = JSON.stringify(syntheticWebhook(event, interviewId, who, new Date(T0 + secondsIn * 1000), () => `t${(serial++).toString(36)}`));
  return webhookFacts(body, JSON.parse(body))!;
}

async function interview(status: string, extra: { candidateJoined?: boolean } = {}): Promise<string> {
  const row = makeNewInterview();
  await createInterviewRepo(sql()).insertMany([row]);
  await sql()`update interviews set status = ${status}, used_at = case when ${status} <> 'created' then now() end,
    candidate_joined_at = ${extra.candidateJoined ? new Date(T0 - 60_000) : null} where id = ${row.id}`;
  return row.id;
}

const tx = <T>(fn: (repo: WebhookRepo) => Promise<T>): Promise<T> => sql().begin((t) => fn(createWebhookRepo(t as unknown as Sql))) as Promise<T>;
const receive = (fs: WebhookFacts[]) => tx((repo) => receiveDeliveries(repo, fs));

async function state(id: string) {
  const [row] = await sql()<{ status: string; endReason: string | null; candidateJoinedAt: Date | null; endedAt: Date | null }[]>`
    select status, end_reason, candidate_joined_at, ended_at from interviews where id = ${id}`;
  const events = await sql()<{ fromStatus: string; toStatus: string; reason: string; webhookId: string }[]>`
    select from_status, to_status, reason, webhook_id from interview_events where interview_id = ${id} and actor = 'livekit' order by id`;
  return { ...row!, events: events.map((e) => `${e.fromStatus}→${e.toStatus} ${e.reason}`) };
}

/** Every row of the three tables, as text: what "the database did not change" means. */
async function snapshot(): Promise<string> {
  const [r] = await sql()<{ s: string }[]>`
    select (select string_agg(i::text, '|' order by id) from interviews i) || '#' ||
           (select coalesce(string_agg(e::text, '|' order by id), '') from interview_events e) || '#' ||
           (select coalesce(string_agg(w::text, '|' order by id), '') from webhook_events w) as s`;
  return r!.s;
}

async function replay(filter: { interviewId?: string; since?: Date }, chunk = 3): Promise<ReplayOutcome[]> {
  const webhooks = createWebhookRepo(sql());
  const out: ReplayOutcome[] = [];
  await replayStored({ transaction: tx, webhooks }, webhooks.stream(filter, chunk), (o) => out.push(...o));
  return out;
}

/** Stores deliveries the way serve would have, but never applied (as after a failed apply). */
async function storeUnapplied(fs: WebhookFacts[], at: number): Promise<void> {
  for (const [i, f] of fs.entries()) {
    await sql()`insert into webhook_events (id, event, room_name, interview_id, participant_identity, created_at, body, received_at, error)
      values (${f.id}, ${f.event}, ${f.roomName}, ${f.roomName!.slice('interview-'.length)}, ${f.participantIdentity}, ${f.createdAt}, ${f.body},
              ${new Date(at + i * 1000)}, 'database went away')`;
  }
}

describe('applying a batch of deliveries', () => {
  it('tolerates order: room_finished before the join and the leave still ends the session, and the join is kept', async () => {
    const id = await interview('recording');
    const finished = delivery('room_finished', id, 'agent', 900);
    const joined = delivery('participant_joined', id, 'candidate', 10);
    const left = delivery('participant_left', id, 'candidate', 890);
    const outcomes = await receive([finished, joined, left, delivery('track_published', id, 'candidate', 11)]);
    expect(outcomes.map((o) => o.result)).toEqual(['ended: room_finished', 'candidate joined', 'noted: participant left (candidate)', 'ignored']);
    const s = await state(id);
    expect(s).toMatchObject({ status: 'ending', endReason: 'room_finished', candidateJoinedAt: new Date(T0 + 10_000) });
    expect(s.events).toEqual(['recording→ending room_finished', 'ending→ending candidate joined the room', 'ending→ending participant left (candidate)']);

    // A second room_finished (LiveKit re-created the room) arrives late, alone: noted, nothing moves.
    expect(await receive([delivery('room_finished', id, 'agent', 1000)])).toEqual([{ duplicate: false, result: 'noted: room finished' }]);
    expect((await state(id)).status).toBe('ending');
  });

  it('applies a batch exactly as one-by-one applies the same deliveries', async () => {
    const ids = [await interview('used'), await interview('recording', { candidateJoined: true }), await interview('completed')];
    const script = (id: string, k: number) => [
      delivery('participant_joined', id, 'agent', k),
      delivery('participant_joined', id, 'candidate', k + 1),
      delivery('participant_connection_aborted', id, 'candidate', k + 2),
      delivery('participant_joined', id, 'candidate', k + 3),
      delivery('room_finished', id, 'agent', k + 4),
      delivery('participant_left', id, 'candidate', k + 5),
    ];
    const copies = [await interview('used'), await interview('recording', { candidateJoined: true }), await interview('completed')];
    // Interleaved across interviews, as they arrive at serve.
    const batch = [0, 1, 2, 3, 4, 5].flatMap((step) => ids.map((id, n) => script(id, n * 10)[step]!));
    const single = [0, 1, 2, 3, 4, 5].flatMap((step) => copies.map((id, n) => script(id, n * 10)[step]!));
    const together = (await receive(batch)).map((o) => o.result);
    const alone: string[] = [];
    for (const f of single) alone.push(...(await receive([f])).map((o) => o.result));
    expect(together).toEqual(alone);
    for (let n = 0; n < 3; n++) {
      const [a, b] = [await state(ids[n]!), await state(copies[n]!)];
      expect({ ...a, endedAt: Boolean(a.endedAt) }).toEqual({ ...b, endedAt: Boolean(b.endedAt) });
    }
    expect(await state(ids[0]!)).toMatchObject({ status: 'ending', candidateJoinedAt: new Date(T0 + 1000) });
    // Already joined before: the first join of this batch is a rejoin, and the first time stays.
    expect(await state(ids[1]!)).toMatchObject({ status: 'ending', candidateJoinedAt: new Date(T0 - 60_000) });
    expect((await state(ids[1]!)).events[1]).toBe('recording→recording candidate rejoined the room');
  });

  it('moves state only forward: room_finished on a completed or failed interview is only noted', async () => {
    for (const status of ['completed', 'failed', 'ending']) {
      const id = await interview(status);
      const [o] = await receive([delivery('room_finished', id, 'agent', 5)]);
      expect(o!.result).toBe('noted: room finished');
      expect(await state(id)).toMatchObject({ status, endReason: null, events: [`${status}→${status} room finished`] });
    }
  });

  it('stores and applies a duplicate once: in the same batch, in a later one, and in batches side by side', async () => {
    const id = await interview('used');
    const joined = delivery('participant_joined', id, 'candidate', 1);
    const left = delivery('participant_left', id, 'candidate', 2);
    expect(await receive([joined, left, joined])).toEqual([
      { duplicate: false, result: 'candidate joined' },
      { duplicate: false, result: 'noted: participant left (candidate)' },
      { duplicate: true, result: 'duplicate' },
    ]);
    expect(await receive([left])).toEqual([{ duplicate: true, result: 'duplicate' }]);
    const more = [1, 2, 3, 4].map((k) => delivery('participant_joined', id, 'candidate', 10 + k));
    const racing = await Promise.all([receive(more), receive([...more].reverse()), receive(more.slice(1, 3))]);
    const fresh = racing.flat().filter((o) => !o.duplicate);
    expect(fresh).toHaveLength(4);
    expect(fresh.every((o) => o.result === 'candidate rejoined')).toBe(true);
    const [n] = await sql()<{ stored: number; events: number }[]>`
      select (select count(*)::int from webhook_events where interview_id = ${id}) as stored,
             (select count(*)::int from interview_events where interview_id = ${id} and webhook_id is not null) as events`;
    expect(n).toEqual({ stored: 6, events: 6 });
  });

  it('a delivery whose apply failed is stored with the error, and LiveKit\'s retry applies it', async () => {
    const id = await interview('recording');
    const finished = delivery('room_finished', id, 'agent', 3);
    const failing = <T>(): Promise<T> => Promise.reject(new Error('connection lost mid-batch'));
    await expect(receiveAlone(createWebhookRepo(sql()), failing, finished)).rejects.toThrow('connection lost mid-batch');
    const [row] = await sql()`select applied_at, error from webhook_events where id = ${finished.id}`;
    expect(row).toEqual({ appliedAt: null, error: 'connection lost mid-batch' });
    expect(await receiveAlone(createWebhookRepo(sql()), tx, finished)).toEqual({ duplicate: false, result: 'ended: room_finished' });
    const [after] = await sql()`select applied_at is not null as applied, error from webhook_events where id = ${finished.id}`;
    expect(after).toEqual({ applied: true, error: null });
    expect((await state(id)).status).toBe('ending');
  });
});

describe('replaying stored deliveries', () => {
  it('applies what was never applied, in received order across chunks; a second replay changes nothing at all', async () => {
    const live = await interview('recording');
    const done = await interview('completed');
    // Later than anything the other tests stored, so --since picks only these.
    const at = Date.now() + 3_600_000;
    const fs = [
      delivery('participant_joined', live, 'agent', 1),
      delivery('participant_joined', live, 'candidate', 2),
      delivery('track_published', live, 'candidate', 3),
      delivery('participant_connection_aborted', live, 'candidate', 4),
      delivery('participant_joined', live, 'candidate', 5),
      delivery('room_finished', done, 'agent', 6),
      delivery('room_finished', live, 'agent', 7),
      delivery('participant_left', live, 'candidate', 6),
    ];
    await storeUnapplied(fs, at);
    const first = await replay({ since: new Date(at - 1) });
    expect(first.map((o) => o.result)).toEqual([
      'noted: agent joined the room',
      'candidate joined',
      'ignored',
      'noted: participant connection aborted (candidate)',
      'candidate rejoined',
      'noted: room finished',
      'ended: room_finished',
      'noted: participant left (candidate)',
    ]);
    expect(await state(live)).toMatchObject({ status: 'ending', endReason: 'room_finished', candidateJoinedAt: new Date(T0 + 2000) });
    expect(await state(done)).toMatchObject({ status: 'completed', endReason: null });
    const [unapplied] = await sql()`select count(*)::int as n from webhook_events where applied_at is null or error is not null`;
    expect(unapplied!.n).toBe(0);

    const before = await snapshot();
    const second = await replay({ since: new Date(at - 1) }, 2);
    expect(second.map((o) => o.result)).toEqual(first.map((o) => (o.result === 'ignored' ? 'ignored' : 'no change: already applied')));
    expect(await snapshot()).toBe(before);
    // The same through the CLI, as an operator runs it: NDJSON, one line per delivery, exit 0.
    const r = await ws.run(['webhooks', 'replay', '--interview', live, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as ReplayOutcome);
    expect(lines.map((l) => l.id)).toEqual(fs.filter((f) => f.roomName === `interview-${live}`).map((f) => f.id));
    expect(lines.every((l) => l.error === null && /^(no change|ignored)/.test(l.result))).toBe(true);
    expect(await snapshot()).toBe(before);
  });

  it('replays deliveries serve applied as it received them without a change', async () => {
    const id = await interview('used');
    const since = new Date(Date.now() - 1000);
    await receive([delivery('participant_joined', id, 'candidate', 1), delivery('room_finished', id, 'agent', 2), delivery('room_started', id, 'agent', 0)]);
    const before = await snapshot();
    const out = await replay({ interviewId: id, since });
    expect(out.map((o) => o.result)).toEqual(['no change: already applied', 'no change: already applied', 'ignored']);
    expect(await snapshot()).toBe(before);
  });
});
