// Candidate deletion against a real S3 server (versitygw on loopback) with versioning on: older
// versions, delete markers and an unfinished multipart upload under the interview's prefix must
// all go. Storage goes down in the middle: the receipt says what remains, exit 6, and a rerun once
// it is back finishes the job. Then the bucket (versions too), the gateway's folders, the local
// spool and the database are searched for the candidate's name and email.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Storage } from '../../cli/adapters/storage/storage.js';
import { versitygwBin } from '../stack/paths.mjs';
import { s3ClientFor, s3EnvOf, startVersitygw } from '../stack/versitygw.mjs';
import { ndjson } from './helpers/cli.js';
import { databaseDump, filesUnder, seedFinishedInterview, type SeededCandidate } from './helpers/candidate-data.js';
import { useCliWorkspace } from './helpers/workspace.js';
import { freePort } from '../stack/ports.mjs';

const installed = existsSync(versitygwBin);
const BUCKET = 'interviews';

describe.skipIf(!installed)('candidate delete against a versioned bucket (versitygw), with storage going down', () => {
  const ws = useCliWorkspace('data-rights-s3');
  let gw: Awaited<ReturnType<typeof startVersitygw>>;
  let port: number;
  let env: Record<string, string>;
  let client: S3Client;
  let ada: SeededCandidate;
  const gwDir = () => join(ws.scratch.dir, 's3');
  const start = () => startVersitygw({ dir: gwDir(), port, versioning: true });
  const run = (args: string[]) => ws.run(args, { env });

  beforeAll(async () => {
    port = await freePort();
    gw = await start();
    env = s3EnvOf(gw, BUCKET);
    client = s3ClientFor(gw);
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await client.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }));
    const storage = await createS3Storage({ bucket: BUCKET, endpoint: gw.endpoint, region: gw.region, accessKeyId: gw.accessKeyId, secretAccessKey: gw.secretAccessKey, forcePathStyle: true });
    ada = await seedFinishedInterview(run, ws.db.sql, storage, { name: 'Ada Vrmlovelace', email: 'ada.vrml@example.com', ref: 'S3-1', home: ws.scratch.dir });
    const prefix = `recordings/${ada.id}/`;
    // An older version of the transcript, a deleted object (a version and a delete marker) and a
    // recording upload never completed: all hold the name, none is a current object.
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: ada.keys.transcript, Body: `{"draft":"${ada.name}"}` }));
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: ada.keys.transcript, Body: readFileSync(join(ws.scratch.dir, 'spool', ada.id, ada.spoolFile.split('/').at(-1)!)).subarray(0, 64) }));
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}notes.txt`, Body: `about ${ada.name}` }));
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `${prefix}notes.txt` }));
    const up = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: `${prefix}retry.mp4` }));
    await client.send(new UploadPartCommand({ Bucket: BUCKET, Key: `${prefix}retry.mp4`, UploadId: up.UploadId, PartNumber: 1, Body: Buffer.from(`part of ${ada.name}`) }));
  }, 60_000);

  afterAll(async () => {
    client?.destroy();
    await gw?.stop();
  });

  const listed = async () => {
    const v = await client.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: `recordings/${ada.id}/` }));
    const u = await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: `recordings/${ada.id}/` }));
    return { versions: v.Versions?.length ?? 0, markers: v.DeleteMarkers?.length ?? 0, uploads: u.Uploads?.length ?? 0 };
  };

  it('exports the current objects from the bucket into a .zip, each with its checksum', async () => {
    const zip = join(ws.scratch.dir, 'ada.zip');
    const r = await run(['candidate', 'export', ada.id, '-o', zip, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { items: { path: string | null; source: string; sha256?: string }[] };
    const fromBucket = out.items.filter((i) => i.source.startsWith(`s3://${BUCKET}`));
    expect(fromBucket.map((i) => i.path!.split('/').at(-1)).sort()).toEqual(Object.values(ada.keys).map((k) => k.split('/').at(-1)).sort());
    const listing = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' });
    expect(listing).toContain(`interviews/${ada.id}/storage/${ada.keys.video.split('/').at(-1)}`);
    expect(await listed()).toMatchObject({ markers: 1, uploads: 1 });
  });

  it('with storage down: erases the database at once, keeps a receipt of what remains, exits 6', async () => {
    await gw.stop();
    const r = await run(['candidate', 'delete', ada.id, '--by', 'dpo', '--reason', 'erasure request', '--json']);
    expect(r.code, r.stderr).toBe(6);
    const [o] = ndjson<{ result: string; receipt: { status: string; remaining: { key: string; kind: string }[] } }>(r.stdout);
    expect(o!.result).toBe('incomplete');
    expect(o!.receipt.status).toBe('incomplete');
    expect(o!.receipt.remaining).toContainEqual({ key: `recordings/${ada.id}/`, kind: 'prefix' });
    expect(r.stderr).toMatch(/incomplete.*rerun finishes/);
    const [row] = await ws.db.sql`select candidate_name, candidate_email, ref, deleted_at from interviews where id = ${ada.id}`;
    expect(row).toMatchObject({ candidateName: '(deleted)', candidateEmail: null, ref: null });
    const receipts = await run(['candidate', 'receipts']);
    expect(receipts.stdout).toMatch(/incomplete \(\d+ left\)/);
  });

  it('a rerun once storage is back deletes every version, marker and upload; a third run says already deleted', async () => {
    gw = await start();
    const r = await run(['candidate', 'delete', '--ref', 'S3-1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const [o] = ndjson<{ result: string; receipt: { status: string; attempts: number; remaining: unknown[]; keysDeleted: { key: string; kind: string }[] } }>(r.stdout);
    expect(o!.result).toBe('deleted');
    expect(o!.receipt).toMatchObject({ status: 'complete', attempts: 2, remaining: [] });
    const kinds = o!.receipt.keysDeleted.map((k) => k.kind);
    expect(kinds.filter((k) => k === 'version').length).toBeGreaterThanOrEqual(5);
    expect(kinds).toContain('delete_marker');
    expect(kinds).toContain('upload');
    expect(await listed()).toEqual({ versions: 0, markers: 0, uploads: 0 });
    const again = await run(['candidate', 'delete', '--email', ada.email]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/already deleted/);
  });

  it('leaves nothing under the prefix in the gateway\'s folders or the spool, and nothing personal in the database', async () => {
    for (const dir of [gw.dataDir, gw.versionsDir!, join(ws.scratch.dir, 'spool')]) {
      const files = filesUnder(dir);
      expect(files.filter((f) => f.includes(ada.id) && !f.endsWith('/')), dir).toEqual([]);
      for (const f of files.filter((x) => !x.endsWith('/'))) expect(readFileSync(join(dir, f)).includes(ada.name), `${dir}/${f}`).toBe(false);
    }
    const { text, how } = await databaseDump(ws.db);
    expect(text, how).toContain(ada.id);
    for (const needle of [ada.name, ada.email, 'Vrml']) expect(text.toLowerCase(), `${needle} in ${how}`).not.toContain(needle.toLowerCase());
  });
});
