// Outbound webhooks end to end: the CLI and serve against real Postgres, delivering to real HTTP
// receivers on loopback that verify every signature with the standardwebhooks library and, as a
// second implementation, by the spec with node:crypto.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../cli/adapters/db/connect.js';
import { createInterviewRepo } from '../../cli/adapters/db/interviews.js';
import { enqueueEvent, forgetInterviewEvents } from '../../cli/adapters/db/outbox.js';
import { createWebhookRepo } from '../../cli/adapters/db/webhooks.js';
import { candidateDeletedData, evaluatedData, reviewedData } from '../../cli/core/hook-events.js';
import { receiveDeliveries, type WebhookFacts } from '../../cli/use-cases/apply-webhook.js';
import { stackFrames } from './helpers/cli.js';
import { startHookReceiver, startServe, verifyBySpec, waitFor } from './helpers/hook-receiver.js';
import { useCliWorkspace } from './helpers/workspace.js';

const ws = useCliWorkspace('hooks', { HOOKS_RETRY_BASE: '200ms' });
type Receiver = Awaited<ReturnType<typeof startHookReceiver>>;
const receivers: Receiver[] = [];
const serves: Awaited<ReturnType<typeof startServe>>[] = [];

async function addEndpoint(url: string, extra: string[] = []): Promise<{ id: string; secret: string }> {
  const r = await ws.run(['hooks', 'add', url, '--allow-private', '--json', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { id: string; secret: string };
}

/** A receiver registered as an endpoint; it knows the secret only from what `hooks add` printed. */
async function endpointWithReceiver(extra: string[] = []): Promise<{ rx: Receiver; id: string; secret: string }> {
  const rx = await startHookReceiver();
  receivers.push(rx);
  const { id, secret } = await addEndpoint(rx.url, extra);
  rx.setSecret(secret);
  return { rx, id, secret };
}

async function removeAllEndpoints() {
  await ws.db.sql`delete from hook_endpoints`;
}

async function createInterview(ref: string): Promise<string> {
  const r = await ws.run(['create', '--name', 'Ada Lovelace', '--email', 'ada@example.com', '--ref', ref, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { id: string }).id;
}

/** The candidate seen in the room, applied the way serve applies LiveKit's webhook. */
async function candidateJoined(sql: Sql, id: string): Promise<void> {
  const body = JSON.stringify({ id: `EV_${id}`, event: 'participant_joined' });
  const f: WebhookFacts = { id: `EV_${id}_join`, event: 'participant_joined', roomName: `interview-${id}`, participantIdentity: `candidate-${id}`, createdAt: new Date(), body };
  await sql.begin((tx) => receiveDeliveries(createWebhookRepo(tx as unknown as Sql), [f]));
}

const delivered = (rx: Receiver) => rx.received.filter((r) => r.status !== undefined && r.status >= 200 && r.status < 300);

afterEach(async () => {
  for (const s of serves.splice(0)) await s.stop('SIGKILL');
  for (const r of receivers.splice(0)) await r.close();
  await removeAllEndpoints();
});

describe('hooks add: bad input', () => {
  it.each([
    ['not-a-url', 'is not a URL'],
    ['ftp://files.example.com/in', 'ftp:// is not supported'],
    ['https://user:pass@ats.example.com/hooks', 'carries credentials'],
    ['http://127.0.0.1:9/hooks', 'loopback or private address'],
    ['http://[::1]:9/hooks', 'loopback or private address'],
    ['http://10.1.2.3/hooks', 'loopback or private address'],
  ])('refuses %s with exit 2 and the reason', async (url, reason) => {
    const r = await ws.run(['hooks', 'add', url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(reason);
    expect(stackFrames(r.stderr)).toEqual([]);
  });

  it('refuses unknown event names, naming them', async () => {
    const r = await ws.run(['hooks', 'add', 'http://127.0.0.1:9/', '--allow-private', '--events', 'interview.completed,interview.finished']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"interview.finished"');
    const [n] = await ws.db.sql<{ n: number }[]>`select count(*)::int as n from hook_endpoints`;
    expect(n!.n).toBe(0);
  });
});

describe('events, signed and delivered', () => {
  it('sends each event once, signed so a Standard Webhooks receiver accepts it, with no name or email', async () => {
    const { rx, id: endpointId } = await endpointWithReceiver();
    const repo = createInterviewRepo(ws.db.sql);
    const a = await createInterview('ATS-A');
    await repo.applyEvent(a, 'join', { actor: 'candidate' });
    await candidateJoined(ws.db.sql, a);
    await repo.applyEvent(a, 'recorder_started', { actor: 'agent', patch: { recording_key: `recordings/${a}/x.mp4` } });
    await repo.applyEvent(a, 'end', { actor: 'agent', patch: { end_reason: 'duration_reached' } });
    await repo.applyEvent(a, 'finalized', { actor: 'agent', patch: { transcript_key: `recordings/${a}/x.transcript.json`, vtt_key: `recordings/${a}/x.vtt` } });
    await ws.db.sql.begin(async (tx) => {
      const t = tx as unknown as Sql;
      await enqueueEvent(t, { type: 'interview.evaluated', interviewId: a, data: evaluatedData({ interviewId: a, ref: 'ATS-A', evaluatedAt: new Date(), model: 'm', scores: [{ question: 1, competency: 'design', score: 4, scale: [1, 5] }], recommendation: 'advance' }) });
      await enqueueEvent(t, { type: 'interview.reviewed', interviewId: a, data: reviewedData({ interviewId: a, ref: 'ATS-A', reviewedAt: new Date(), decision: 'hold', reviewer: 'sam' }) });
    });
    const b = await createInterview('ATS-B');
    await repo.applyEvent(b, 'join', { actor: 'candidate' });
    await repo.applyEvent(b, 'recorder_started', { actor: 'agent' });
    await repo.applyEvent(b, 'fail', { actor: 'agent', patch: { error: 'recorder_failed' } });

    const sent = await ws.run(['hooks', 'send', '--json']);
    expect(sent.code, sent.stderr).toBe(0);
    expect(rx.rejected).toEqual([]);
    const typesOf = (id: string) => delivered(rx).filter((r) => r.interviewId === id).map((r) => r.type);
    expect(typesOf(a)).toEqual(['interview.created', 'interview.started', 'interview.completed', 'interview.evaluated', 'interview.reviewed']);
    // b's recorder start stands in for a join webhook that never came: started still goes, once.
    expect(typesOf(b)).toEqual(['interview.created', 'interview.started', 'interview.failed']);
    for (const r of rx.received) {
      expect(r.raw).not.toContain('Ada');
      expect(r.raw).not.toContain('ada@example.com');
      expect(Object.keys(r.body).sort()).toEqual(['created_at', 'data', 'id', 'type', 'version']);
      expect(r.body.id).toBe(r.webhookId);
    }
    const completed = delivered(rx).find((r) => r.type === 'interview.completed')!.body.data as Record<string, unknown>;
    expect(completed).toMatchObject({ interview_id: a, ref: 'ATS-A', end_reason: 'duration_reached', recording_key: `recordings/${a}/x.mp4` });
    expect(String(completed.recording_url)).toContain(`recordings/${a}/x.mp4`);
    expect(Date.parse(String(completed.urls_expire_at))).toBeGreaterThan(Date.now());
    expect((delivered(rx).find((r) => r.type === 'interview.failed')!.body.data as Record<string, unknown>).error).toBe('recorder_failed');
    const evaluated = delivered(rx).find((r) => r.type === 'interview.evaluated')!.body.data as Record<string, unknown>;
    expect(evaluated).toMatchObject({ recommendation: 'advance', recommendation_advisory: true, overall: 4 });

    // A second run finds nothing due: delivered means done.
    const again = await ws.run(['hooks', 'send', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ claimed: 0 });

    // Rotation: the old secret still verifies (the receiver has not switched), and so does the new one.
    const rot = await ws.run(['hooks', 'rotate-secret', endpointId, '--json']);
    const fresh = (JSON.parse(rot.stdout) as { secret: string }).secret;
    const ping = await ws.run(['hooks', 'test', endpointId]);
    expect(ping.code, ping.stderr).toBe(0);
    const last = rx.received.at(-1)!;
    expect(last.type).toBe('ping');
    expect(String(last.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifyBySpec(fresh, last.headers, last.raw)).toBe(true);
  });

  it('sends nothing for a change that rolled back', async () => {
    const { rx } = await endpointWithReceiver();
    const id = await createInterview('ATS-RB');
    await ws.run(['hooks', 'send']);
    const before = rx.received.length;
    await expect(
      ws.db.sql.begin(async (tx) => {
        const t = tx as unknown as Sql;
        await createInterviewRepo(t).applyEvent(id, 'join', { actor: 'candidate' });
        await createInterviewRepo(t).applyEvent(id, 'recorder_started', { actor: 'agent' });
        await enqueueEvent(t, { type: 'interview.reviewed', interviewId: id, data: { interview_id: id } });
        throw new Error('rolled back on purpose');
      }),
    ).rejects.toThrow('rolled back on purpose');
    const r = await ws.run(['hooks', 'send', '--json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ claimed: 0 });
    expect(rx.received.length).toBe(before);
    const [n] = await ws.db.sql<{ n: number }[]>`select count(*)::int as n from hook_events where interview_id = ${id} and type <> 'interview.created'`;
    expect(n!.n).toBe(0);
  });

  it('a deletion drops what was stored about the interview and sends only candidate.deleted', async () => {
    const { rx } = await endpointWithReceiver();
    const id = await createInterview('ATS-DEL');
    await ws.db.sql.begin(async (tx) => {
      const t = tx as unknown as Sql;
      expect(await forgetInterviewEvents(t, id)).toBe(1);
      await enqueueEvent(t, { type: 'candidate.deleted', interviewId: id, data: candidateDeletedData({ interviewId: id, ref: 'ATS-DEL', deletedAt: new Date(), receiptId: 'del_1', objectsDeleted: 3 }) });
    });
    await ws.run(['hooks', 'send']);
    expect(delivered(rx).map((r) => r.type)).toEqual(['candidate.deleted']);
    expect(delivered(rx)[0]!.body.data).toMatchObject({ interview_id: id, receipt_id: 'del_1', objects_deleted: 3 });
  });

  it('subscribes an endpoint to the events it names only', async () => {
    const { rx } = await endpointWithReceiver(['--events', 'interview.failed']);
    const id = await createInterview('ATS-SUB');
    const repo = createInterviewRepo(ws.db.sql);
    await repo.applyEvent(id, 'join', { actor: 'candidate' });
    await repo.applyEvent(id, 'fail', { actor: 'agent', patch: { error: 'agent_no_show' } });
    await ws.run(['hooks', 'send']);
    expect(delivered(rx).map((r) => r.type)).toEqual(['interview.failed']);
  });
});

describe('receivers that misbehave', () => {
  it('does not follow a redirect, cuts a 5 MB answer short, and disables an endpoint that answers 410', async () => {
    const { rx, id: endpointId } = await endpointWithReceiver();
    rx.setResponder((r, res) => {
      if (r.body.type === 'interview.created' && (r.body.data as { ref: string }).ref === 'ATS-302') return void res.writeHead(302, { location: `${rx.url}/elsewhere` }).end();
      if ((r.body.data as { ref?: string }).ref === 'ATS-BIG') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        return void res.end(Buffer.alloc(5 * 1024 * 1024, 'x'));
      }
      if ((r.body.data as { ref?: string }).ref === 'ATS-410') return void res.writeHead(410).end();
      res.writeHead(204).end();
    });
    await createInterview('ATS-302');
    await createInterview('ATS-BIG');
    const r1 = await ws.run(['hooks', 'send']);
    expect(r1.code).toBe(5);
    expect(r1.stderr).toMatch(/HTTP 302: redirect to .* not followed/);
    expect(rx.paths.filter((p) => p.endsWith('/elsewhere'))).toEqual([]);
    const list = JSON.parse((await ws.run(['hooks', 'deliveries', '--json'])).stdout) as { state: string; lastStatus: number; attempts: number }[];
    expect(list.map((d) => [d.state, d.lastStatus]).sort()).toEqual([['delivered', 200], ['pending', 302]]);

    await createInterview('ATS-410');
    await ws.db.sql`update hook_deliveries set next_attempt_at = now()`;
    await ws.run(['hooks', 'send']);
    const hooks = JSON.parse((await ws.run(['hooks', 'list', '--json'])).stdout) as { id: string; state: string; disabledReason: string }[];
    expect(hooks.find((h) => h.id === endpointId)).toMatchObject({ state: 'disabled', disabledReason: 'answered 410 Gone' });
    const doctor = await ws.run(['doctor', '--json']);
    const check = (JSON.parse(doctor.stdout) as { check: string; status: string; detail: string }[]).find((c) => c.check === 'outbound webhooks');
    expect(check).toMatchObject({ status: 'fail' });
    expect(check!.detail).toContain(endpointId);
  });
});

describe('serve delivers', () => {
  let env: Record<string, string>;
  beforeAll(() => {
    env = { ...ws.db.env, INTERVIEWCTL_HOME: ws.scratch.dir, HOOKS_RETRY_BASE: '200ms' };
  });
  afterAll(async () => {
    for (const s of serves.splice(0)) await s.stop('SIGKILL');
  });

  it('keeps each interview in order while the receiver is down, then delivers everything', async () => {
    const { rx } = await endpointWithReceiver();
    let down = true;
    rx.setResponder((_r, res) => void res.writeHead(down ? 503 : 204).end());
    serves.push(await startServe(env, ws.scratch.dir));
    const repo = createInterviewRepo(ws.db.sql);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = await createInterview(`ATS-DOWN-${i}`);
      await repo.applyEvent(id, 'join', { actor: 'candidate' });
      await candidateJoined(ws.db.sql, id);
      await repo.applyEvent(id, 'fail', { actor: 'agent', patch: { error: 'agent_no_show' } });
      ids.push(id);
    }
    // Down for a number of refused attempts (retries back off: 200 ms, 400 ms, 800 ms, …).
    await waitFor('refused attempts', () => rx.received.filter((r) => r.status === 503).length >= 9);
    down = false;
    await waitFor('every event delivered', () => delivered(rx).length === 9);
    for (const id of ids) {
      const mine = rx.received.filter((r) => r.interviewId === id);
      expect(delivered(rx).filter((r) => r.interviewId === id).map((r) => r.type)).toEqual(['interview.created', 'interview.started', 'interview.failed']);
      // Never an event before the one ahead of it was accepted.
      const firstSeen = (type: string) => mine.findIndex((r) => r.type === type);
      const acceptedAt = (type: string) => mine.findIndex((r) => r.type === type && r.status === 204);
      expect(firstSeen('interview.started')).toBeGreaterThan(acceptedAt('interview.created'));
      expect(firstSeen('interview.failed')).toBeGreaterThan(acceptedAt('interview.started'));
    }
  });

  it('delivers after serve is killed mid-send, under the same webhook-id', async () => {
    const { rx } = await endpointWithReceiver();
    let held: string | undefined;
    rx.setResponder((r, res) => {
      if (held === undefined) {
        held = r.webhookId; // never answered: serve dies while waiting
        return new Promise(() => {});
      }
      res.writeHead(204).end();
    });
    let serve = await startServe(env, ws.scratch.dir);
    serves.push(serve);
    await createInterview('ATS-KILL');
    await waitFor('the first attempt to arrive', () => held !== undefined);
    await serve.stop('SIGKILL');
    serve = await startServe(env, ws.scratch.dir);
    serves.push(serve);
    // The dead sender's lease runs out (20 s), then the new one sends the same event again.
    await waitFor('the delivery after restart', () => delivered(rx).length === 1, 50_000);
    expect(delivered(rx)[0]!.webhookId).toBe(held);
    const [d] = await ws.db.sql<{ state: string; attempts: number }[]>`select state, attempts from hook_deliveries`;
    expect(d).toMatchObject({ state: 'delivered', attempts: 2 });
  });

  it('two serve replicas deliver each event once', async () => {
    const { rx } = await endpointWithReceiver();
    rx.setResponder((_r, res) => void setTimeout(() => res.writeHead(204).end(), Math.floor(Math.random() * 20)));
    serves.push(await startServe(env, ws.scratch.dir), await startServe(env, ws.scratch.dir));
    const csv = ['name,ref', ...Array.from({ length: 300 }, (_, i) => `Candidate ${i},ATS-TWO-${i}`)].join('\n');
    const r = await ws.run(['create', '--from', '-', '--json'], { input: csv });
    expect(r.code, r.stderr).toBe(0);
    await waitFor('300 deliveries', () => delivered(rx).length >= 300);
    // A moment for any duplicate still in flight to land.
    await new Promise((res) => setTimeout(res, 1500));
    const ids = rx.received.map((x) => x.webhookId);
    expect(ids.length).toBe(300);
    expect(new Set(ids).size).toBe(300);
    const [n] = await ws.db.sql<{ n: number }[]>`select count(*)::int as n from hook_deliveries where state = 'delivered' and attempts = 1`;
    expect(n!.n).toBe(300);
  });
});
