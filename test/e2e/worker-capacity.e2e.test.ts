// One agent worker on the real livekit-server takes as many interviews as AGENT_MAX_INTERVIEWS
// says, and no more. LiveKit routes a room's job only to a worker whose reported load is below
// its target load (0.7): a worker reporting running / max lost every interview past 70 % of its
// capacity (here the 4th of 4), silently, until reconcile failed it `agent_no_show`. Joins go
// through serve's join API and no candidate connects: each job waits for its candidate
// (AGENT_CANDIDATE_WAIT), which holds its place in the worker without any media.
// LiveKit never offers the dropped job again: once a place is free, `interviewctl reconcile`
// dispatches the interviewer into the waiting room again.
import { writeFileSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinBody } from '../stack/disclosure.mjs';
import { startAgent } from './helpers/faults.js';
import { eventually } from './helpers/page.js';
import { startStack, type Stack } from './helpers/stack.js';

const MAX = 4;
const PARTICIPANT_KIND_AGENT = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('an agent worker’s capacity on the real LiveKit server', () => {
  let stack: Stack;
  const rooms: string[] = [];

  beforeAll(async () => {
    // serve's own sweep must not dispatch the waiting interview before this test's reconcile does.
    stack = await startStack({ scenario: 'worker-capacity', env: { RECORDER: 'off', RECONCILE_REDISPATCH_AFTER: '10m' } });
    await startAgent(stack, 'agent.log', { env: { AGENT_MAX_INTERVIEWS: String(MAX), AGENT_IDLE_PROCESSES: String(MAX), AGENT_CANDIDATE_WAIT: '90s' }, readyTimeoutMs: 120_000 });
  }, 180_000);

  afterAll(async () => {
    // A deleted room ends its job, so the worker's drain does not wait out the candidate wait.
    await Promise.all(rooms.map((r) => stack?.rooms.deleteRoom(r).catch(() => {})));
    await stack?.stop();
  });

  const hasAgent = async (room: string) => (await stack.rooms.listParticipants(room)).some((p) => Number(p.kind) === PARTICIPANT_KIND_AGENT);

  async function join(n: number): Promise<{ id: string; room: string }> {
    const interview = await stack.createInterview(`Capacity Candidate ${n}`);
    const res = await fetch(`${stack.publicUrl}/api/interviews/${interview.id}/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(joinBody()) });
    expect(res.status).toBe(200);
    rooms.push(interview.roomName);
    return { id: interview.id, room: interview.roomName };
  }

  it(`takes ${MAX} interviews at once, the last one too, is offered nothing past that, and takes it once reconcile dispatches it again into a freed place`, async () => {
    for (let n = 1; n <= MAX; n++) {
      const { room } = await join(n);
      await eventually(async () => ((await hasAgent(room)) ? true : undefined), { what: `an interviewer in interview ${n} of ${MAX}`, timeoutMs: 45_000, intervalMs: 500 });
      // LiveKit hears the worker's load every 2.5 s.
      await sleep(3000);
    }
    const { id: waitingId, room: full } = await join(MAX + 1);
    await sleep(10_000);
    expect(await hasAgent(full), 'a full worker took one more interview').toBe(false);
    // What LiveKit did with it: no worker below its target load, so the job was not sent.
    expect(stack.livekitLog()).toMatch(/failed to send job request|no worker available to handle job/);
    for (const room of rooms.slice(0, MAX)) expect(await hasAgent(room), room).toBe(true);

    // One interview over: its job ends with its room, and the worker has a place again.
    await stack.rooms.deleteRoom(rooms[0]!);
    await eventually(async () => ((await stack.rooms.listRooms([rooms[0]!])).length === 0 ? true : undefined), { what: 'the first room gone', timeoutMs: 15_000, intervalMs: 250 });
    // The job process ends, then LiveKit hears the lower load (every 2.5 s): two reports.
    await sleep(6000);
    expect(await hasAgent(full), 'LiveKit offered the dropped job again by itself').toBe(false);

    const run = await stack.cli(['reconcile', '--redispatch-after', '2s', '--json']);
    writeFileSync(joinPath(stack.logs, 'reconcile.txt'), `${run.code}\n${run.stdout}\n${run.stderr}`);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(lines).toContainEqual(expect.objectContaining({ id: waitingId, status: 'used', action: 'redispatch', applied: true, error: null }));
    await eventually(async () => ((await hasAgent(full)) ? true : undefined), { what: 'an interviewer in the waiting interview after reconcile', timeoutMs: 45_000, intervalMs: 500 });
    const shown = await stack.show(waitingId);
    expect(shown.status).toBe('used');
    expect(shown.events.map((e: { reason: string | null }) => e.reason)).toContainEqual(expect.stringMatching(/^agent dispatched again: no interviewer joined the room \d+ s after its dispatch/));
    // One interviewer, and the job of the new dispatch is the one in the room.
    expect((await stack.rooms.listParticipants(full)).filter((p) => Number(p.kind) === PARTICIPANT_KIND_AGENT)).toHaveLength(1);
  }, 300_000);
});
