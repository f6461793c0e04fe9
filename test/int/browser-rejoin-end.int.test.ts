// RECORDER=browser: the interviewer's end of an interview whose page rejoined after a network cut
// (keeping its previous segment open for the parts the cut held back) and then went quiet before
// completing either segment. serve's recording routes, the interviewer's own end (its audio
// witness, the wait for the page, the join with ffmpeg), real Postgres, and a real bucket
// (versitygw on loopback) where it is installed, else the local recordings folder.
// What is stored is the recording: every part serve took is in it, each segment is closed with
// the parts the recording used (a part that comes after is refused, never stored and left out),
// the interview fails `recording_incomplete`, and no upload is left open in the bucket.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CreateBucketCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beginBrowserRecording } from '../../agent/recording/browser-recording.js';
import { createLiveKit } from '../../cli/adapters/livekit/client.js';
import { createLocalStorage, createS3Storage, type ObjectStorage } from '../../cli/adapters/storage/storage.js';
import { readSegments } from '../../cli/core/browser-recording.js';
import { roomNameFor } from '../../cli/core/ids.js';
import { browserPartsPrefix, browserSegmentKeys } from '../../cli/core/keys.js';
import { createLogger } from '../../cli/log.js';
import { hashResumeKey } from '../../cli/server/candidate-api.js';
import { createHttpServer } from '../../cli/server/server.js';
import { loadSettings } from '../../cli/settings.js';
import { makePageRecording, PAGE_MIME } from '../bench/page-upload.mjs';
import { versitygwBin } from '../stack/paths.mjs';
import { s3ClientFor, startVersitygw } from '../stack/versitygw.mjs';
import { openAgentWorkspace, type AgentWorkspace } from './helpers/agent-workspace.js';
import { makeNewInterview } from './helpers/builders.js';
import { probeMedia } from './helpers/witness-media.js';
import { freePort } from '../stack/ports.mjs';

const log = createLogger({ write: () => true } as never);
let ws: AgentWorkspace;
/** ~3 s parts of a 12 s and a 9 s recording like the page's (fragmented MP4, H.264 + Opus). */
let first: Buffer[];
let second: Buffer[];
const servers: Server[] = [];

beforeAll(async () => {
  ws = await openAgentWorkspace('browser-rejoin');
  const media = mkdtempSync(join(ws.dir, 'media-'));
  first = makePageRecording(join(media, 'first.mp4'), 12);
  second = makePageRecording(join(media, 'second.mp4'), 9);
}, 60_000);
afterAll(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await ws?.close();
});

/** serve with RECORDER=browser over this storage (its env), on a free port. */
async function startServe(storageEnv: Record<string, string>): Promise<string> {
  const env = { LIVEKIT_URL: 'ws://127.0.0.1:9', LIVEKIT_API_KEY: 'devkey', LIVEKIT_API_SECRET: 'test-secret-at-least-32-characters-long', PUBLIC_URL: 'http://interview.test', RECORDER: 'browser', ...storageEnv };
  const settings = loadSettings({}, env, ws.dir);
  const server = createHttpServer({ sql: ws.db.sql, livekit: createLiveKit(settings.livekit, { requestTimeoutSeconds: 1 }), settings, log, webDir: ws.dir });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The candidate's page, as page-recorder.ts talks to serve. */
function pageOf(base: string, id: string, resumeKey: string) {
  const url = (path: string) => `${base}/api/interviews/${id}/recording/${path}`;
  return {
    start: async (body: Record<string, unknown>) => {
      const res = await fetch(url('start'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ resumeKey, mimeType: PAGE_MIME, ...body }) });
      expect(res.status, 'start').toBe(200);
      return ((await res.json()) as { segment: number }).segment;
    },
    put: (segment: number, n: number, body: Buffer) =>
      fetch(url(`parts/${segment}/${n}`), { method: 'PUT', headers: { 'content-type': 'application/octet-stream', 'x-resume-key': resumeKey }, body }),
  };
}

async function rejoinedThenQuiet(storage: ObjectStorage, storageEnv: Record<string, string>) {
  const base = await startServe(storageEnv);
  const row = makeNewInterview();
  await ws.interviews.insertMany([row]);
  const resumeKey = `key-${row.id}`;
  await ws.db.sql`update interviews set status = 'used', resume_key_hash = ${hashResumeKey(resumeKey)}, used_at = now(), candidate_joined_at = now() where id = ${row.id}`;
  await ws.utterances.add(row.id, { seq: 0, speaker: 'agent', kind: 'greeting', questionIndex: null, text: 'Hello', startMs: 200, endMs: 1500 });

  // The interviewer keeps its witness while the page records; its end reads the page's parts from
  // the same storage. The page's last held-back part reaches serve just as the join begins (a
  // frozen tab that woke up): whatever serve answers it, the recording must say the same.
  const manifest1 = browserSegmentKeys(row.id, 1).manifest;
  let late: Promise<Response> | undefined;
  const page = pageOf(base, row.id, resumeKey);
  const interviewerStorage: ObjectStorage = {
    ...storage,
    get: async (key) => {
      if (key === manifest1) await (late ??= page.put(1, 4, first[3]!));
      return storage.get(key);
    },
  };
  const rec = beginBrowserRecording({
    interviewId: row.id,
    roomName: roomNameFor(row.id),
    lang: 'en',
    speechMode: 'offline',
    storage: interviewerStorage,
    interviews: ws.interviews,
    utterances: ws.utterances,
    log,
    stopConversation: () => {},
    stopPageRecording: async () => {},
    saveCheck: async () => {},
    spoolDir: join(ws.dir, 'spool'),
    pageWaitMs: 2000,
    pollMs: 200,
  });
  await rec.started;
  expect((await ws.interviews.get(row.id)).status).toBe('recording');

  // Segment 1: three parts, then the network cut. The page rejoins without a reload: segment 2
  // (recorded 6 s before its start got through), segment 1 kept open for what the cut held back.
  expect(await page.start({})).toBe(1);
  for (const n of [1, 2, 3]) expect((await page.put(1, n, first[n - 1]!)).status).toBe(201);
  expect(await page.start({ keepOpen: 1, recordedMs: 6000 })).toBe(2);
  for (const n of [1, 2]) expect((await page.put(2, n, second[n - 1]!)).status).toBe(201);
  // Then the page goes quiet: no part, no complete. The candidate is gone, the interview ends.
  await new Promise((r) => setTimeout(r, 1500));
  rec.markEnd();
  await ws.interviews.applyEvent(row.id, 'end', { actor: 'test', reason: 'interviewer: candidate gone', patch: { end_reason: 'candidate_gone' } });
  const outcome = await rec.finish();
  return { id: row.id, outcome, lateAnswer: late && (await late), page };
}

async function expectClosedWithEveryPart(storage: ObjectStorage, r: Awaited<ReturnType<typeof rejoinedThenQuiet>>) {
  expect(r.outcome).toBe('failed');
  const i = await ws.interviews.get(r.id);
  expect(i).toMatchObject({ status: 'failed', error: 'recording_incomplete', endReason: 'recording_incomplete' });
  expect((await ws.interviews.events(r.id)).at(-1)).toMatchObject({ to: 'failed', actor: 'agent', reason: expect.stringMatching(/^the candidate's page stopped before its recording was complete; the \d+ s it stored are kept$/) });
  const file = join(ws.dir, `${r.id}.mp4`);
  writeFileSync(file, await storage.get(i.recordingKey!));
  const got = probeMedia(file);
  expect(got.codecs).toEqual(['aac', 'h264']);
  expect(await storage.size(i.transcriptKey!)).toBeGreaterThan(0);

  // Every part serve stored is in the recording (~3 s each), and each segment is closed with them.
  const prefix = browserPartsPrefix(r.id);
  const segments = readSegments(await storage.list(prefix), prefix);
  const stored = segments.reduce((n, s) => n + s.parts.length, 0);
  expect(r.lateAnswer?.status, 'the part after the wait: refused, not stored and left out').toBe(409);
  expect(await r.lateAnswer?.json()).toMatchObject({ error: 'upload_completed' });
  expect(stored).toBe(5);
  expect(got.seconds, `a recording of ${got.seconds} s from ${stored} stored parts`).toBeCloseTo(stored * 3, 0);
  for (const s of segments) {
    expect(s.done, `segment ${s.segment} closed`).toBe(true);
    const done = JSON.parse((await storage.get(browserSegmentKeys(r.id, s.segment).done)).toString('utf8')) as { parts: number; closedBy: string };
    expect(done, `segment ${s.segment}`).toMatchObject({ parts: s.parts.length, closedBy: 'interviewer' });
  }
  // Nothing more is taken: the page that comes back later is told so.
  expect((await r.page.put(2, 3, second[2]!)).status).toBe(410);
}

describe('RECORDER=browser: a page that rejoined, kept its previous segment open, and went quiet', () => {
  it("the interviewer's end closes both segments with the parts its partial recording holds (local folder)", async () => {
    const dir = join(ws.dir, 'rec');
    const storage = createLocalStorage(dir);
    const r = await rejoinedThenQuiet(storage, { RECORDINGS_DIR: dir });
    await expectClosedWithEveryPart(storage, r);
  }, 120_000);

  describe.skipIf(!existsSync(versitygwBin))('in a real bucket (versitygw)', () => {
    let gw: Awaited<ReturnType<typeof startVersitygw>>;
    beforeAll(async () => {
      const port = await freePort();
      gw = await startVersitygw({ dir: mkdtempSync(join(ws.dir, 's3-')), port });
      await s3ClientFor(gw).send(new CreateBucketCommand({ Bucket: 'interviews' }));
    }, 60_000);
    afterAll(() => gw?.stop());

    it('the same, and no upload is left open in the bucket', async () => {
      const s3 = { bucket: 'interviews', endpoint: gw.endpoint, region: gw.region, accessKeyId: gw.accessKeyId, secretAccessKey: gw.secretAccessKey, forcePathStyle: true };
      const storage = await createS3Storage(s3);
      const env = { S3_BUCKET: s3.bucket, S3_ENDPOINT: s3.endpoint, S3_REGION: s3.region, S3_ACCESS_KEY_ID: s3.accessKeyId, S3_SECRET_ACCESS_KEY: s3.secretAccessKey, S3_FORCE_PATH_STYLE: 'true' };
      const r = await rejoinedThenQuiet(storage, env);
      await expectClosedWithEveryPart(storage, r);
      const uploads = await s3ClientFor(gw).send(new ListMultipartUploadsCommand({ Bucket: s3.bucket, Prefix: `recordings/${r.id}/` }));
      expect(uploads.Uploads ?? []).toEqual([]);
    }, 120_000);
  });
});
