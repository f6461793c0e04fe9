// One agent worker on the real livekit-server takes as many interviews as AGENT_MAX_INTERVIEWS
// says, and no more. LiveKit routes a room's job only to a worker whose reported load is below
// its target load (0.7): a worker reporting running / max lost every interview past 70 % of its
// capacity (here the 4th of 4), silently, until reconcile failed it `agent_no_show`. Joins go
// through serve's join API and no candidate connects: each job waits for its candidate
// (AGENT_CANDIDATE_WAIT), which holds its place in the worker without any media.
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
    stack = await startStack({ scenario: 'worker-capacity', env: { RECORDER: 'off' } });
    await startAgent(stack, 'agent.log', { env: { AGENT_MAX_INTERVIEWS: String(MAX), AGENT_IDLE_PROCESSES: String(MAX), AGENT_CANDIDATE_WAIT: '90s' }, readyTimeoutMs: 120_000 });
  }, 180_000);

  afterAll(async () => {
    // A deleted room ends its job, so the worker's drain does not wait out the candidate wait.
    await Promise.all(rooms.map((r) => stack?.rooms.deleteRoom(r).catch(() => {})));
    await stack?.stop();
  });

  const hasAgent = async (room: string) => (await stack.rooms.listParticipants(room)).some((p) => Number(p.kind) === PARTICIPANT_KIND_AGENT);

  async function join(n: number): Promise<string> {
    const interview = await stack.createInterview(`Capacity Candidate ${n}`);
    const res = await fetch(`${stack.publicUrl}/api/interviews/${interview.id}/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(joinBody()) });
    expect(res.status).toBe(200);
    rooms.push(interview.roomName);
    return interview.roomName;
  }

  it(`takes ${MAX} interviews at once, the last one too, and is offered nothing past that`, async () => {
    for (let n = 1; n <= MAX; n++) {
      const room = await join(n);
      await eventually(async () => ((await hasAgent(room)) ? true : undefined), { what: `an interviewer in interview ${n} of ${MAX}`, timeoutMs: 45_000, intervalMs: 500 });
      // LiveKit hears the worker's load every 2.5 s.
      await sleep(3000);
    }
    const full = await join(MAX + 1);
    await sleep(10_000);
    expect(await hasAgent(full), 'a full worker took one more interview').toBe(false);
    // What LiveKit did with it: no worker below its target load, so the job was not sent.
    expect(stack.livekitLog()).toMatch(/failed to send job request|no worker available to handle job/);
    for (const room of rooms.slice(0, MAX)) expect(await hasAgent(room), room).toBe(true);
  }, 240_000);
});
