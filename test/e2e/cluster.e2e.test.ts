// Past one machine, on the real stack: two livekit-server nodes sharing one Redis, two
// `interviewctl agent` workers (one per node), two `serve` replicas on one database, versitygw as
// S3, and synthetic candidates (@livekit/rtc-node: a camera and spoken answers, the ones
// `interviewctl loadtest` uses) joining through both serves.
//  - interviews started through both serves land on both nodes and both workers, and every one
//    completes with a playable recording;
//  - a worker that is full says so and is offered nothing more; SIGTERM drains it: its interviews
//    finish, the next one goes to the other worker, and it exits (143, the CLI's SIGTERM code) once they are done;
//  - a serve replica is killed mid-way: the other keeps answering joins and the webhooks of every
//    interview, also those that joined through the dead one;
//  - webhooks reach both replicas and the sweeps run on several processes at once, with no double
//    effect (no transition recorded twice, an expired link expired once);
//  - a LiveKit node stopped with a live room: what LiveKit did is written to
//    artifacts/cluster/node-stop.json (and docs/deploy.md).
// Small on purpose (4 interviews, 2 at a time per worker): the machine has 2 shared cores.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../stack/interviewctl.mjs';
import { isAlive } from '../stack/process.mjs';
import { startCluster, type Cluster, type CliProcess, type LiveKitNode } from './helpers/cluster.js';
import { addQuestionSet, statusPath } from './helpers/interview.js';
import { eventually } from './helpers/page.js';
import { joinBody as joinBodyShown } from '../stack/disclosure.mjs';

type CandidateModule = typeof import('../../cli/adapters/livekit/synthetic-candidate.js');
type CandidateRun = Awaited<ReturnType<CandidateModule['runCandidate']>>;

const FINAL = ['completed', 'failed', 'expired', 'revoked'];
const ANSWER = 'I lead a small team that builds media servers and recording tools for real time video.';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a cluster: two LiveKit nodes over Redis, two agent workers, two serve replicas', () => {
  let c: Cluster;
  let candidate: CandidateModule;
  let answer: Int16Array;
  let video: Uint8Array[];
  const serves: (CliProcess | undefined)[] = [];
  const workers = new Map<string, CliProcess>();
  const ids: string[] = [];
  const runs = new Map<string, Promise<CandidateRun>>();
  const joinedVia = new Map<string, number>();
  const report: Record<string, unknown> = {};

  beforeAll(async () => {
    c = await startCluster({
      scenario: 'cluster',
      serves: 2,
      env: { RECORDER: 'agent', AGENT_CANDIDATE_WAIT: '60s', AGENT_MAX_INTERVIEWS: '2', AGENT_IDLE_PROCESSES: '1', JOIN_RATE_LIMIT: 'off' },
    });
    // rtc-node logs at debug level to stdout unless NODE_ENV is production when it loads.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    candidate = await import(join(repoRoot, 'dist/cli/adapters/livekit/synthetic-candidate.js'));
    const { createEspeakSynthesizer } = await import(join(repoRoot, 'dist/agent/speech/synthesizers.js'));
    process.env.NODE_ENV = nodeEnv;
    const tts = await createEspeakSynthesizer();
    answer = candidate.voicedPart(await tts.synthesize(ANSWER, 'en'));
    await tts.close();
    video = candidate.makeVideoLoop();

    serves[0] = await c.startServe(0, c.nodes[0]!);
    serves[1] = await c.startServe(1, c.nodes[1]!);
    workers.set('a', await c.startAgent('a', c.nodes[0]!));
    workers.set('b', await c.startAgent('b', c.nodes[1]!));
    await addQuestionSet(c as never, { name: 'cluster', questions: [{ text: 'What is your current role?', timeLimit: '20s' }, { text: 'What would you like to learn next?', timeLimit: '20s' }] });
  }, 300_000);

  afterAll(async () => {
    mkdirSync(c?.artifacts ?? '.', { recursive: true });
    if (c) writeFileSync(join(c.artifacts, 'report.json'), JSON.stringify(report, null, 2));
    await c?.stop();
  });

  async function create(n: number): Promise<string> {
    const res = await c.cli(['create', '--name', `Cluster Candidate ${n}`, '--ref', `cluster-${n}`, '--questions', 'cluster', '--duration', '1m', '--json']);
    expect(res.code, res.stderr).toBe(0);
    return res.json().id as string;
  }

  /** Creates an interview and starts its candidate, joining through serve replica `via`. */
  async function start(via: number): Promise<string> {
    const id = await create(ids.length + 1);
    ids.push(id);
    joinedVia.set(id, via);
    runs.set(id, candidate.runCandidate({ serveUrl: c.serveUrls[via]!, id, answer, video, deadlineMs: 150_000 }));
    return id;
  }

  const status = async (id: string) => (await c.sql<{ status: string }[]>`select status from interviews where id = ${id}`)[0]?.status;
  const workerOf = (id: string) => [...workers.entries()].find(([, w]) => w.logText().includes(`"interview_id":"${id}"`))?.[0];
  const roomName = (id: string) => `interview-${id}`;
  /** The node LiveKit placed a room on, from "selected node for room" in either node's log. */
  const nodeOf = (id: string): LiveKitNode | undefined => {
    for (const n of c.nodes) {
      for (const line of n.logText().split('\n')) {
        if (!line.includes('selected node for room') || !line.includes(`"${roomName(id)}"`)) continue;
        const selected = /"selectedNodeID": "([^"]+)"/.exec(line)?.[1];
        return c.nodes.find((x) => x.nodeId === selected);
      }
    }
    return undefined;
  };

  it('spreads interviews over both nodes and workers; a full worker is offered nothing, SIGTERM drains it; a killed serve is covered by the other', async () => {
    // Three interviews, through serve 0, 1, 0, a few seconds apart (LiveKit learns each worker's
    // load every 2.5 s and each node's room count every 2 s).
    for (const via of [0, 1, 0]) {
      const id = await start(via);
      await eventually(async () => (workerOf(id) ? true : undefined), { what: `a worker taking ${id}`, timeoutMs: 60_000, intervalMs: 500 });
      await sleep(3000);
    }
    const first = ids.slice(0, 3);
    const placed = first.map((id) => ({ id, via: joinedVia.get(id), node: nodeOf(id)?.name, worker: workerOf(id) }));
    report.placement = placed;
    // Rooms on both nodes, jobs on both workers (each takes 2 at most, so 3 cannot fit on one).
    expect(new Set(placed.map((p) => p.node)), JSON.stringify(placed)).toEqual(new Set(['a', 'b']));
    expect(new Set(placed.map((p) => p.worker)), JSON.stringify(placed)).toEqual(new Set(['a', 'b']));

    // The worker with two interviews is full: it reported so to LiveKit.
    const count = (w: string) => placed.filter((p) => p.worker === w).length;
    const busy = count('a') === 2 ? 'a' : 'b';
    const other = busy === 'a' ? 'b' : 'a';
    await eventually(async () => /worker is at full capacity/.test(workers.get(busy)!.logText()), { what: `worker ${busy} reporting full`, timeoutMs: 15_000 });

    // SIGTERM the full worker mid-interview, and kill serve replica 1 outright.
    const drained = workers.get(busy)!;
    const drainedIds = placed.filter((p) => p.worker === busy).map((p) => p.id);
    process.kill(drained.pid, 'SIGTERM');
    await eventually(async () => /agent worker draining/.test(drained.logText()), { what: 'the worker draining', timeoutMs: 10_000 });
    process.kill(serves[1]!.pid, 'SIGKILL');
    await eventually(async () => (serves[1]!.exited() ? true : undefined), { what: 'serve 1 gone' });
    report.sigterm = { worker: busy, interviews: drainedIds, at: new Date().toISOString() };

    // A new interview through the surviving serve goes to the other worker.
    const fourth = await start(0);
    await eventually(async () => (workerOf(fourth) ? true : undefined), { what: 'a worker taking the 4th interview', timeoutMs: 60_000, intervalMs: 500 });
    expect(workerOf(fourth)).toBe(other);
    // The draining worker is still running its interviews.
    expect(drained.exited()).toBeNull();

    // Every candidate heard the interviewer out; every interview completed with its recording.
    const heard = await Promise.all(ids.map((id) => runs.get(id)!));
    report.candidates = heard.map((h) => ({ id: h.id, firstAudioMs: Math.round(h.firstAudioMs), gapsMs: h.gaps.map((g) => Math.round(g.ms)), heardClosing: h.heardClosing, error: h.error }));
    for (const h of heard) expect(h.error, `candidate of ${h.id}`).toBeUndefined();
    await eventually(async () => ((await Promise.all(ids.map(status))).every((s) => FINAL.includes(s!)) ? true : undefined), { what: 'all interviews final', timeoutMs: 120_000, intervalMs: 1000 });
    const recordings: Record<string, unknown>[] = [];
    for (const id of ids) {
      const shown = (await c.cli(['show', id, '--json'])).json();
      expect(shown.status, `${id}: ${shown.endReason ?? ''} ${shown.error ?? ''}`).toBe('completed');
      expect(await statusPath(c as never, id)).toEqual(['used', 'recording', 'ending', 'completed']);
      const dir = join(c.artifacts, id);
      mkdirSync(dir, { recursive: true });
      const mp4 = join(dir, 'recording.mp4');
      writeFileSync(mp4, await c.getObject(shown.recordingKey));
      const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', mp4], { encoding: 'utf8' }));
      const codecs = probe.streams.map((s: { codec_type: string; codec_name: string }) => `${s.codec_type}:${s.codec_name}`).sort();
      // The mix first, then the interviewer's and the candidate's voices alone (issue 9).
      expect(codecs).toEqual(['audio:aac', 'audio:aac', 'audio:aac', 'video:h264']);
      expect(Number(probe.format.duration)).toBeGreaterThan(10);
      recordings.push({ id, key: shown.recordingKey, seconds: Number(probe.format.duration), worker: workerOf(id), node: nodeOf(id)?.name, via: joinedVia.get(id) });
    }
    report.recordings = recordings;

    // The drained worker exits by itself once its interviews are done, with the CLI's code for
    // "stopped by SIGTERM" (143), not killed and not on an error.
    await eventually(async () => drained.exited() ?? undefined, { what: 'the drained worker exiting', timeoutMs: 60_000, intervalMs: 500 });
    expect(drained.exited()).toEqual({ code: 143, signal: null });
    expect(drained.logText()).toMatch(/agent worker stopped/);
    for (const id of drainedIds) expect(await status(id)).toBe('completed');
    workers.delete(busy);
  }, 600_000);

  it('applies each webhook and each sweep once, though both replicas and several sweeps saw them', async () => {
    // Both replicas received the same webhooks (every node posts to both) until one was killed,
    // and each event was applied by one of them only: the other saw it as a duplicate.
    const hooks = (proc: CliProcess) =>
      proc
        .logText()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg?: string; event_id?: string; duplicate?: boolean })
        .filter((r) => r.msg === 'webhook' && r.event_id);
    const [h0, h1] = [hooks(serves[0]!), hooks(serves[1]!)];
    const both = h0.filter((r) => h1.some((o) => o.event_id === r.event_id));
    report.webhooks = { serve0: h0.length, serve1: h1.length, deliveredToBoth: both.length };
    expect(h0.length).toBeGreaterThan(0);
    expect(h1.length).toBeGreaterThan(0);
    expect(both.length).toBeGreaterThan(0);
    for (const r of both) {
      const firsts = [...h0, ...h1].filter((o) => o.event_id === r.event_id && o.duplicate === false);
      expect(firsts.length, `webhook ${r.event_id} applied ${firsts.length} times`).toBeLessThanOrEqual(1);
    }
    // No transition recorded twice for any interview, no webhook applied twice.
    const dup = await c.sql`
      select interview_id, from_status, to_status, count(*)::int as n from interview_events
      where from_status is distinct from to_status group by 1, 2, 3 having count(*) > 1`;
    expect(dup).toEqual([]);
    const dupHooks = await c.sql`select webhook_id, count(*)::int as n from interview_events where webhook_id is not null group by 1 having count(*) > 1`;
    expect(dupHooks).toEqual([]);

    // A second replica again (a rolling restart), then links past their expiry swept by both
    // replicas' periodic sweep and three `interviewctl reconcile` runs at the same moment.
    serves[1] = await c.startServe(1, c.nodes[1]!);
    const expiring = [await create(101), await create(102)];
    await c.sql`update interviews set expires_at = now() - interval '1 minute' where id = any(${expiring})`;
    const sweeps = await Promise.all([1, 2, 3].map(() => c.cli(['reconcile', '--json'])));
    for (const s of sweeps) expect(s.code, s.stderr).toBe(0);
    const events = await c.sql<{ interview_id: string; n: number }[]>`
      select interview_id, count(*)::int as n from interview_events where interview_id = any(${expiring}) and to_status = 'expired' group by 1`;
    expect(events.map((e) => e.n)).toEqual([1, 1]);
    for (const s of serves) expect(s!.logText()).not.toMatch(/reconcile sweep failed/);
    report.expirySweeps = { interviews: expiring, expiredEvents: events };
  }, 180_000);

  it('keeps joins working when a LiveKit node is stopped (what LiveKit did is recorded)', async () => {
    // A live interview on some node, then that node is stopped the way an operator would (SIGTERM).
    const id = await start(0);
    await eventually(async () => ((await status(id)) === 'recording' ? true : undefined), { what: 'the interview recording', timeoutMs: 90_000, intervalMs: 500 });
    const host = nodeOf(id)!;
    const survivor = c.nodes.find((n) => n !== host)!;
    const t0 = Date.now();
    process.kill(host.pid, 'SIGTERM');
    const exit = await eventually(async () => host.exited() ?? undefined, { what: `livekit-${host.name} exiting`, timeoutMs: 60_000, intervalMs: 250 }).catch(() => undefined);
    const exitedAfterMs = Date.now() - t0;
    const run = await runs.get(id)!;
    const final = await eventually(async () => {
      const s = await status(id);
      return s && FINAL.includes(s) ? s : undefined;
    }, { what: 'the interview on the stopped node ending', timeoutMs: 150_000, intervalMs: 1000 }).catch(() => status(id));
    const shown = (await c.cli(['show', id, '--json'])).json();
    const roomsOnSurvivor = (await c.rooms[c.nodes.indexOf(survivor)]!.listRooms()).map((r) => r.name);
    // A new join through the serve that talks to the surviving node: its room lands there.
    const serveOfSurvivor = c.nodes.indexOf(survivor);
    const next = await create(201);
    const res = await fetch(`${c.serveUrls[serveOfSurvivor]}/api/interviews/${next}/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(joinBodyShown()) });
    const joinBody = await res.json();
    const observed = {
      stoppedNode: host.name,
      signal: 'SIGTERM',
      exit,
      exitedAfterMs,
      candidate: { error: run.error, heardClosing: run.heardClosing },
      interview: { status: final, endReason: shown.endReason, error: shown.error, path: await statusPath(c as never, id) },
      roomsOnSurvivor,
      logTail: host.logText().split('\n').slice(-25),
      joinAfter: { status: res.status, node: nodeOf(next)?.name, error: joinBody.error },
    };
    report.nodeStop = observed;
    writeFileSync(join(c.artifacts, 'node-stop.json'), JSON.stringify(observed, null, 2));
    expect(isAlive(host.pid) && !host.exited()).toBe(false);
    expect(FINAL).toContain(final);
    expect(res.status).toBe(200);
    expect(nodeOf(next)?.name).toBe(survivor.name);
  }, 400_000);
});
