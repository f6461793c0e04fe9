import { afterAll, beforeAll } from 'vitest';
import { cli, scratchDir, type CliOptions } from './cli.js';
import { createTestDatabase, type TestDatabase } from './db.js';

/**
 * What most CLI test files need: a fresh migrated database and a scratch folder for the file's
 * tests, both removed afterwards, and `run` to call the CLI against them as a user would.
 */
export function useCliWorkspace(name: string, env: Record<string, string> = {}) {
  const ws = {
    db: undefined as unknown as TestDatabase,
    scratch: undefined as unknown as ReturnType<typeof scratchDir>,
    run: (args: string[], options: CliOptions = {}) =>
      cli(args, { cwd: ws.scratch.dir, ...options, env: { ...ws.db.env, INTERVIEWCTL_HOME: ws.scratch.dir, ...env, ...options.env } }),
  };
  beforeAll(async () => {
    ws.db = await createTestDatabase({ migrate: true });
    ws.scratch = scratchDir(name);
  });
  afterAll(async () => {
    await ws.db?.drop();
    ws.scratch?.remove();
  });
  return ws;
}
