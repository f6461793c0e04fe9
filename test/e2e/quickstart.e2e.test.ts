// The README's quick start, as a new user meets it: `interviewctl dev` (what `npm start` runs) and
// nothing else — no serve, agent or livekit-server started by the test — then the demo link it
// prints opened in Chromium, and the interviewer greets. HOME is a fresh folder, so nothing is
// cached; the livekit-server is the stack's (LIVEKIT_SERVER_BIN), so dev need not build one (that
// build, from an empty Go cache, is timed by hand in the issue note: about 4 minutes on 2 cores).
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, makeSpeechWav } from '../stack/browser.mjs';
import { cliEnv, runCli, startCliProcess } from '../stack/interviewctl.mjs';
import { livekitServerBin } from '../stack/paths.mjs';
import { recordPostgresHome } from '../stack/process.mjs';
import { eventually, waitForScreen } from './helpers/page.js';
import { artifactsRoot, assertIsolated, freePort } from './helpers/stack.js';

const LINK = /http:\/\/127\.0\.0\.1:\d+\/interview\/[A-Za-z0-9_-]+/;

describe('the quick start: `interviewctl dev`, then the demo link in a browser', () => {
  const artifacts = join(artifactsRoot, 'quickstart');
  let home: string;
  let env: Record<string, string>;
  let dev: Awaited<ReturnType<typeof startCliProcess>>;
  let browser: Browser;
  let link: string;

  beforeAll(async () => {
    assertIsolated();
    rmSync(artifacts, { recursive: true, force: true });
    mkdirSync(artifacts, { recursive: true });
    home = mkdtempSync(join(tmpdir(), 'ivc-quickstart-'));
    chmodSync(home, 0o755);
    const port = await freePort();
    // dev's own defaults otherwise: its local LiveKit on 7880 with the dev keys, the embedded
    // database, local recordings, offline speech.
    env = cliEnv({ HOME: home, INTERVIEWCTL_HOME: home, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, LIVEKIT_SERVER_BIN: livekitServerBin }) as Record<string, string>;
    recordPostgresHome(home);
    const logPath = join(artifacts, 'dev.log');
    dev = await startCliProcess(['dev'], {
      env,
      cwd: home,
      logPath,
      what: 'interviewctl dev',
      readyTimeoutMs: 120_000,
      // The demo link is the last thing dev prints.
      ready: async () => existsSync(logPath) && LINK.test(readFileSync(logPath, 'utf8')),
    });
    link = LINK.exec(dev.logText())![0];
    browser = await launchChromium({
      fakeAudioWav: makeSpeechWav('Hello. I build real time audio and video systems and I enjoy it.', join(home, 'fake-mic.wav')),
    });
  });

  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
    if (home) {
      await runCli(['db', 'stop'], { env, cwd: home });
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('prints what it started, and the link gives a real interview: the AI interviewer greets (speaking, with its caption) and records', async () => {
    const log = dev.logText();
    expect(log).toContain('interviewctl dev is running');
    expect(log).toMatch(/LiveKit: local livekit-server on ws:\/\/127\.0\.0\.1:7880/);
    expect(log).toMatch(/"msg":"agent worker registered"/);
    expect(log).not.toContain('RECORDING IS OFF');

    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(link);
    await waitForScreen(page, 'preflight');
    await page.locator('#consent').check();
    await eventually(() => page.locator('#join').isEnabled(), { what: '#join enabled' });
    await page.locator('#join').click();
    await waitForScreen(page, 'interview');
    await eventually(async () => (await page.locator('#agent').getAttribute('data-state')) === 'speaking', { what: 'the interviewer speaking', timeoutMs: 60_000 });
    await eventually(async () => ((await page.locator('#captions').textContent()) ?? '').includes('AI interviewer'), { what: 'the greeting caption', timeoutMs: 60_000 });
    await page.screenshot({ path: join(artifacts, '01-greeted.png'), fullPage: true });
    const id = link.split('/').pop()!;
    const shown = await runCli(['show', id, '--json'], { env, cwd: home });
    expect(shown.json().status).toBe('recording');
    // An operator's end: the interview finishes (recording stored) while dev keeps running.
    expect((await runCli(['end', id, '--reason', 'quick start checked'], { env, cwd: home })).code).toBe(0);
    await eventually(async () => (await runCli(['show', id, '--json'], { env, cwd: home })).json().status === 'completed', { what: 'the ended interview completed', timeoutMs: 90_000, intervalMs: 1000 });
    await context.close();
  });

  it('stops everything it started on Ctrl-C (SIGTERM): no livekit-server is left on 7880', async () => {
    await dev.stop();
    expect(dev.exited()).not.toBeNull();
    // A livekit-server dev left behind would hold LiveKit's ports for whatever runs next.
    await eventually(async () => !(await fetch('http://127.0.0.1:7880', { signal: AbortSignal.timeout(1000) }).then(() => true, () => false)), {
      what: 'the livekit-server dev started to stop',
      timeoutMs: 15_000,
    });
  });
});
