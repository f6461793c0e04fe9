// `interviewctl reconcile` on the multipart uploads a killed recorder leaves open in the bucket
// (its spool is stored again from the beginning, so the first upload never completes), against
// real Postgres and a real S3 server (versitygw on loopback). An upload of an interview that is
// over (or gone) is aborted once it is old enough, with an `abort_upload` line naming its key; a
// live interview's is never touched; the stored recording stays; a second run does nothing; two
// sweeps at once abort it once.
import { existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateBucketCommand, CreateMultipartUploadCommand, HeadObjectCommand, ListMultipartUploadsCommand, PutObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatchRepo } from '../../cli/adapters/db/dispatches.js';
import { createInterviewRepo } from '../../cli/adapters/db/interviews.js';
import { createUtteranceRepo } from '../../cli/adapters/db/utterances.js';
import { newInterviewId, roomNameFor } from '../../cli/core/ids.js';
import { recordingKeys } from '../../cli/core/keys.js';
import type { Status } from '../../cli/core/states.js';
import { loadSettings } from '../../cli/settings.js';
import { reconcile as sweep, type ReconcileOutcome } from '../../cli/use-cases/reconcile.js';
import { reconcileDeps } from '../../cli/use-cases/reconcile-deps.js';
import { versitygwBin } from '../stack/paths.mjs';
import { s3ClientFor, s3EnvOf, startVersitygw } from '../stack/versitygw.mjs';
import { makeNewInterview } from './helpers/builders.js';
import { ndjson } from './helpers/cli.js';
import { useCliWorkspace } from './helpers/workspace.js';
import { freePort } from '../stack/ports.mjs';

const BUCKET = 'interviews';

interface Line {
  id: string;
  status: string;
  action: string;
  detail: string;
  applied: boolean;
  error: string | null;
}

describe.skipIf(!existsSync(versitygwBin))('reconcile: multipart uploads left open in the bucket (versitygw)', () => {
  const ws = useCliWorkspace('uploads');
  let gw: Awaited<ReturnType<typeof startVersitygw>>;
  let client: S3Client;
  let env: Record<string, string>;

  beforeAll(async () => {
    gw = await startVersitygw({ dir: mkdtempSync(join(ws.scratch.dir, 's3-')), port: await freePort() });
    client = s3ClientFor(gw);
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    env = {
      ...s3EnvOf(gw, BUCKET),
      // Nothing listens there: the live interview's room is "unknown", and it is left as it is.
      LIVEKIT_URL: `ws://127.0.0.1:${await freePort()}`,
    };
  }, 60_000);

  afterAll(async () => {
    client?.destroy();
    await gw?.stop();
  });

  const reconcile = async (args: string[]) => {
    const r = await ws.run(['reconcile', ...args], { env });
    expect(r.code, r.stderr).toBe(0);
    return r;
  };
  const reconcileJson = async (args: string[]) => ndjson<Line>((await reconcile(['--json', ...args])).stdout);

  /** An interview in `status` whose recording began a few minutes ago; its MP4 key. */
  async function interviewIn(status: Status): Promise<{ id: string; key: string }> {
    const row = makeNewInterview();
    await createInterviewRepo(ws.db.sql).insertMany([row]);
    const started = new Date(Math.floor(Date.now() / 1000) * 1000 - 180_000);
    const keys = recordingKeys(row.id, roomNameFor(row.id), started);
    const over = status === 'completed' || status === 'failed';
    await ws.db.sql`update interviews set status = ${status}, error = ${status === 'failed' ? 'agent_crashed' : null},
      used_at = ${new Date(started.getTime() - 10_000)}, candidate_joined_at = ${new Date(started.getTime() - 5_000)}, recording_started_at = ${started},
      ended_at = ${over ? new Date() : null}, completed_at = ${status === 'completed' ? new Date() : null},
      recording_key = ${keys.video}, transcript_key = ${over ? keys.transcript : null}, vtt_key = ${over ? keys.vtt : null} where id = ${row.id}`;
    return { id: row.id, key: keys.video };
  }

  /** What a recorder killed mid-upload leaves: a multipart upload begun, one part in, never completed. */
  async function leaveUploadOpen(key: string): Promise<string> {
    const up = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ContentType: 'video/mp4' }));
    await client.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: up.UploadId, PartNumber: 1, Body: Buffer.alloc(64 * 1024, 1) }));
    return up.UploadId!;
  }

  const openUploads = async (prefix = 'recordings/') => {
    const page = await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: prefix }));
    return (page.Uploads ?? []).map((u) => ({ key: u.Key!, uploadId: u.UploadId! }));
  };

  it('aborts the upload of a completed interview once it is old enough, never a live one’s nor one of an interview this database does not have', async () => {
    const done = await interviewIn('completed');
    const live = await interviewIn('recording');
    const gone = `recordings/${newInterviewId()}/20260101T000000Z_interview-x.mp4`;
    // Spool recovery stored the completed interview's recording again, as an object of its own.
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: done.key, Body: Buffer.alloc(1000, 2), ContentType: 'video/mp4' }));
    const doneUpload = await leaveUploadOpen(done.key);
    const liveUpload = await leaveUploadOpen(live.key);
    const goneUpload = await leaveUploadOpen(gone);

    // Younger than the default hour: left alone.
    expect((await reconcileJson([])).filter((l) => l.action === 'abort_upload')).toEqual([]);
    expect(await openUploads()).toHaveLength(3);

    // versitygw gives the start to the second, truncated: 3.5 s is past a 2 s bound for sure.
    await sleep(3_500);
    const dry = await reconcile(['--dry-run', '--abort-uploads-after', '2s']);
    expect(dry.stdout).toContain(`${done.id.slice(0, 8)}  completed  would abort upload: upload left open, begun `);
    expect(dry.stdout).toMatch(new RegExp(`${live.id.slice(0, 8)}  recording  would leave: its interview is recording; its recorder may still be writing it \\(${live.key}\\)`));
    expect(await openUploads(), 'a dry run aborts nothing').toHaveLength(3);

    const lines = await reconcileJson(['--abort-uploads-after', '2s']);
    const aborted = lines.filter((l) => l.action === 'abort_upload');
    expect(aborted).toHaveLength(1);
    expect(aborted.find((l) => l.id === done.id)).toMatchObject({
      status: 'completed',
      applied: true,
      error: null,
      detail: expect.stringMatching(new RegExp(`^upload left open, begun \\d+s ago, can no longer complete: its interview is completed \\(${done.key}\\)$`)),
    });
    expect(aborted.find((l) => l.detail.endsWith(`(${gone})`)), 'another deployment\'s upload is not reported').toBeUndefined();
    expect(lines.find((l) => l.id === live.id), 'the live interview is not reported').toBeUndefined();

    const left = await openUploads();
    expect(left.sort((x, y) => x.key.localeCompare(y.key))).toEqual([{ key: live.key, uploadId: liveUpload }, { key: gone, uploadId: goneUpload }].sort((x, y) => x.key.localeCompare(y.key)));
    expect(left.some((u) => u.uploadId === doneUpload)).toBe(false);
    // Nothing else changed: the stored recording and both interviews are as they were.
    expect((await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: done.key }))).ContentLength).toBe(1000);
    const [a, b] = await Promise.all([done.id, live.id].map((id) => createInterviewRepo(ws.db.sql).get(id)));
    expect(a).toMatchObject({ status: 'completed', recordingKey: done.key });
    expect(b).toMatchObject({ status: 'recording', recordingKey: live.key });

    const again = await reconcileJson(['--abort-uploads-after', '2s']);
    expect(again.filter((l) => l.action === 'abort_upload'), 'a second run does nothing').toEqual([]);
    expect(await openUploads()).toHaveLength(2);
  });

  it('with two sweeps at once (serve replicas) that both listed it, the upload is aborted once and the other is told it is gone', async () => {
    const failed = await interviewIn('failed');
    await leaveUploadOpen(failed.key);
    await sleep(3_500);
    const settings = loadSettings({}, { ...env, DATABASE_URL: ws.db.env.DATABASE_URL ?? '' }, ws.scratch.dir);
    const deps = await reconcileDeps(createInterviewRepo(ws.db.sql), settings, { utterances: createUtteranceRepo(ws.db.sql), dispatches: createDispatchRepo(ws.db.sql), spool: false });
    // Neither sweep aborts before both have listed: each sees the upload open.
    let listed = 0;
    let bothListed!: () => void;
    const barrier = new Promise<void>((resolve) => (bothListed = resolve));
    const uploads = deps.uploads!;
    const list = async () => {
      const open = await uploads.list();
      if (++listed === 2) bothListed();
      await barrier;
      return open;
    };
    const replica = { ...deps, uploads: { ...uploads, list } };
    const lines: ReconcileOutcome[] = [];
    const limits = { abortUploadsAfterMs: 2_000 };
    await Promise.all([1, 2].map(() => sweep(replica, { dryRun: false, limits }, (o) => lines.push(o))));
    const mine = lines.filter((l) => l.id === failed.id);
    expect(mine).toHaveLength(2);
    expect(mine.filter((l) => l.applied)).toHaveLength(1);
    expect(mine.find((l) => !l.applied)).toMatchObject({ action: 'abort_upload', error: 'gone meanwhile: another sweep aborted it' });
    expect(await openUploads(`recordings/${failed.id}/`)).toEqual([]);
  });
});
