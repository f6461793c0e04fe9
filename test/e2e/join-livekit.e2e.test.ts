// The join's LiveKit side on the real server: the room it creates, the agent it dispatches (id
// stored), the token it hands out, and what a candidate sees when LiveKit does not answer.
import { join } from 'node:path';
import { AgentDispatchClient, TokenVerifier } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinBody } from '../stack/disclosure.mjs';
import { startCliProcess } from '../stack/interviewctl.mjs';
import { freePort, startStack, type Stack } from './helpers/stack.js';

// Every dispatch in a room: serve creates rooms naming the agent, so LiveKit adds no default
// dispatch (an empty agent name, which any unnamed worker would take) beside ours.
const named = <T extends { agentName: string }>(ds: T[]) => ds;

const joinLink = (base: string, id: string, body: unknown = joinBody()) =>
  fetch(`${base}/api/interviews/${id}/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('join on the real LiveKit server', () => {
  let stack: Stack;

  beforeAll(async () => {
    // The server's own room defaults differ from the ones serve asks for, so the test can tell them apart.
    stack = await startStack({ scenario: 'join-livekit', room: { emptyTimeout: 30, departureTimeout: 20 } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('doctor: with no worker running, a forged agent join event does not make it healthy', async () => {
    const interview = await stack.createInterview('Forged Agent');
    // A signed, synthetic "agent joined" delivery, as anyone with the API secret could send.
    const sent = await stack.cli(['webhooks', 'trigger', 'participant_joined', '--interview', interview.id, '--as', 'agent']);
    expect(sent.code, sent.stderr).toBe(0);
    const doctor = await stack.cli(['doctor', '--json']);
    const worker = (JSON.parse(doctor.stdout) as { check: string; status: string; detail: string }[]).find((c) => c.check === 'agent worker');
    expect(worker).toMatchObject({ status: 'warn', detail: expect.stringMatching(/no worker registered as "interviewer" joined a test room/) });
  }, 60_000);

  it('creates the room with its own timeouts, dispatches the agent with the interview id, stores the dispatch id', async () => {
    const interview = await stack.createInterview('Ada Lovelace');
    const res = await joinLink(stack.publicUrl, interview.id);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; roomName: string; resumeKey: string };
    expect(body.roomName).toBe(interview.roomName);

    const shown = await stack.show(interview.id);
    expect(shown.status).toBe('used');
    expect(shown.dispatchId).toMatch(/^AD_/);

    const [room] = await stack.rooms.listRooms([interview.roomName]);
    expect(room, 'the room exists on the server').toBeDefined();
    expect({ empty: room!.emptyTimeout, departure: room!.departureTimeout, max: room!.maxParticipants }).toEqual({ empty: 300, departure: 120, max: 4 });

    const dispatches = named(await new AgentDispatchClient(stack.livekitHttpUrl, stack.apiKey, stack.apiSecret).listDispatch(interview.roomName));
    expect(dispatches.map((d) => d.id)).toEqual([shown.dispatchId]);
    expect(dispatches[0]!.agentName).toBe('interviewer');
    expect(JSON.parse(dispatches[0]!.metadata)).toEqual({ interviewId: interview.id, claim: expect.any(String) });

    const claims = await new TokenVerifier(stack.apiKey, stack.apiSecret).verify(body.token);
    expect(claims.sub).toBe(`candidate-${interview.id}`);
    expect(claims.video).toEqual({
      room: interview.roomName,
      roomJoin: true,
      canPublish: true,
      canPublishSources: ['camera', 'microphone'],
      canSubscribe: true,
      canPublishData: false,
      canUpdateOwnMetadata: false,
    });

    // A reload with the resume key gets a fresh token and changes nothing on the server.
    const again = await joinLink(stack.publicUrl, interview.id, joinBody({ resumeKey: body.resumeKey }));
    expect(again.status).toBe(200);
    expect(named(await new AgentDispatchClient(stack.livekitHttpUrl, stack.apiKey, stack.apiSecret).listDispatch(interview.roomName))).toHaveLength(1);
  });

  it('many links joined at once: every one claimed with its own room and dispatch', async () => {
    const interviews = await Promise.all(Array.from({ length: 12 }, (_, i) => stack.createInterview(`Candidate ${i}`)));
    const answers = await Promise.all(interviews.map((i) => joinLink(stack.publicUrl, i.id)));
    expect(answers.map((a) => a.status)).toEqual(interviews.map(() => 200));
    const dispatch = new AgentDispatchClient(stack.livekitHttpUrl, stack.apiKey, stack.apiSecret);
    for (const i of interviews) {
      const shown = await stack.show(i.id);
      expect(shown.status).toBe('used');
      expect(named(await dispatch.listDispatch(i.roomName)).map((d) => d.id)).toEqual([shown.dispatchId]);
    }
  });

  it('LiveKit not answering: 503, the link stays unused, and the next join once it answers wins', async () => {
    const interview = await stack.createInterview('Grace Hopper');
    const port = await freePort();
    const deadLiveKit = await freePort(); // nothing listens there
    const serve = stack.own(
      await startCliProcess(['serve'], {
        env: { ...stack.env, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, LIVEKIT_URL: `ws://127.0.0.1:${deadLiveKit}` },
        cwd: stack.home,
        logPath: join(stack.logs, 'serve-no-livekit.log'),
        what: 'interviewctl serve without LiveKit',
        ready: async () => {
          try {
            const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
            return ((await res.json()) as { db?: boolean }).db === true;
          } catch {
            return false;
          }
        },
      }),
    );
    const refused = await joinLink(`http://127.0.0.1:${port}`, interview.id);
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: string }).error).toBe('livekit_unavailable');
    await serve.stop();

    const shown = await stack.show(interview.id);
    expect(shown.status).toBe('created');
    expect(shown.dispatchId ?? null).toBeNull();
    const events = await stack.sql`select to_status from interview_events where interview_id = ${interview.id}`;
    expect(events).toHaveLength(0);

    const joined = await joinLink(stack.publicUrl, interview.id);
    expect(joined.status).toBe(200);
    expect((await stack.show(interview.id)).status).toBe('used');
  });
});
