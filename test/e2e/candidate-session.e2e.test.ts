// One candidate, one link, the whole session on the real stack: preflight, consent and join,
// tracks published, LiveKit's webhooks stored, a second browser refused, a reload resumed, End.
import { createHash } from 'node:crypto';
import { AccessToken, TrackSource, TrackType } from 'livekit-server-sdk';
import type { BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, pressEnd, nextScreen, participantsOf, videoPlaying, waitForScreen } from './helpers/page.js';
import { startStack, type Stack } from './helpers/stack.js';
import { joinBody } from '../stack/disclosure.mjs';

describe('a candidate session on the real stack', () => {
  let stack: Stack;
  let interview: { id: string; url: string; roomName: string };
  let context: BrowserContext;
  let page: Page;
  let firstJoin: { resumeKey: string; roomName: string; livekitUrl: string };
  const identity = () => `candidate-${interview.id}`;

  beforeAll(async () => {
    stack = await startStack({ scenario: 'candidate-session' });
    interview = await stack.createInterview('Ada Lovelace', ['--duration', '10m']);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('the link opens the preflight with a live camera preview', async () => {
    expect(interview.url).toBe(`${stack.publicUrl}/interview/${interview.id}`);
    ({ context, page } = await stack.newPage());
    await page.goto(interview.url);
    await waitForScreen(page, 'preflight');
    await eventually(() => videoPlaying(page), { what: 'the camera preview to play' });
    expect(await page.locator('#join').isDisabled()).toBe(true);
    await stack.screenshot(page, '01-preflight');
  });

  it('consent and join connect the candidate to the room', async () => {
    await page.locator('#consent').check();
    await eventually(() => page.locator('#join').isEnabled(), { what: '#join to be enabled after consent' });
    const joined = page.waitForResponse((r) => r.url().endsWith(`/api/interviews/${interview.id}/join`) && r.request().method() === 'POST');
    await page.locator('#join').click();
    const response: Response = await joined;
    expect(response.status()).toBe(200);
    firstJoin = await response.json();
    expect(firstJoin.roomName).toBe(interview.roomName);
    expect(typeof firstJoin.resumeKey).toBe('string');
    await waitForScreen(page, 'interview');

    const participants = await eventually(
      async () => {
        const list = await participantsOf(stack.rooms, interview.roomName);
        return list.some((p) => p.identity === identity()) ? list : undefined;
      },
      { what: `${identity()} in ${interview.roomName}` },
    );
    expect(participants.filter((p) => p.identity === identity())).toHaveLength(1);
    expect((await stack.show(interview.id)).status).toBe('used');
    await eventually(() => videoPlaying(page), { what: 'the self view to play' });
    await stack.screenshot(page, '02-interview');
  });

  it("publishes the candidate's camera and microphone", async () => {
    const tracks = await eventually(
      async () => {
        const me = (await participantsOf(stack.rooms, interview.roomName)).find((p) => p.identity === identity());
        const t = me?.tracks ?? [];
        const camera = t.find((x) => x.source === TrackSource.CAMERA);
        const mic = t.find((x) => x.source === TrackSource.MICROPHONE);
        return camera && mic ? { camera, mic } : undefined;
      },
      { what: 'camera and microphone tracks on the server' },
    );
    expect(tracks.camera.type).toBe(TrackType.VIDEO);
    expect(tracks.camera.muted).toBe(false);
    expect(tracks.camera.width).toBeGreaterThan(0);
    expect(tracks.mic.type).toBe(TrackType.AUDIO);
    expect(tracks.mic.muted).toBe(false);
  });

  it("stores LiveKit's own webhooks, verified and applied", async () => {
    type Row = { id: string; event: string; room_name: string | null; interview_id: string | null; body: string; applied_at: Date | null; error: string | null };
    const rows = await eventually(
      async () => {
        const r = await stack.sql<Row[]>`
          select id, event, room_name, interview_id, body::text as body, applied_at, error
          from webhook_events where room_name = ${interview.roomName} order by received_at`;
        const events = r.map((x) => x.event);
        const tracks = events.filter((e) => e === 'track_published').length;
        return events.includes('room_started') && events.includes('participant_joined') && tracks >= 2 ? r : undefined;
      },
      { what: 'room_started, participant_joined and two track_published in webhook_events' },
    );
    for (const row of rows) {
      expect(row.interview_id, `${row.event} linked to the interview`).toBe(interview.id);
      expect(row.error, `${row.event} applied without error`).toBeNull();
      expect(row.applied_at, `${row.event} applied`).not.toBeNull();
      // The raw body is LiveKit's own JSON, and its id is the row's key.
      const body = JSON.parse(row.body) as { id: string; event: string };
      expect(body.id).toBe(row.id);
      expect(body.event).toBe(row.event);
    }
    // Every delivery passed signature verification: none was refused.
    expect(stack.serveLog()).not.toMatch(/webhook rejected/);
    // participant_joined of the candidate sets candidate_joined_at.
    const shown = await stack.show(interview.id);
    expect(shown.candidateJoinedAt).not.toBeNull();
  });

  it('refuses a forged delivery and answers a duplicate without storing it twice', async () => {
    const [stored] = await stack.sql<{ id: string; body: string }[]>`
      select id, body::text as body from webhook_events
      where room_name = ${interview.roomName} and event = 'participant_joined' order by received_at limit 1`;
    expect(stored).toBeDefined();
    const count = async () => Number((await stack.sql<{ n: string }[]>`select count(*) as n from webhook_events`)[0]!.n);
    const before = await count();
    const deliver = (body: string, authorization: string) =>
      fetch(`${stack.publicUrl}/webhooks/livekit`, { method: 'POST', headers: { 'content-type': 'application/webhook+json', authorization }, body });
    const sign = async (body: string, secret: string) => {
      const token = new AccessToken(stack.apiKey, secret);
      token.sha256 = createHash('sha256').update(body).digest('base64');
      return token.toJwt();
    };
    const forgedBody = stored!.body.replace(stored!.id, 'EV_forged0000001');
    expect((await deliver(forgedBody, await sign(forgedBody, 'another-secret-that-is-also-32-chars-long'))).status).toBe(401);
    expect((await deliver(forgedBody, await sign(stored!.body, stack.apiSecret))).status).toBe(401);
    const duplicate = await deliver(stored!.body, await sign(stored!.body, stack.apiSecret));
    expect(duplicate.status).toBe(200);
    expect(await count()).toBe(before);
  });

  it('a second browser with the same link sees the "already used" screen', async () => {
    const other = await stack.newPage();
    try {
      let joinStatus: number | undefined;
      other.page.on('response', (r) => {
        if (r.url().endsWith(`/api/interviews/${interview.id}/join`)) joinStatus = r.status();
      });
      await other.page.goto(interview.url);
      // The page may know from the status call, or find out when it tries to join.
      const first = await nextScreen(other.page, ['preflight', 'error']);
      if (first === 'preflight') {
        await other.page.locator('#consent').check();
        await other.page.locator('#join').click();
      }
      await waitForScreen(other.page, 'error', { error: 'already_used' });
      if (joinStatus !== undefined) expect(joinStatus).toBe(409);
      await stack.screenshot(other.page, '03-already-used');

      // The API says the same to anyone without the key.
      const res = await fetch(`${stack.publicUrl}/api/interviews/${interview.id}/join`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(joinBody()),
      });
      expect(res.status).toBe(409);
      expect(await res.json()).toMatchObject({ error: 'already_used' });
    } finally {
      await other.context.close();
    }
    // The first candidate is still in the room.
    const list = await participantsOf(stack.rooms, interview.roomName);
    expect(list.some((p) => p.identity === identity())).toBe(true);
  });

  it('a reload of the first page rejoins with its resumeKey', async () => {
    const rejoin = page.waitForResponse((r) => r.url().endsWith(`/api/interviews/${interview.id}/join`) && r.request().method() === 'POST', { timeout: 30_000 });
    await page.reload();
    const response = await rejoin;
    expect(response.request().postDataJSON()).toMatchObject({ resumeKey: firstJoin.resumeKey });
    expect(response.status()).toBe(200);
    await waitForScreen(page, 'interview');

    // Connected again (one candidate participant, the same identity), same interview, still used.
    await eventually(
      async () => {
        const me = (await participantsOf(stack.rooms, interview.roomName)).filter((p) => p.identity === identity());
        return me.length === 1 && me[0]!.tracks.some((t) => t.source === TrackSource.CAMERA) && me[0]!.tracks.some((t) => t.source === TrackSource.MICROPHONE);
      },
      { what: `${identity()} back in the room with camera and microphone` },
    );
    const shown = await stack.show(interview.id);
    expect(shown.id).toBe(interview.id);
    expect(shown.status).toBe('used');
    await eventually(() => videoPlaying(page), { what: 'the self view to play after the reload' });
    await stack.screenshot(page, '04-rejoined');
  });

  it('End, confirmed, moves the interview to ending and shows the done screen', async () => {
    await pressEnd(page, { confirm: false });
    await stack.screenshot(page, '05-end-confirm');
    await page.locator('#end-confirm').click();
    await waitForScreen(page, 'done');
    await stack.screenshot(page, '06-done');
    const shown = await eventually(
      async () => {
        const s = await stack.show(interview.id);
        return s.status === 'ending' ? s : undefined;
      },
      { what: 'the interview to be ending', timeoutMs: 10_000 },
    );
    expect(shown.endedAt).not.toBeNull();
  });

  it('after the end, the link says the interview has ended', async () => {
    const later = await stack.newPage();
    try {
      await later.page.goto(interview.url);
      const first = await nextScreen(later.page, ['preflight', 'error']);
      if (first === 'preflight') {
        await later.page.locator('#consent').check();
        await later.page.locator('#join').click();
      }
      await waitForScreen(later.page, 'error', { error: 'ended' });
      await stack.screenshot(later.page, '07-ended');
    } finally {
      await later.context.close();
    }
  });
});
