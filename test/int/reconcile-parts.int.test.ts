// RECORDER=browser: `interviewctl reconcile` on the parts a candidate's page left for an interview
// that failed without its recording (the interviewer's job died), against real Postgres and the
// local recordings folder. Parts that play become a partial recording on the interview, which
// stays failed; parts that make no recording are deleted; without ffmpeg one segment is stored as
// the page recorded it and several are kept for a run with ffmpeg; --dry-run changes nothing.
// A partial recording is compared with the interviewer's audio witness when that is stored (first,
// or later from a dead job's spool). The same against a real S3 server (versitygw on loopback)
// where it is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInterviewRepo } from '../../cli/adapters/db/interviews.js';
import { createUtteranceRepo } from '../../cli/adapters/db/utterances.js';
import { createLocalStorage, createS3Storage, type ObjectStorage } from '../../cli/adapters/storage/storage.js';
import { roomNameFor } from '../../cli/core/ids.js';
import { browserPartsPrefix, browserSegmentKeys, recordingKeys } from '../../cli/core/keys.js';
import type { Status } from '../../cli/core/states.js';
import { makePageRecording } from '../bench/page-upload.mjs';
import { versitygwBin } from '../stack/paths.mjs';
import { s3ClientFor, startVersitygw } from '../stack/versitygw.mjs';
import { spoolLockOf } from '../../agent/recorder/recorder.js';
import { makeNewInterview } from './helpers/builders.js';
import { makeTalkingPageRecording, makeWitness } from './helpers/witness-media.js';
import { useCliWorkspace } from './helpers/workspace.js';
import { freePort } from '../stack/ports.mjs';

const ws = useCliWorkspace('parts');
let storage: ObjectStorage;
let recDir: string;
/** Two recordings like the page's (fragmented MP4, H.264 + Opus), cut into ~3 s parts. */
let long: Buffer[];
let short: Buffer[];

beforeAll(() => {
  recDir = join(ws.scratch.dir, 'rec');
  storage = createLocalStorage(recDir);
  const media = mkdtempSync(join(ws.scratch.dir, 'media-'));
  long = makePageRecording(join(media, 'long.mp4'), 12);
  short = makePageRecording(join(media, 'short.mp4'), 9);
});

const reconcile = async (args: string[], env: Record<string, string> = {}) => {
  const r = await ws.run(['reconcile', '--json', ...args], { env: { RECORDINGS_DIR: recDir, RECORDER: 'browser', ...env } });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; action: string; applied: boolean; detail: string; error: string | null });
};

const probe = (file: string) => {
  const p = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name:format=duration', '-of', 'json', file], { encoding: 'utf8' });
  const j = JSON.parse(p.stdout) as { streams: { codec_name: string }[]; format: { duration: string } };
  return { codecs: j.streams.map((s) => s.codec_name).sort(), seconds: Number(j.format.duration) };
};

/** An interview in `status` with the page's segments stored as given; recording began 4 minutes ago. */
async function withParts(
  status: Status,
  segments: { parts: Buffer[]; first?: number; done?: boolean; atS?: number; mimeType?: string }[],
  opts: { recordingKey?: boolean; storage?: ObjectStorage } = {},
) {
  const store = opts.storage ?? storage;
  const row = makeNewInterview();
  await createInterviewRepo(ws.db.sql).insertMany([row]);
  const started = new Date(Math.floor(Date.now() / 1000) * 1000 - 240_000);
  const key = recordingKeys(row.id, roomNameFor(row.id), started).video;
  await ws.db.sql`update interviews set status = ${status}, error = ${status === 'failed' ? 'recorder_failed' : null},
    used_at = ${new Date(started.getTime() - 10_000)}, recording_started_at = ${started}, ended_at = ${status === 'failed' || status === 'completed' ? new Date() : null},
    recording_key = ${opts.recordingKey === false ? null : key}, resume_key_hash = 'h' where id = ${row.id}`;
  await createUtteranceRepo(ws.db.sql).add(row.id, { seq: 0, speaker: 'agent', kind: 'greeting', questionIndex: null, text: 'Hello', startMs: 500, endMs: 2500 });
  for (const [i, s] of segments.entries()) {
    const k = browserSegmentKeys(row.id, i + 1);
    await store.put(k.manifest, JSON.stringify({ mimeType: s.mimeType ?? 'video/mp4;codecs=avc1,opus', startedAt: new Date(started.getTime() + (s.atS ?? 0) * 1000).toISOString() }), 'application/json');
    for (const [n, body] of s.parts.entries()) await store.put(k.part((s.first ?? 1) + n), body, 'application/octet-stream');
    if (s.done) await store.put(k.done, '{"closedBy":"page"}', 'application/json');
  }
  return { id: row.id, key };
}

const interview = (id: string) => createInterviewRepo(ws.db.sql).get(id);
const notes = (id: string) => ws.db.sql<{ actor: string; reason: string }[]>`select actor, reason from interview_events where interview_id = ${id} and from_status = to_status order by id`;
const localFile = (key: string) => join(recDir, key.replace(/^recordings\//, ''));

describe('reconcile: parts a RECORDER=browser page left', () => {
  it('leaves them alone where another recorder is configured (it looks at no failed interview\'s storage)', async () => {
    const i = await withParts('failed', [{ parts: long }], { recordingKey: false });
    const lines = await reconcile([], { RECORDER: 'agent' });
    expect(lines.filter((l) => l.id === i.id)).toEqual([]);
    expect((await interview(i.id)).recordingKey).toBeNull();
  });

  it('without ffmpeg stores one segment byte for byte (plays: H.264 + Opus) and keeps two for a run with ffmpeg; with ffmpeg it joins those', async () => {
    const one = await withParts('failed', [{ parts: long }], { recordingKey: false });
    const two = await withParts('failed', [{ parts: long, done: true, atS: -1 }, { parts: short, atS: 20 }]);
    // Said after the reload, 5 s into the second segment on the interviewer's clock.
    await createUtteranceRepo(ws.db.sql).add(two.id, { seq: 1, speaker: 'candidate', kind: 'answer', questionIndex: 0, text: 'After the reload', startMs: 25_000, endMs: 27_000 });
    const noFfmpeg = { PATH: mkdtempSync(join(ws.scratch.dir, 'bin-')) };

    const lines = await reconcile([], noFfmpeg);
    expect(lines.find((l) => l.id === one.id)).toMatchObject({ action: 'store_parts', applied: true });
    expect(lines.find((l) => l.id === two.id)).toMatchObject({ action: 'store_parts', applied: false, error: expect.stringMatching(/ffmpeg is not on PATH.*2 segments/) });
    const a = await interview(one.id);
    expect(a).toMatchObject({ status: 'failed', error: 'recorder_failed' });
    expect(a.recordingKey).toMatch(new RegExp(`^recordings/${one.id}/\\d{8}T\\d{6}Z_interview-${one.id}\\.mp4$`));
    expect((await storage.get(a.recordingKey!)).equals(Buffer.concat(long)), 'the page recording, byte for byte').toBe(true);
    expect(probe(localFile(a.recordingKey!))).toEqual({ codecs: ['h264', 'opus'], seconds: expect.closeTo(12, 0) });
    expect(await storage.size(a.transcriptKey!)).toBeGreaterThan(0);
    expect((await notes(one.id)).at(-1)).toMatchObject({ actor: 'reconcile', reason: expect.stringMatching(/^partial recording .*as the page recorded it.*stays failed \(recorder_failed\)/) });
    expect((await interview(two.id)).transcriptKey).toBeNull();

    const again = await reconcile([]);
    expect(again.find((l) => l.id === one.id), 'stored once').toBeUndefined();
    expect(again.find((l) => l.id === two.id)).toMatchObject({ action: 'store_parts', applied: true, error: null });
    const b = await interview(two.id);
    expect(b).toMatchObject({ status: 'failed', error: 'recorder_failed', recordingKey: two.key, transcriptKey: two.key.replace(/\.mp4$/, '.transcript.json') });
    // 12 s less the 1 s the page recorded before the interviewer's clock, then 9 s: H.264 copied, audio AAC.
    const p = probe(localFile(two.key));
    expect(p.codecs).toEqual(['aac', 'h264']);
    expect(p.seconds).toBeGreaterThan(19);
    expect(p.seconds).toBeLessThan(21.5);
    expect(await storage.size(browserSegmentKeys(two.id, 2).done), 'the segment left open is closed').toBeGreaterThan(0);
    // The file has no reload gap: the words said 5 s into the second segment are 5 s after the
    // first one's 11 s, in the transcript and in the utterances, moved once.
    const said = JSON.parse((await storage.get(b.transcriptKey!)).toString()) as { utterances: { text: string; startMs: number }[] };
    const after = said.utterances.find((u) => u.text === 'After the reload')!;
    expect(after.startMs).toBeGreaterThan(15_500);
    expect(after.startMs).toBeLessThan(16_500);
    expect((await createUtteranceRepo(ws.db.sql).list(two.id)).find((u) => u.seq === 1)?.startMs).toBe(after.startMs);
  });

  it("an interviewer that died: the sweep that fails its interview (still `ending` 10 minutes on) waits out the page's last parts; the next stores them as its partial recording", async () => {
    const dead = await withParts('ending', [{ parts: long }]);
    await ws.db.sql`update interviews set ended_at = now() - interval '11 minutes' where id = ${dead.id}`;
    const first = (await reconcile([])).filter((l) => l.id === dead.id);
    expect(first).toEqual([
      expect.objectContaining({ action: 'fail', applied: true }),
      expect.objectContaining({ action: 'store_parts', applied: false, error: null, detail: expect.stringMatching(/^the page may store its last parts until \d{4}-\d\d-\d\dT[\d:.]+Z; a sweep after that joins them$/) }),
    ]);
    expect((await interview(dead.id)).transcriptKey).toBeNull();
    // The next sweep, once serve takes no more of its parts (the time the first one gave).
    const until = Date.parse(/until (\S+);/.exec(first[1]!.detail)![1]!);
    expect(until - Date.now()).toBeLessThan(16_000);
    await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now()) + 100));
    const lines = (await reconcile([])).filter((l) => l.id === dead.id);
    expect(lines).toEqual([
      expect.objectContaining({ action: 'store_parts', applied: true, detail: expect.stringMatching(/^12 s, 1 segment\(s\), H\.264 \+ AAC, joined from the page's parts, at /) }),
    ]);
    expect(await interview(dead.id)).toMatchObject({ status: 'failed', error: 'recorder_failed', recordingKey: dead.key, vttKey: dead.key.replace(/\.mp4$/, '.vtt') });
    expect(probe(localFile(dead.key)).codecs).toEqual(['aac', 'h264']);
  });

  it('--dry-run says what it would store and changes nothing; parts that make no recording are deleted; completed and live interviews are left alone', async () => {
    const left = await withParts('failed', [{ parts: long.slice(0, 2) }]);
    const headless = await withParts('failed', [{ parts: long.slice(1), first: 2 }], { recordingKey: false });
    const garbage = await withParts('failed', [{ parts: [Buffer.from('not a recording at all'), Buffer.from('still not')] }]);
    const completed = await withParts('completed', [{ parts: long, done: true }]);
    const live = await withParts('recording', [{ parts: long }]);
    await ws.db.sql`update interviews set transcript_key = 'recordings/x.transcript.json' where id = ${completed.id}`;
    const before = await storage.list('recordings/');

    const dry = await reconcile(['--dry-run']);
    expect(dry.find((l) => l.id === left.id)).toMatchObject({ action: 'store_parts', applied: false, detail: expect.stringMatching(/^the page's 1 segment\(s\), 2 part\(s\), \d+ bytes would make a partial recording/) });
    expect(dry.find((l) => l.id === headless.id)).toMatchObject({ action: 'drop_parts', applied: false, detail: expect.stringMatching(/make no recording: .*without the first part/) });
    expect(await storage.list('recordings/'), 'a dry run stores and deletes nothing').toEqual(before);
    expect((await interview(left.id)).transcriptKey).toBeNull();

    const lines = await reconcile([]);
    expect(lines.find((l) => l.id === left.id)).toMatchObject({ action: 'store_parts', applied: true });
    expect(probe(localFile(left.key))).toEqual({ codecs: ['aac', 'h264'], seconds: expect.closeTo(6, 0) });
    for (const gone of [headless, garbage]) {
      expect(lines.find((l) => l.id === gone.id)).toMatchObject({ action: 'drop_parts', applied: true });
      expect(await storage.list(browserPartsPrefix(gone.id)), 'deleted').toEqual([]);
      expect(await interview(gone.id)).toMatchObject({ status: 'failed', transcriptKey: null });
    }
    expect(lines.find((l) => l.id === garbage.id)?.detail).toMatch(/no segment is readable media/);
    for (const untouched of [completed, live]) {
      expect(lines.find((l) => l.id === untouched.id && l.action.endsWith('_parts'))).toBeUndefined();
      expect((await storage.list(browserPartsPrefix(untouched.id))).length).toBeGreaterThan(0);
    }
    expect((await interview(completed.id)).status).toBe('completed');
    expect((await interview(live.id)).status).toBe('recording');
  });
});

describe("reconcile: a partial recording against the interviewer's audio witness", () => {
  let talkingPage: Buffer[];
  let media: string;
  beforeAll(() => {
    media = mkdtempSync(join(ws.scratch.dir, 'witness-'));
    // Long enough that the comparison's ±10 s search for the best alignment cannot slide it off the witness.
    talkingPage = makeTalkingPageRecording(join(media, 'talking.mp4'), 40);
  });
  const show = async (id: string) => {
    const r = await ws.run(['show', id, '--json']);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { recordingCheck: { agrees: boolean; detail: string; witnessKey: string } | null };
  };

  it('the witness stored first: the sweep that makes the partial recording compares them (the same voices: no flag, though the witness ran on after the page stopped)', async () => {
    const i = await withParts('failed', [{ parts: talkingPage }]);
    const witnessKey = i.key.replace(/\.mp4$/, '.witness.m4a');
    await storage.put(witnessKey, makeWitness(join(media, `${i.id}.m4a`), 52, true), 'audio/mp4');
    const dry = (await reconcile(['--dry-run'])).find((l) => l.id === i.id);
    expect(dry?.detail).toMatch(/would make a partial recording, compared with its audio witness/);
    const line = (await reconcile([])).find((l) => l.id === i.id);
    expect(line).toMatchObject({ action: 'store_parts', applied: true, detail: expect.stringMatching(/matches its audio witness/) });
    expect((await show(i.id)).recordingCheck).toMatchObject({ agrees: true, witnessKey });
    expect((await ws.run(['show', i.id])).stdout).not.toMatch(/CHECK IT/);
  });

  it("the witness after (a dead job's spool, stored by a later sweep): that sweep compares them, and speech the witness never heard is flagged in show", async () => {
    const i = await withParts('failed', [{ parts: talkingPage }]);
    const first = (await reconcile([])).find((l) => l.id === i.id);
    expect(first).toMatchObject({ action: 'store_parts', applied: true, detail: expect.stringMatching(/no audio witness stored \(yet\)/) });
    expect((await show(i.id)).recordingCheck).toBeNull();
    // The interviewer heard only the room: the page's voices are not what was said in the interview.
    const folder = join(ws.scratch.dir, 'spool', i.id);
    mkdirSync(folder, { recursive: true });
    const spooled = join(folder, i.key.slice(`recordings/${i.id}/`.length).replace(/\.mp4$/, '.witness.m4a'));
    writeFileSync(spooled, makeWitness(join(media, `${i.id}.m4a`), 40, false));
    writeFileSync(spoolLockOf(spooled), JSON.stringify({ pid: 2 ** 22 + 29, host: hostname(), started: '1' }));

    const line = (await reconcile([])).find((l) => l.id === i.id);
    expect(line).toMatchObject({ action: 'upload_spool', applied: true, detail: expect.stringMatching(/partial recording made from the page's parts DISAGREES with its audio witness: \d+\.\d s of speech where the witness heard silence/) });
    expect(existsSync(folder), 'the spool is removed').toBe(false);
    const check = (await show(i.id)).recordingCheck;
    expect(check).toMatchObject({ agrees: false, witnessKey: i.key.replace(/\.mp4$/, '.witness.m4a') });
    expect((await ws.run(['show', i.id])).stdout).toMatch(/CHECK IT: recording disagrees with its audio witness: .*speech where the witness heard silence/);
    expect((await notes(i.id)).at(-1)?.reason).toMatch(/^partial recording disagrees with its audio witness/);
    expect(await interview(i.id)).toMatchObject({ status: 'failed', error: 'recorder_failed' });
  });
});

describe.skipIf(!existsSync(versitygwBin))('reconcile: parts a RECORDER=browser page left, in a real bucket (versitygw)', () => {
  let gw: Awaited<ReturnType<typeof startVersitygw>>;
  let bucket: ObjectStorage;
  let env: Record<string, string>;

  beforeAll(async () => {
    const port = await freePort();
    gw = await startVersitygw({ dir: mkdtempSync(join(ws.scratch.dir, 's3-')), port });
    await s3ClientFor(gw).send(new CreateBucketCommand({ Bucket: 'interviews' }));
    const s3 = { bucket: 'interviews', endpoint: gw.endpoint, region: gw.region, accessKeyId: gw.accessKeyId, secretAccessKey: gw.secretAccessKey, forcePathStyle: true };
    bucket = await createS3Storage(s3);
    env = { S3_BUCKET: s3.bucket, S3_ENDPOINT: s3.endpoint, S3_REGION: s3.region, S3_ACCESS_KEY_ID: s3.accessKeyId, S3_SECRET_ACCESS_KEY: s3.secretAccessKey, S3_FORCE_PATH_STYLE: 'true' };
  }, 60_000);
  afterAll(() => gw?.stop());

  it('joins two segments into the H.264 + AAC MP4 in the bucket, and deletes parts that make none', async () => {
    const two = await withParts('failed', [{ parts: long, done: true, atS: -1 }, { parts: short, atS: 20 }], { storage: bucket });
    const headless = await withParts('failed', [{ parts: short.slice(1), first: 2 }], { storage: bucket, recordingKey: false });
    const lines = await reconcile([], env);
    expect(lines.find((l) => l.id === two.id)).toMatchObject({ action: 'store_parts', applied: true, error: null });
    expect(lines.find((l) => l.id === headless.id)).toMatchObject({ action: 'drop_parts', applied: true });
    expect(await interview(two.id)).toMatchObject({ status: 'failed', recordingKey: two.key, transcriptKey: two.key.replace(/\.mp4$/, '.transcript.json') });
    const file = join(ws.scratch.dir, 'from-bucket.mp4');
    writeFileSync(file, await bucket.get(two.key));
    const p = probe(file);
    expect(p.codecs).toEqual(['aac', 'h264']);
    expect(p.seconds).toBeGreaterThan(19);
    expect(p.seconds).toBeLessThan(21.5);
    expect(await bucket.size(two.key.replace(/\.mp4$/, '.vtt'))).toBeGreaterThan(0);
    expect(await bucket.list(browserPartsPrefix(headless.id))).toEqual([]);
    expect(await bucket.list(browserPartsPrefix(two.id)), 'the parts that made the recording stay (purge and candidate delete take them)').not.toEqual([]);
  });
});
