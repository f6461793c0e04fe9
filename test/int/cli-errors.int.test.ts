import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, scratchDir, stackFrames, startCli } from './helpers/cli.js';
import { unreachableEnv } from './helpers/db.js';
import { useCliWorkspace } from './helpers/workspace.js';

// Exit codes a user meets before anything happens: bad flags (2), bad settings (3), an unreachable
// database (6), Ctrl-C (130).

const ws = useCliWorkspace('cli-errors');
const { run } = ws;

interface Record_ {
  id: string;
  url: string;
  durationSeconds: number;
}

describe('bad flags and arguments: exit 2, one clear line, no stack trace', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown flag', ['create', '--name', 'A', '--nmae', 'B'], /^error: unknown option '--nmae'/],
    ['a flag without its value', ['create', '--name'], /^error: option '--name <name>' argument missing/],
    ['a bad duration', ['create', '--name', 'A', '--duration', '20 minutes'], /^error: --duration: "20 minutes" is not a duration/],
    ['a duration out of range', ['create', '--name', 'A', '--duration', '5h'], /^error: --duration: 5h is outside 1m to 4h/],
    ['a bad expiry', ['create', '--name', 'A', '--expires', 'never'], /^error: --expires: "never" is not a duration/],
    ['a bad language', ['create', '--name', 'A', '--lang', 'fr'], /^error: option '--lang <lang>' argument 'fr' is invalid/],
    ['a bad email', ['create', '--name', 'A', '--email', 'nope'], /^error: --email: not an email address/],
    ['no name', ['create'], /^error: --name is required/],
    ['--name with --from', ['create', '--name', 'A', '--from', 'x.csv'], /^error: --name and --from cannot be used together/],
    ['an unknown command', ['craete'], /^error: unknown command 'craete'/],
    ['a missing id', ['show'], /^error: missing required argument 'id'/],
    ['a bad status filter', ['list', '--status', 'done'], /^error: --status: "done" is not one of created, used/],
    ['a bad --since', ['list', '--since', 'yesterday'], /^error: --since: "yesterday" is not a duration/],
    ['a bad --limit', ['list', '--limit', 'ten'], /^error: --limit: "ten" is not a number from 1 to 100000/],
  ];
  for (const [what, args, reason] of cases) {
    it(what, async () => {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines[0]).toMatch(reason);
      // Only commander's hints may follow the reason.
      for (const extra of lines.slice(1)) expect(extra).toMatch(/^\((Did you mean .*\?|run with --help for usage)\)$/);
      expect(stackFrames(r.stderr)).toEqual([]);
    });
  }

  it('nothing was created by any of them', async () => {
    const n = (await ws.db.sql<{ n: number }[]>`select count(*)::int as n from interviews where candidate_name = 'A'`)[0]!.n;
    expect(n).toBe(0);
  });
});

describe('interrupting', () => {
  it('exits 130 on Ctrl-C and leaves no half-written batch', async () => {
    const env = { ...ws.db.env, INTERVIEWCTL_HOME: ws.scratch.dir };
    const batch = startCli(['create', '--from', '-'], { cwd: ws.scratch.dir, env, holdStdin: true, input: 'name,ref\nInterrupted One,INT-1\n' });
    // Wait until it has connected (its session shows up), then press Ctrl-C while it reads stdin.
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const n = (await ws.db.sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'interviewctl'`)[0]!.n;
      if (n > 0) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    batch.signal('SIGINT');
    const r = await batch.done;
    expect(r.code).toBe(130);
    const n = (await ws.db.sql<{ n: number }[]>`select count(*)::int as n from interviews where ref = 'INT-1'`)[0]!.n;
    expect(n).toBe(0);
  });
});

describe('settings', () => {
  it('exits 3 naming a malformed setting', async () => {
    const r = await run(['list'], { env: { PORT: 'abc' } });
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('error: configuration:\n  PORT: "abc" is not a port number (1-65535)\n');
    expect(r.stdout).toBe('');
  });

  it('reports every bad setting at once', async () => {
    const r = await run(['create', '--name', 'A'], { env: { PORT: '70000', INVITE_TTL: 'forever', RECORDER: 'tape', PUBLIC_URL: 'jobs.example.com' } });
    expect(r.code).toBe(3);
    for (const key of ['PORT', 'INVITE_TTL', 'RECORDER', 'PUBLIC_URL']) expect(r.stderr).toMatch(new RegExp(`^  ${key}: `, 'm'));
    const json = await run(['--json', 'list'], { env: { PORT: 'abc', DEFAULT_DURATION: 'long' } });
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stderr)).toEqual({
      error: 'config',
      message: ['PORT: "abc" is not a port number (1-65535)', 'DEFAULT_DURATION: "long" is not a duration (e.g. 20m, 1h, 7d)'],
    });
  });

  it('refuses a DATABASE_URL that is not a postgres URL', async () => {
    const r = await run(['list'], { env: { DATABASE_URL: 'mysql://localhost/db' } });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('DATABASE_URL: must start with postgres:// or postgresql://');
  });

  it('reads .env in the working directory, below the environment and flags', async () => {
    const dir = scratchDir('dotenv');
    try {
      writeFileSync(join(dir.dir, '.env'), 'PORT=abc\nDEFAULT_DURATION=30m\n');
      const bad = await run(['list'], { cwd: dir.dir });
      expect(bad.code).toBe(3);
      expect(bad.stderr).toContain('PORT: "abc"');
      const good = await run(['create', '--json', '--name', 'Dotenv'], { cwd: dir.dir, env: { PORT: '9100' } });
      expect(good.code, good.stderr).toBe(0);
      const rec = JSON.parse(good.stdout) as Record_;
      expect(rec.url).toBe(`http://localhost:9100/interview/${rec.id}`);
      expect(rec.durationSeconds).toBe(1800);
      // --database-url wins over a DATABASE_URL in the environment.
      const flag = await run(['list', '--json', '--database-url', ws.db.env.DATABASE_URL!], {
        cwd: dir.dir,
        env: { PORT: '9100', DATABASE_URL: ws.db.envFor('no_such_database').DATABASE_URL },
      });
      expect(flag.code, flag.stderr).toBe(0);
    } finally {
      dir.remove();
    }
  });

  it('exits 6 when the database cannot be reached, saying where', async () => {
    const missingDb = await run(['list'], { env: ws.db.envFor('no_such_database_here') });
    expect(missingDb.code).toBe(6);
    expect(missingDb.stderr).toMatch(/^error: .*no_such_database_here/);
    const noServer = await run(['list'], { env: unreachableEnv() });
    expect(noServer.code).toBe(6);
    expect(noServer.stderr).toMatch(/^error: cannot reach the database/);
    expect(stackFrames(noServer.stderr)).toEqual([]);
  });
});
