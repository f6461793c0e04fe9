import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInterviewRepo } from '../../cli/adapters/db/interviews.js';
import { createLiveKit } from '../../cli/adapters/livekit/client.js';
import { createLogger } from '../../cli/log.js';
import { hashResumeKey } from '../../cli/server/candidate-api.js';
import { createHttpServer } from '../../cli/server/server.js';
import { loadSettings } from '../../cli/settings.js';
import { makeNewInterview } from './helpers/builders.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';

// RECORDER=browser: serve's recording routes against real Postgres and the local recordings
// folder (serve writes the parts itself, so a folder works as a bucket does): what a page may
// store, and every refusal with its code, none of which changes what is stored.

let db: TestDatabase;
let dir: string;
const servers: Server[] = [];
const log = createLogger(new Writable({ write: (_c, _e, done) => done() }));

beforeAll(async () => {
  db = await createTestDatabase({ migrate: true });
  dir = mkdtempSync(join(tmpdir(), 'ictl-rec-'));
});
afterAll(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

async function start(recorder = 'browser') {
  const settings = loadSettings({}, { LIVEKIT_URL: 'ws://127.0.0.1:9', LIVEKIT_API_KEY: 'devkey', LIVEKIT_API_SECRET: 'test-secret-at-least-32-characters-long', PUBLIC_URL: 'http://interview.test', RECORDER: recorder, RECORDINGS_DIR: dir }, tmpdir());
  const server = createHttpServer({ sql: db.sql, livekit: createLiveKit(settings.livekit, { requestTimeoutSeconds: 1 }), settings, log, webDir: dir });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** An interview a candidate joined (with this resumeKey), in `status`. */
async function live(status = 'recording', key = `key-${Math.random()}`) {
  const row = makeNewInterview();
  await createInterviewRepo(db.sql).insertMany([row]);
  await db.sql`update interviews set status = ${status}, resume_key_hash = ${hashResumeKey(key)}, used_at = now() where id = ${row.id}`;
  return { id: row.id, key };
}

const post = (base: string, id: string, what: string, body: unknown) =>
  fetch(`${base}/api/interviews/${id}/recording/${what}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const put = (base: string, id: string, seg: number, n: number, key: string | undefined, body: Buffer) =>
  fetch(`${base}/api/interviews/${id}/recording/parts/${seg}/${n}`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', ...(key ? { 'x-resume-key': key } : {}) }, body });
const MIME = 'video/mp4;codecs=avc1,opus';

describe('recording routes (RECORDER=browser)', () => {
  it('stores parts in order, answers a rejoin with the same segment and its parts, completes once', async () => {
    const base = await start();
    const { id, key } = await live();
    const opened = await post(base, id, 'start', { resumeKey: key, mimeType: MIME });
    expect(opened.status).toBe(200);
    expect(await opened.json()).toMatchObject({ segment: 1, parts: [], resumed: false, maxPartBytes: 4 * 1024 * 1024 });

    const early = await put(base, id, 1, 2, key, Buffer.from('two'));
    expect(early.status).toBe(409);
    expect(await early.json()).toMatchObject({ error: 'out_of_order', message: expect.stringMatching(/part 1 of segment 1 is not stored yet/) });
    expect((await put(base, id, 1, 1, key, Buffer.from('one'))).status).toBe(201);
    expect((await put(base, id, 1, 1, key, Buffer.from('one'))).status).toBe(201); // a retry of a part that landed
    expect((await put(base, id, 1, 2, key, Buffer.from('two'))).status).toBe(201);

    const again = await post(base, id, 'start', { resumeKey: key, segment: 1 });
    expect(await again.json()).toMatchObject({ segment: 1, parts: [1, 2], resumed: true });
    expect(readFileSync(join(dir, id, 'browser', 's0001', 'p000001.bin'), 'utf8')).toBe('one');

    const done = await post(base, id, 'complete', { resumeKey: key, segment: 1 });
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({ segment: 1, parts: 2 });
    const replay = await post(base, id, 'complete', { resumeKey: key, segment: 1 });
    expect(replay.status).toBe(409);
    expect(await replay.json()).toMatchObject({ error: 'upload_completed' });
    const after = await put(base, id, 1, 3, key, Buffer.from('three'));
    expect(after.status).toBe(409);
    expect(await after.json()).toMatchObject({ error: 'upload_completed' });

    // A new page session (a reload) opens segment 2; an open segment 2 would be closed by a third.
    expect(await (await post(base, id, 'start', { resumeKey: key, mimeType: MIME })).json()).toMatchObject({ segment: 2 });
    expect(await (await post(base, id, 'start', { resumeKey: key, mimeType: MIME })).json()).toMatchObject({ segment: 3 });
    expect(JSON.parse(readFileSync(join(dir, id, 'browser', 's0002.done.json'), 'utf8'))).toMatchObject({ closedBy: 'next segment', parts: 0 });
  });

  it("a page that rejoined without a reload keeps its previous segment open to store the rest, and dates the new one from when it began recording", async () => {
    const base = await start();
    const { id, key } = await live();
    await post(base, id, 'start', { resumeKey: key, mimeType: MIME });
    expect((await put(base, id, 1, 1, key, Buffer.from('one'))).status).toBe(201);
    // The page rejoined after a network cut: it recorded 12 s of segment 2 before the start got through.
    const before = Date.now();
    const opened = await post(base, id, 'start', { resumeKey: key, mimeType: MIME, keepOpen: 1, recordedMs: 12_000 });
    expect(await opened.json()).toMatchObject({ segment: 2 });
    const manifest = JSON.parse(readFileSync(join(dir, id, 'browser', 's0002.json'), 'utf8'));
    expect(Math.abs(Date.parse(manifest.startedAt) - (before - 12_000))).toBeLessThan(1000);
    // Segment 1 still takes the parts the cut held back, and the page completes it.
    expect((await put(base, id, 1, 2, key, Buffer.from('two'))).status).toBe(201);
    expect(await (await post(base, id, 'complete', { resumeKey: key, segment: 1 })).json()).toMatchObject({ segment: 1, parts: 2 });
    expect(JSON.parse(readFileSync(join(dir, id, 'browser', 's0001.done.json'), 'utf8'))).toMatchObject({ closedBy: 'page', parts: 2 });
    const bad = await post(base, id, 'start', { resumeKey: key, mimeType: MIME, recordedMs: -5 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_recorded_ms' });
  });

  it("a part still arriving when the interviewer closes its segment (its wait for the page ran out) is refused, not stored and left out of the recording", async () => {
    const base = await start();
    const { id, key } = await live();
    await post(base, id, 'start', { resumeKey: key, mimeType: MIME });
    await db.sql`update interviews set status = 'ending' where id = ${id}`;
    // Half of the body, then the close (as the interviewer writes it), then the rest.
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${base}/api/interviews/${id}/recording/parts/1/1`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', 'content-length': 6, 'x-resume-key': key } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.write('one');
      setTimeout(() => {
        writeFileSync(join(dir, id, 'browser', 's0001.done.json'), JSON.stringify({ parts: 0, closedBy: 'interviewer' }));
        setTimeout(() => req.end('two'), 200);
      }, 300);
    });
    const got = await answer;
    expect(got.status).toBe(409);
    expect(JSON.parse(got.body)).toMatchObject({ error: 'upload_completed' });
    expect(() => readFileSync(join(dir, id, 'browser', 's0001', 'p000001.bin'))).toThrow();
  });

  it('refuses forged, oversized and late parts with clear errors, and stores none of them', async () => {
    const base = await start();
    const { id, key } = await live();
    const other = await live();
    await post(base, id, 'start', { resumeKey: key, mimeType: MIME });
    const cases: [string, Response, number, string][] = [
      ['no resumeKey', await put(base, id, 1, 1, undefined, Buffer.from('x')), 403, 'forbidden'],
      ["another interview's resumeKey", await put(base, id, 1, 1, other.key, Buffer.from('x')), 403, 'forbidden'],
      ['over the cap', await put(base, id, 1, 1, key, Buffer.alloc(4 * 1024 * 1024 + 1)), 413, 'part_too_large'],
      ['a segment never started', await put(base, id, 7, 1, key, Buffer.from('x')), 404, 'no_such_segment'],
      ['an empty part', await put(base, id, 1, 1, key, Buffer.alloc(0)), 400, 'empty_part'],
      ['a bad part number', await put(base, id, 1, 0, key, Buffer.from('x')), 400, 'invalid_part'],
      ['start without resumeKey', await post(base, id, 'start', { mimeType: MIME }), 403, 'forbidden'],
      ['start with an odd type', await post(base, id, 'start', { resumeKey: key, mimeType: 'text/html' }), 400, 'invalid_mime_type'],
    ];
    for (const [what, res, status, code] of cases) {
      expect(res.status, what).toBe(status);
      expect(await res.json(), what).toMatchObject({ error: code, message: expect.any(String) });
    }
    expect(() => readFileSync(join(dir, id, 'browser', 's0001', 'p000001.bin'))).toThrow();

    for (const status of ['completed', 'failed', 'created']) {
      const gone = await live(status);
      const res = await post(base, gone.id, 'start', { resumeKey: gone.key, mimeType: MIME });
      expect(res.status, status).toBe(410);
      expect(await res.json()).toMatchObject({ error: 'not_live', message: expect.stringContaining(status) });
    }
    // `ending` still takes the parts after the End, but opens no new segment.
    const ending = await live('ending');
    expect((await post(base, ending.id, 'start', { resumeKey: ending.key, mimeType: MIME })).status).toBe(410);
  });

  it('takes the parts a page had in flight for a few seconds after its interview failed, then refuses them', async () => {
    const base = await start();
    /** A live interview with segment 1 open and part 1 stored, then failed `agoS` seconds ago (as recovery fails it). */
    const failedWithParts = async (agoS: number) => {
      const it = await live();
      await post(base, it.id, 'start', { resumeKey: it.key, mimeType: MIME });
      expect((await put(base, it.id, 1, 1, it.key, Buffer.from('one'))).status).toBe(201);
      await db.sql`update interviews set status = 'failed', error = 'agent_crashed' where id = ${it.id}`;
      await db.sql`insert into interview_events (interview_id, at, from_status, to_status, actor, reason) values (${it.id}, now() - make_interval(secs => ${agoS}), 'recording', 'failed', 'test', 'interviewer stopped')`;
      return it;
    };
    const fresh = await failedWithParts(1);
    const late = await put(base, fresh.id, 1, 2, fresh.key, Buffer.from('two'));
    expect(late.status).toBe(201);
    expect(readFileSync(join(dir, fresh.id, 'browser', 's0001', 'p000002.bin'), 'utf8')).toBe('two');
    expect((await post(base, fresh.id, 'complete', { resumeKey: fresh.key, segment: 1 })).status).toBe(200);
    // Still never a new segment, nor a part without its resumeKey.
    expect((await post(base, fresh.id, 'start', { resumeKey: fresh.key, mimeType: MIME })).status).toBe(410);
    expect((await put(base, fresh.id, 1, 3, 'wrong', Buffer.from('x'))).status).toBe(403);

    const old = await failedWithParts(11);
    // A note written on it since (reconcile's, a webhook's) does not open the window again.
    await db.sql`insert into interview_events (interview_id, from_status, to_status, actor, reason) values (${old.id}, 'failed', 'failed', 'test', 'a note')`;
    const refused = await put(base, old.id, 1, 2, old.key, Buffer.from('two'));
    expect(refused.status).toBe(410);
    expect(await refused.json()).toMatchObject({ error: 'not_live', message: expect.stringContaining('failed') });
    expect(() => readFileSync(join(dir, old.id, 'browser', 's0001', 'p000002.bin'))).toThrow();

    // Nor one whose recording is made already (the interviewer joined the parts before it failed it).
    const joined = await failedWithParts(1);
    await db.sql`update interviews set transcript_key = ${`recordings/${joined.id}/x.transcript.json`} where id = ${joined.id}`;
    expect((await put(base, joined.id, 1, 2, joined.key, Buffer.from('two'))).status).toBe(410);

    // Deleted candidate data takes nothing, however recent the failure.
    const erased = await failedWithParts(1);
    await db.sql`update interviews set deleted_at = now() where id = ${erased.id}`;
    expect((await put(base, erased.id, 1, 2, erased.key, Buffer.from('two'))).status).toBe(410);
  });

  it('rate-limits each interview, and a server with another recorder has no such routes', async () => {
    const base = await start();
    const { id, key } = await live();
    const answers: number[] = [];
    for (let i = 0; i < 245; i++) answers.push((await put(base, id, 1, 1, 'wrong', Buffer.from('x'))).status);
    expect(answers.slice(0, 240).every((s) => s === 403)).toBe(true);
    expect(answers.slice(240)).toEqual([429, 429, 429, 429, 429]);
    const agentMode = await start('agent');
    const res = await post(agentMode, id, 'start', { resumeKey: key, mimeType: MIME });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'not_found', message: expect.stringMatching(/RECORDER is not browser/) });
  });

  it("the page's status says when the page records (its preflight checks this browser can, before the join)", async () => {
    const row = makeNewInterview();
    await createInterviewRepo(db.sql).insertMany([row]);
    const browser = await (await fetch(`${await start()}/api/interviews/${row.id}`)).json();
    expect(browser).toMatchObject({ status: 'created', recorder: 'browser' });
    const agent = await (await fetch(`${await start('agent')}/api/interviews/${row.id}`)).json();
    expect(agent).toMatchObject({ status: 'created' });
    expect(agent).not.toHaveProperty('recorder');
  });
});
