// The html interview report opened in Chromium: the video (from a presigned S3 link, versitygw)
// plays, clicking an evidence quote seeks to its utterance, the current transcript line follows
// playback, and nothing a candidate wrote runs as script. Evaluated through the LLM stand-in.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Browser, Page } from 'playwright-core';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../stack/browser.mjs';
import { cliEnv, repoRoot, runCli } from '../stack/interviewctl.mjs';
import { startLlmStandIn } from '../stack/llm-stand-in.mjs';
import { recordPostgresHome } from '../stack/process.mjs';
import { s3ClientFor, startVersitygw } from '../stack/versitygw.mjs';
import { goodReply, QUESTIONS, UTTERANCES } from '../int/helpers/completed-interview.js';
import { artifactsRoot, assertIsolated, freePort, s3EnvFor } from './helpers/stack.js';

const BUCKET = 'e2e-report';
const artifacts = join(artifactsRoot, 'report');
const stops: (() => Promise<unknown>)[] = [];
let home = '';
let env: Record<string, string> = {};
let sql: postgres.Sql;
let browser: Browser;
let llm: Awaited<ReturnType<typeof startLlmStandIn>>;
const consoleLines: string[] = [];

const cli = async (args: string[]) => {
  const r = await runCli(args, { env, cwd: home });
  if (r.code !== 0) throw new Error(`interviewctl ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
  return r;
};

/** A 30 s H.264 + AAC test pattern with a tone, as the agent's recorder would store it. */
function makeVideo(path: string): void {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=15', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '30', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-movflags', '+faststart', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
}

async function seed(): Promise<string> {
  const id = 'RptE2eAAAAAAAAAAAAAAAA';
  const started = new Date(Date.now() - 120_000);
  const stamp = started.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  const base = `recordings/${id}/${stamp}_interview-${id}`;
  await sql`
    insert into interviews (id, status, candidate_name, candidate_email, ref, lang, duration_ms, question_set, questions, expires_at, used_at,
                            candidate_joined_at, recording_started_at, ended_at, completed_at, recording_key, transcript_key, vtt_key)
    values (${id}, 'completed', ${'Ada <img src=x onerror="window.__pwned=1"> Lovelace'}, 'ada@example.com', 'ATS-1', 'en', 1200000, 'backend',
            ${sql.json(QUESTIONS as never)}, now() + interval '7 days', ${started}, ${started}, ${started}, now(), now(), ${`${base}.mp4`}, ${`${base}.transcript.json`}, ${`${base}.vtt`})`;
  for (const [seq, u] of UTTERANCES.entries()) {
    await sql`insert into utterances (interview_id, seq, speaker, kind, question_index, text, start_ms, end_ms)
              values (${id}, ${seq}, ${u.speaker}, ${u.kind}, ${u.questionIndex}, ${u.text}, ${u.startMs}, ${u.endMs})`;
  }
  await sql`insert into interview_integrity_notes (interview_id, kind, started_at, ended_at)
            values (${id}, 'tab_hidden', ${new Date(started.getTime() + 14_000)}, ${new Date(started.getTime() + 17_000)})`;
  const video = join(home, 'video.mp4');
  makeVideo(video);
  const s3 = new S3Client({ endpoint: env.S3_ENDPOINT, region: env.S3_REGION, forcePathStyle: true, credentials: { accessKeyId: env.S3_ACCESS_KEY_ID!, secretAccessKey: env.S3_SECRET_ACCESS_KEY! } });
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${base}.mp4`, Body: readFileSync(video), ContentType: 'video/mp4' }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${base}.transcript.json`, Body: '{}', ContentType: 'application/json' }));
  s3.destroy();
  return id;
}

async function open(file: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'en-US' });
  const page = await context.newPage();
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
  await page.goto(pathToFileURL(file).toString());
  return page;
}

describe('the html report in a browser', () => {
  beforeAll(async () => {
    assertIsolated();
    rmSync(artifacts, { recursive: true, force: true });
    mkdirSync(artifacts, { recursive: true });
    home = mkdtempSync(join(tmpdir(), 'ivc-e2e-report-'));
    chmodSync(home, 0o755);
    stops.push(async () => rmSync(home, { recursive: true, force: true }));
    llm = await startLlmStandIn({ respond: (req: { body: any }) => goodReply(req.body) });
    stops.push(() => llm.stop());
    const s3Port = await freePort();
    env = cliEnv({ INTERVIEWCTL_HOME: home, ...s3EnvFor(s3Port, BUCKET), LLM_BASE_URL: llm.url, LLM_MODEL: 'stand-in-model' }) as Record<string, string>;
    const gw = await startVersitygw({ dir: join(home, 's3'), port: s3Port });
    stops.push(() => gw.stop());
    const s3 = s3ClientFor(gw);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    s3.destroy();
    recordPostgresHome(home);
    stops.push(() => runCli(['db', 'stop'], { env, cwd: home }));
    await cli(['db', 'migrate']);
    const { embeddedPaths, embeddedConnection } = await import(join(repoRoot, 'dist', 'cli', 'adapters', 'db', 'embedded.js'));
    sql = postgres({ ...embeddedConnection(embeddedPaths(home)), max: 2, onnotice: () => {} });
    stops.push(() => sql.end({ timeout: 5 }));
    browser = await launchChromium();
    stops.push(() => browser.close());
  }, 180_000);

  afterAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(join(artifacts, 'browser-console.log'), consoleLines.join('\n') + '\n');
    for (const stop of stops.reverse()) await stop().catch(() => {});
  });

  it('plays the video, seeks to a quote when clicked, follows playback, and runs no injected script', async () => {
    const id = await seed();
    await cli(['evaluate', id]);
    await cli(['review', id, '--decision', 'advance', '--note', 'Clear design reasoning; check on-call experience.', '--score', '2=3', '--by', 'Grace Hopper']);
    const file = join(artifacts, 'report.html');
    const made = await cli(['report', id, '--format', 'html', '-o', file, '--expires', '2h']);
    expect(made.stderr).toMatch(/the video link in the report is valid for 2h \(until \d{4}-/);
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/Video link valid until <strong>\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ<\/strong>/);

    const page = await open(file);
    const video = page.locator('#video');
    // The video plays from the presigned link.
    await page.evaluate(() => (document.getElementById('video') as HTMLVideoElement).play());
    await page.waitForFunction(() => (document.getElementById('video') as HTMLVideoElement).currentTime > 1, undefined, { timeout: 20_000 });
    expect(await video.evaluate((v: HTMLVideoElement) => v.duration)).toBeGreaterThan(29);

    // Clicking an evidence quote seeks to the start of its utterance.
    const quote = page.locator('button.evidence[data-utterance="4"]');
    await expect(quote.textContent()).resolves.toContain('Mostly integration tests against a real database');
    await quote.click();
    await page.waitForFunction(() => !(document.getElementById('video') as HTMLVideoElement).seeking);
    const at = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
    expect(Math.abs(at - UTTERANCES[4]!.startMs / 1000)).toBeLessThanOrEqual(0.5);
    // The current line follows playback.
    await page.waitForFunction(() => document.getElementById('u4')?.classList.contains('current'), undefined, { timeout: 10_000 });
    expect(await page.locator('#transcript li.current').count()).toBe(1);

    // A transcript line seeks too.
    await page.locator('#u1 button').click();
    await page.waitForFunction(() => document.getElementById('u1')?.classList.contains('current'), undefined, { timeout: 10_000 });
    const lineAt = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
    expect(Math.abs(lineAt - UTTERANCES[1]!.startMs / 1000)).toBeLessThanOrEqual(0.5);

    // Scorecard, review and integrity note are there; the injected name did not run.
    await expect(page.locator('#integrity').textContent()).resolves.toMatch(/00:14–00:17 interview tab hidden for 3s/);
    await expect(page.locator('body').textContent()).resolves.toMatch(/Advisory recommendation: advance/);
    await expect(page.locator('body').textContent()).resolves.toMatch(/Decision: advance by Grace Hopper/);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('h1').textContent()).toContain('<img src=x onerror="window.__pwned=1">');
    expect(consoleLines.filter((l) => /Content Security Policy|pageerror/.test(l))).toEqual([]);

    await video.evaluate((v: HTMLVideoElement) => v.pause());
    await page.locator('#u2 button').click();
    await page.waitForFunction(() => document.getElementById('u2')?.classList.contains('current'));
    await video.evaluate((v: HTMLVideoElement) => v.pause());
    const shot = join(artifacts, 'report.png');
    await page.setViewportSize({ width: 1360, height: 1240 });
    await page.screenshot({ path: shot, fullPage: false });
    if (process.env.UPDATE_SCREENSHOTS === '1') copyFileSync(shot, join(repoRoot, 'web-lite', 'screenshots', 'report.png'));
  });
});
