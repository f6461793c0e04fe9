// The live stack for one e2e test file: embedded Postgres (through the CLI), a real
// livekit-server, `interviewctl serve`, and Chromium with a fake camera and a spoken fake mic.
// Everything listens on 127.0.0.1 inside the runner's private network namespace.
//
// Later scenarios add parts with `stack.own(handle)` (anything with `stop()`), e.g. the agent
// (`startCliProcess(['agent'], …)`) and versitygw (`startVersitygw`), so they are stopped with the
// rest, in reverse order, also when a test fails.
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RoomServiceClient } from 'livekit-server-sdk';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import postgres from 'postgres';
import { launchChromium, makeSpeechWav } from '../../stack/browser.mjs';
import { cliEnv, repoRoot, runCli, startCliProcess } from '../../stack/interviewctl.mjs';
import { DEFAULT_API_KEY, DEFAULT_API_SECRET, startLivekitServer } from '../../stack/livekit.mjs';
import { recordPostgresHome } from '../../stack/process.mjs';
import { freePort } from '../../stack/ports.mjs';

export const artifactsRoot = join(repoRoot, 'test', 'e2e', 'artifacts');

export interface Stoppable {
  stop(): Promise<void>;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json(): any;
}

export interface StartOptions {
  /** Folder name under test/e2e/artifacts/ for screenshots and logs; emptied at start. */
  scenario: string;
  /** What the fake microphone says. */
  speech?: string;
  /** Extra environment for serve (and any CLI command). */
  env?: Record<string, string>;
  /** LiveKit room timeouts in seconds. */
  room?: { emptyTimeout?: number; departureTimeout?: number };
}

export interface Stack {
  scenario: string;
  artifacts: string;
  logs: string;
  home: string;
  publicUrl: string;
  livekitUrl: string;
  livekitHttpUrl: string;
  apiKey: string;
  apiSecret: string;
  /** The environment of every CLI process in this stack. */
  env: Record<string, string>;
  sql: postgres.Sql;
  rooms: RoomServiceClient;
  browser: Browser;
  fakeAudioWav: string;
  serveLog(): string;
  livekitLog(): string;
  cli(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<CliResult>;
  /** `interviewctl create --name … --json`, returning the record. */
  createInterview(name?: string, extra?: string[]): Promise<{ id: string; url: string; roomName: string; status: string; [k: string]: unknown }>;
  /** `interviewctl show <id> --json`. */
  show(id: string): Promise<any>;
  /** A fresh browser context (its own sessionStorage: another candidate or another device). */
  newPage(): Promise<{ context: BrowserContext; page: Page }>;
  /** Saves a PNG of the page under artifacts/<scenario>/<name>.png and returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
  /** Stops `part` with the rest of the stack (in reverse order of ownership). */
  own<T extends Stoppable>(part: T): T;
  stop(): Promise<void>;
}

export { freePort };

/** Refuses to start outside the runner's namespace: the stack must never see a real network. */
export function assertIsolated(): void {
  if (process.env.INTERVIEWCTL_E2E_NETNS !== '1') {
    throw new Error('the e2e tests run only through `npm run test:e2e` (a private network namespace with loopback only)');
  }
}

export async function startStack(opts: StartOptions): Promise<Stack> {
  assertIsolated();
  const artifacts = join(artifactsRoot, opts.scenario);
  rmSync(artifacts, { recursive: true, force: true });
  const logs = join(artifacts, 'logs');
  mkdirSync(logs, { recursive: true });

  const owned: Stoppable[] = [];
  const own = <T extends Stoppable>(part: T): T => {
    owned.push(part);
    return part;
  };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const errors: unknown[] = [];
    while (owned.length > 0) {
      const part = owned.pop()!;
      try {
        await part.stop();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, `stopping the ${opts.scenario} stack failed`);
  };

  try {
    // A home the `postgres` user can reach (mkdtemp makes 0700 folders, and Postgres runs as
    // `postgres` when we are root). It is also the CLI's working folder, so no stray .env applies.
    const home = mkdtempSync(join(tmpdir(), 'ivc-e2e-'));
    chmodSync(home, 0o755);
    own({
      stop: async () => {
        const pgLog = join(home, 'postgres', 'postgres.log');
        // Another run from the same work tree may have emptied the folder meanwhile.
        mkdirSync(logs, { recursive: true });
        if (existsSync(pgLog)) copyFileSync(pgLog, join(logs, 'postgres.log'));
        rmSync(home, { recursive: true, force: true });
      },
    });

    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const apiKey = DEFAULT_API_KEY;
    const apiSecret = DEFAULT_API_SECRET;
    const env = cliEnv({
      INTERVIEWCTL_HOME: home,
      PORT: String(port),
      PUBLIC_URL: publicUrl,
      LIVEKIT_URL: 'ws://127.0.0.1:7880',
      LIVEKIT_API_KEY: apiKey,
      LIVEKIT_API_SECRET: apiSecret,
      ...opts.env,
    }) as Record<string, string>;
    const cli = (args: string[], o: { input?: string; timeoutMs?: number } = {}) => runCli(args, { env, cwd: home, ...o }) as Promise<CliResult>;

    // Postgres: the CLI starts the embedded cluster on first use; `db stop` ends it.
    recordPostgresHome(home);
    own({
      stop: async () => {
        const res = await cli(['db', 'stop']);
        if (res.code !== 0) throw new Error(`interviewctl db stop exited ${res.code}: ${res.stderr}`);
      },
    });
    const migrated = await cli(['db', 'migrate']);
    if (migrated.code !== 0) throw new Error(`interviewctl db migrate exited ${migrated.code}:\n${migrated.stderr}`);
    const { embeddedPaths, embeddedConnection } = await import(join(repoRoot, 'dist', 'cli', 'adapters', 'db', 'embedded.js'));
    const sql = postgres({ ...embeddedConnection(embeddedPaths(home)), max: 2, onnotice: () => {} });
    own({ stop: () => sql.end({ timeout: 5 }) });

    const livekit = own(
      await startLivekitServer({
        dir: logs,
        apiKey,
        apiSecret,
        webhookUrls: [`${publicUrl}/webhooks/livekit`],
        emptyTimeout: opts.room?.emptyTimeout ?? 30,
        departureTimeout: opts.room?.departureTimeout ?? 20,
      }),
    );

    const serve = own(
      await startCliProcess(['serve'], {
        env,
        cwd: home,
        logPath: join(logs, 'serve.log'),
        what: `interviewctl serve on ${publicUrl}`,
        ready: async () => {
          try {
            const res = await fetch(`${publicUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
            if (!res.ok) return false;
            const body = (await res.json()) as { db?: boolean; livekit?: boolean };
            return body.db === true && body.livekit === true;
          } catch {
            return false;
          }
        },
      }),
    );

    const fakeAudioWav = makeSpeechWav(
      opts.speech ?? 'Hello. My name is Ada. I have worked as a software engineer for eight years, mostly on real time audio and video systems.',
      join(home, 'fake-mic.wav'),
    );
    const browser = await launchChromium({ fakeAudioWav });
    own({ stop: () => browser.close() });

    const stack: Stack = {
      scenario: opts.scenario,
      artifacts,
      logs,
      home,
      publicUrl,
      livekitUrl: livekit.url,
      livekitHttpUrl: livekit.httpUrl,
      apiKey,
      apiSecret,
      env,
      sql,
      rooms: new RoomServiceClient(livekit.httpUrl, apiKey, apiSecret),
      browser,
      fakeAudioWav,
      serveLog: serve.logText,
      livekitLog: livekit.logText,
      cli,
      async createInterview(name = 'Ada Lovelace', extra: string[] = []) {
        const res = await cli(['create', '--name', name, ...extra, '--json']);
        if (res.code !== 0) throw new Error(`interviewctl create exited ${res.code}:\n${res.stderr}`);
        return res.json();
      },
      async show(id: string) {
        const res = await cli(['show', id, '--json']);
        if (res.code !== 0) throw new Error(`interviewctl show exited ${res.code}:\n${res.stderr}`);
        return res.json();
      },
      async newPage() {
        const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US' });
        const page = await context.newPage();
        // Keep what the page logs: it is the first thing to read when a screen does not come.
        page.on('console', (msg) => consoleLines.push(`[${new Date().toISOString()}] ${msg.type()}: ${msg.text()}`));
        page.on('pageerror', (err) => consoleLines.push(`[${new Date().toISOString()}] pageerror: ${err.message}`));
        return { context, page };
      },
      async screenshot(page: Page, name: string) {
        const path = join(artifacts, `${name}.png`);
        await page.screenshot({ path, fullPage: true });
        return path;
      },
      own,
      stop,
    };
    const consoleLines: string[] = [];
    own({
      stop: async () => {
        mkdirSync(logs, { recursive: true });
        writeFileSync(join(logs, 'browser-console.log'), consoleLines.join('\n') + '\n');
      },
    });
    return stack;
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}

/** The S3_* settings of a versitygw bucket on this port, as the CLI and the agent read them. */
export function s3EnvFor(port: number, bucket: string) {
  return {
    S3_BUCKET: bucket,
    S3_ENDPOINT: `http://127.0.0.1:${port}`,
    S3_REGION: 'us-east-1',
    S3_ACCESS_KEY_ID: 'e2e-access-key',
    S3_SECRET_ACCESS_KEY: 'e2e-secret-key-0123456789abcdef',
    S3_FORCE_PATH_STYLE: 'true',
  };
}
