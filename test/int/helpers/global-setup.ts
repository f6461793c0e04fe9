import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { BIN, ROOT } from './paths.js';

/** Where the integration tests' Postgres is: the run's own embedded cluster, or TEST_DATABASE_URL. */
export type PgTarget = { kind: 'embedded'; socketDir: string; home: string; password: string } | { kind: 'url'; url: string };

declare module 'vitest' {
  export interface ProvidedContext {
    pg: PgTarget;
  }
}

function newestSource(dir: string): number {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** The tests run the compiled CLI as a user would, so dist/ must match the sources. */
function ensureBuilt(): void {
  const main = join(ROOT, 'dist', 'cli', 'main.js');
  const built = existsSync(main) ? statSync(main).mtimeMs : 0;
  if (built >= Math.max(newestSource(join(ROOT, 'cli')), newestSource(join(ROOT, 'agent')))) return;
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: ROOT, encoding: 'utf8' });
  if (tsc.status !== 0) throw new Error(`dist/ is older than cli/ and \`tsc -p tsconfig.json\` failed:\n${tsc.stdout}${tsc.stderr}`);
}

function cliSync(args: string[], home: string) {
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd: home,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, INTERVIEWCTL_HOME: home, NO_COLOR: '1' },
    timeout: 120_000,
  });
}

export default async function setup(project: TestProject) {
  ensureBuilt();
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
    try {
      await sql`select 1`;
    } catch (err) {
      throw new Error(`TEST_DATABASE_URL is set but cannot be reached: ${(err as Error).message}`);
    } finally {
      await sql.end({ timeout: 1 });
    }
    project.provide('pg', { kind: 'url', url });
    return;
  }

  // One embedded cluster for the whole run, started by the CLI itself. When we are root it runs
  // as the "postgres" user, which must be able to reach the folder (mkdtemp makes it 0700).
  const home = mkdtempSync(join(tmpdir(), 'ictl-test-'));
  chmodSync(home, 0o755);
  const started = cliSync(['db', 'status', '--json'], home);
  if (started.status !== 0) {
    rmSync(home, { recursive: true, force: true });
    throw new Error(`could not start the embedded database for the tests (exit ${started.status}):\n${started.stderr}`);
  }
  const { socket, protection } = JSON.parse(started.stdout) as { socket: string; protection: { passwordFile: string } };
  const password = readFileSync(protection.passwordFile, 'utf8').trim();
  project.provide('pg', { kind: 'embedded', socketDir: socket, home, password });

  return () => {
    const stopped = cliSync(['db', 'stop'], home);
    rmSync(home, { recursive: true, force: true });
    if (stopped.status !== 0) throw new Error(`\`interviewctl db stop\` failed (exit ${stopped.status}): ${stopped.stderr}`);
  };
}
