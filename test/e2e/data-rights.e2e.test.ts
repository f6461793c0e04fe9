// A privacy officer's check on a real interview: a candidate consents in Chromium and talks with
// the interviewer (offline speech), which records to a versioned bucket (versitygw). Export it all,
// delete it, then search the bucket (versions and unfinished uploads too), the gateway's folders,
// the local spool and the whole database for the candidate's name and email.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, ListMultipartUploadsCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpAllRows, filesUnder } from '../int/helpers/candidate-data.js';
import { disclosureShown } from '../stack/disclosure.mjs';
import { s3ClientFor, startVersitygw } from '../stack/versitygw.mjs';
import { addQuestionSet, utterances, waitForStatus } from './helpers/interview.js';
import { eventually, pressEnd, waitForScreen } from './helpers/page.js';
import { freePort, s3EnvFor, startStack, type Stack } from './helpers/stack.js';
import { startAgent } from './helpers/faults.js';

const BUCKET = 'interviews';
const NAME = 'Ada Wqxlovelace';
const EMAIL = 'ada.wqx@example.com';

describe('export and delete a real interview (versioned bucket)', () => {
  let stack: Stack;
  let s3: S3Client;
  let gw: Awaited<ReturnType<typeof startVersitygw>>;
  let id: string;

  beforeAll(async () => {
    const s3Port = await freePort();
    const s3Env = { ...s3EnvFor(s3Port, BUCKET), AGENT_CANDIDATE_WAIT: '60s', AGENT_END_OF_TURN_SILENCE: '3s' };
    stack = await startStack({ scenario: 'data-rights', env: s3Env });
    gw = stack.own(await startVersitygw({ dir: join(stack.home, 's3'), port: s3Port, accessKeyId: s3Env.S3_ACCESS_KEY_ID, secretAccessKey: s3Env.S3_SECRET_ACCESS_KEY, versioning: true }));
    s3 = s3ClientFor(gw);
    stack.own({ stop: async () => s3.destroy() });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }));
    await addQuestionSet(stack, { name: 'e2e-rights', questions: [{ text: 'Could you tell me about your current role?', timeLimit: '20s' }] });
    await startAgent(stack);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  // Generous bounds: on a loaded 2-core machine the interviewer can take a minute to speak.
  it('the candidate consents, talks, ends; recording and transcript land in the bucket', { timeout: 420_000 }, async () => {
    const created = await stack.cli(['create', '--name', NAME, '--email', EMAIL, '--ref', 'ATS-DR-1', '--duration', '2m', '--questions', 'e2e-rights', '--json']);
    expect(created.code, created.stderr).toBe(0);
    const interview = created.json();
    id = interview.id;
    const { page } = await stack.newPage();
    await page.goto(interview.url);
    await waitForScreen(page, 'preflight');
    await page.locator('#consent').check();
    await eventually(() => page.locator('#join').isEnabled(), { what: '#join enabled' });
    await page.locator('#join').click();
    await waitForScreen(page, 'interview');
    await eventually(async () => ((await utterances(stack, id)).some((r) => r.kind === 'question') ? true : undefined), { what: 'the question asked', timeoutMs: 150_000 });
    await page.waitForTimeout(4000);
    await pressEnd(page);
    await waitForScreen(page, 'done');
    await waitForStatus(stack, id, 'completed', 180_000);
    const shown = await stack.show(id);
    expect(shown.consents).toEqual([expect.objectContaining({ version: disclosureShown('en').version, lang: 'en' })]);
    expect(shown.recordingKey).toMatch(new RegExp(`^recordings/${id}/.*\\.mp4$`));
  });

  it('exports everything, the recording included, with checksums that match the bucket', async () => {
    const zip = join(stack.home, 'ada.zip');
    const r = await stack.cli(['candidate', 'export', '--email', EMAIL, '-o', zip, '--by', 'dpo', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const manifest = JSON.parse(execFileSync('unzip', ['-p', zip, 'manifest.json'], { encoding: 'utf8' })) as { items: { path: string | null; source: string; sha256?: string }[] };
    const video = manifest.items.find((i) => i.path?.endsWith('.mp4'))!;
    expect(video.source).toContain(`s3://${BUCKET}`);
    const bytes = execFileSync('unzip', ['-p', zip, video.path!], { maxBuffer: 512 * 1024 * 1024 });
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(video.sha256);
    expect(bytes.length).toBeGreaterThan(10_000);
    const consents = JSON.parse(execFileSync('unzip', ['-p', zip, `interviews/${id}/consents.json`], { encoding: 'utf8' }));
    expect(consents[0]).toMatchObject({ version: disclosureShown('en').version, lang: 'en' });
    expect(consents[0].user_agent).toMatch(/Chrom/);
    const audit = await stack.cli(['audit', '--interview', id, '--json']);
    expect(audit.json()).toEqual([expect.objectContaining({ what: 'candidate export', by: 'dpo' })]);
  });

  it('deletes it all: nothing under the prefix in the bucket, its versions or the folders, nothing personal in the database', async () => {
    const r = await stack.cli(['candidate', 'delete', '--email', EMAIL, '--reason', 'erasure request', '--by', 'dpo']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`${id}: deleted \\(receipt \\d+\\)`));
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: `recordings/${id}/` }));
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: `recordings/${id}/` }));
    expect([versions.Versions ?? [], versions.DeleteMarkers ?? [], uploads.Uploads ?? []]).toEqual([[], [], []]);
    for (const dir of [gw.dataDir, gw.versionsDir!, join(stack.home, 'spool')]) {
      const files = filesUnder(dir).filter((f) => !f.endsWith('/'));
      expect(files.filter((f) => f.includes(id)), dir).toEqual([]);
      for (const f of files) expect(readFileSync(join(dir, f)).includes(NAME.split(' ')[1]!), `${dir}/${f}`).toBe(false);
    }
    const dump = (await dumpAllRows(stack.sql as never)).toLowerCase();
    expect(dump).toContain(id.toLowerCase());
    for (const needle of [NAME, EMAIL, 'Wqxlovelace']) expect(dump).not.toContain(needle.toLowerCase());
    const again = await stack.cli(['candidate', 'delete', '--email', EMAIL]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/already deleted/);
  });
});
