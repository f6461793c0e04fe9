import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../cli/adapters/db/connect.js';
import { embeddedConnection, embeddedPaths } from '../../cli/adapters/db/embedded.js';
import { createInterviewRepo } from '../../cli/adapters/db/interviews.js';
import { columnCase } from '../../cli/adapters/db/sql.js';
import { shortId } from '../../cli/core/interview.js';
import { cli, scratchDir, stackFrames } from './helpers/cli.js';
import { BIN } from './helpers/paths.js';

// `interviewctl watch` against a real database of its own (an embedded cluster in a scratch
// INTERVIEWCTL_HOME, so the test may stop and start it): the NDJSON stream sees changes other
// processes make and carries on across a restart; the TUI works in a real terminal (tmux).

let scratch: ReturnType<typeof scratchDir>;
let env: Record<string, string>;
let sql: Sql | undefined;
const children: ChildProcess[] = [];
const TMUX = `ictl-watch-${process.pid}`;
const hasTmux = spawnSync('tmux', ['-V']).status === 0;

const run = (args: string[]) => cli(args, { env, cwd: scratch.dir });

async function create(name: string): Promise<string> {
  const res = await run(['create', '--name', name, '--email', `${name.split(' ')[0]!.toLowerCase()}@example.com`, '--json']);
  expect(res.code, res.stderr).toBe(0);
  return (JSON.parse(res.stdout) as { id: string }).id;
}

function db(): Sql {
  sql ??= postgres({ ...embeddedConnection(embeddedPaths(scratch.dir)), max: 2, onnotice: () => {}, transform: columnCase }) as unknown as Sql;
  return sql;
}

/**
 * Polls `check` every 50 ms until it returns something truthy, or fails after `ms` (at least 30 s:
 * these wait for things to happen at all; how fast they happen is bench:watch's job, and a busy
 * 2-core CI machine can stall a process for seconds).
 */
async function until<T>(what: string, check: () => T | Promise<T>, wanted = 10_000, show?: () => string): Promise<NonNullable<T>> {
  const ms = Math.max(wanted, 30_000);
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${show ? `; the screen:\n${show()}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(() => {
  scratch = scratchDir('watch');
  env = { INTERVIEWCTL_HOME: scratch.dir };
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  if (hasTmux) spawnSync('tmux', ['-L', TMUX, 'kill-server']);
  await sql?.end({ timeout: 1 });
  await run(['db', 'stop']);
  scratch.remove();
});

describe('watch --json (NDJSON stream)', () => {
  it('prints one line per change made by other processes, no personal data, and carries on across a database restart', async () => {
    const [a, b, c] = [await create('Ada Lovelace'), await create('Grace Hopper'), await create('Alan Turing')];

    const watcher = spawn(process.execPath, [BIN, 'watch'], { cwd: scratch.dir, env: { PATH: process.env.PATH!, NO_COLOR: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(watcher);
    let stdout = '';
    let stderr = '';
    watcher.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    watcher.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const lines = () => stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    const lineFor = (id: string, to: string) => lines().find((l) => l.id === id && l.to === to);
    await until('the watcher to start', () => stderr.includes('watching 3 interviews'));

    // A change by another CLI process.
    expect((await run(['revoke', a, '--reason', 'position filled'])).code).toBe(0);
    expect(await until('the revoke line', () => lineFor(a, 'revoked'))).toMatchObject({
      id: a,
      from: 'created',
      to: 'revoked',
      status: 'revoked',
      actor: 'operator',
      reason: 'position filled',
      note: false,
    });

    // Changes by this test process, through the same repository the server uses.
    const repo = createInterviewRepo(db());
    await repo.applyEvent(b, 'join', { actor: 'candidate', reason: 'first join' });
    await db()`insert into interview_events (interview_id, from_status, to_status, actor, reason) values (${b}, 'used', 'used', 'livekit', 'agent joined the room')`;
    const joined = await until('the join line', () => lineFor(b, 'used'));
    expect(joined).toMatchObject({ from: 'created', status: 'used', actor: 'candidate' });
    expect(Date.parse(joined.endsAt as string) - Date.parse(joined.at as string)).toBeCloseTo(20 * 60_000, -3);
    expect(await until('the presence note', () => lines().find((l) => l.id === b && l.note === true))).toMatchObject({ from: 'used', to: 'used', reason: 'agent joined the room' });
    expect((await run(['end', b])).code).toBe(0);
    expect(await until('the end line', () => lineFor(b, 'ending'))).toMatchObject({ from: 'used', actor: 'operator', endReason: 'operator_ended' });

    // Lines come in the order the changes were made, each once.
    const seqs = lines().map((l) => l.seq as number);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(stdout).not.toMatch(/Lovelace|Hopper|Turing|example\.com/);

    // The database goes away and comes back; a change made right after it is back still shows.
    const stopped = await run(['db', 'stop']);
    expect(stopped.code, stopped.stderr).toBe(0);
    await until('the watcher to notice', () => stderr.includes('reconnecting'));
    expect((await run(['db', 'status'])).code).toBe(0);
    expect((await run(['revoke', c])).code).toBe(0);
    expect(await until('the line after the restart', () => lineFor(c, 'revoked'), 15_000)).toMatchObject({ from: 'created', to: 'revoked' });
    await until('the watcher to say it reconnected', () => stderr.includes('reconnected'));

    watcher.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => (watcher.exitCode !== null ? resolve(watcher.exitCode) : watcher.on('exit', (c) => resolve(c))));
    expect(code).toBe(143);
    expect(stackFrames(stderr)).toEqual([]);
  }, 240_000);

  it('rejects an unknown --status with exit 2', async () => {
    const res = await run(['watch', '--status', 'nope']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--status');
  });
});

// Under CI=true a missing tmux fails the run (CI installs it: .ci/run → setup:stack); elsewhere it skips.
describe.skipIf(!hasTmux && process.env.CI !== 'true')('watch in a real terminal (tmux)', () => {
  it('has tmux (CI=true requires it; `npm run setup:stack` installs it)', () => {
    expect(hasTmux, 'tmux is not installed').toBe(true);
  });

  const tmux = (...args: string[]) => spawnSync('tmux', ['-L', TMUX, ...args], { encoding: 'utf8' });
  const pane = () => tmux('capture-pane', '-p', '-t', 'w').stdout ?? '';
  // The same, with the terminal's attributes as SGR codes.
  const paneStyled = () => tmux('capture-pane', '-p', '-e', '-t', 'w').stdout ?? '';
  const keys = (...k: string[]) => tmux('send-keys', '-t', 'w', ...k);
  const rowOf = (text: string, id: string) => text.split('\n').find((l) => /^[ >]/.test(l) && l.slice(1).startsWith(shortId(id))) ?? '';

  it('draws the table, follows a change, filters, shows details, ends with confirmation, rides out a database restart and quits on q', async () => {
    const id = await create('Hedy Lamarr');
    const repo = createInterviewRepo(db());
    await repo.applyEvent(id, 'join', { actor: 'candidate', reason: 'first join' });
    const command = `cd '${scratch.dir}' && INTERVIEWCTL_HOME='${scratch.dir}' TERM=xterm-256color exec '${process.execPath}' '${BIN}' watch`;
    expect(tmux('new-session', '-d', '-s', 'w', '-x', '150', '-y', '30', command).status).toBe(0);
    await until('the table', () => pane().includes('db live') && rowOf(pane(), id).includes('used'), 15_000);
    expect(pane()).toMatch(/ID\s+CANDIDATE\s+STATUS\s+ELAPSED\s+LEFT\s+CAND\s+AGENT\s+REC\s+LAST EVENT/);
    expect(rowOf(pane(), id)).toMatch(/Hedy Lamarr\s+used\s+0:0\d\s+19:5\d\s+\?\s+\?/);
    // In colour: the health in green, the status in its colour, the selected row inverted.
    const styledRow = paneStyled().split('\n').find((l) => l.includes(shortId(id))) ?? '';
    expect(paneStyled()).toMatch(/\x1b\[32mdb live/);
    expect(styledRow).toMatch(/\x1b\[(?:\d+;)*7m[^\x1b]*(?:\x1b\[[\d;]*m)*>/);
    expect(styledRow).toMatch(/\x1b\[36mused\x1b\[39m/);

    // A terminal narrower than the table: rows are cut at the edge, not wrapped onto the next line.
    expect(tmux('resize-window', '-t', 'w', '-x', '70', '-y', '30').status).toBe(0);
    // The checks read the one screen the wait accepted: a second capture may land mid-redraw.
    const narrow = await until(
      'the narrow table',
      () => {
        const screen = pane();
        return rowOf(screen, id) !== '' && !screen.includes('LAST EVENT') && screen;
      },
      5000,
      pane,
    );
    expect(narrow.split('\n').every((l) => l.length <= 70)).toBe(true);
    expect(rowOf(narrow, id)).toMatch(/Hedy Lamarr\s+used\s+0:\d\d\s+19:\d\d/);
    expect(narrow.split('\n').filter((l) => l.includes('Hedy'))).toHaveLength(1);
    expect(narrow.split('\n').find((l) => l.startsWith('watch · '))).toBeDefined();
    expect(tmux('resize-window', '-t', 'w', '-x', '150', '-y', '30').status).toBe(0);
    await until('the wide table again', () => pane().includes('LAST EVENT'), 5000, pane);

    // A change by another process shows without a key press.
    await repo.applyEvent(id, 'recorder_started', { actor: 'agent' });
    await until('the change on screen', () => rowOf(pane(), id).includes('recording'), 3000, pane);

    keys('/');
    for (const ch of shortId(id)) keys('-l', ch);
    keys('Enter');
    await until('the filter', () => pane().includes(`filter: ${shortId(id)}`), 10_000, pane);
    keys('Enter');
    await until('the detail view', () => pane().includes(id) && pane().includes('used -> recording  by agent'), 10_000, pane);
    keys('Escape');
    await until('the table again', () => pane().includes('LAST EVENT'), 5000, pane);
    keys('e');
    await until('the confirmation', () => pane().includes(`end interview ${shortId(id)} (Hedy Lamarr, recording)? [y/N]`), 10_000, pane);
    keys('y');
    await until('ending on screen', () => rowOf(pane(), id).includes('ending'), 5000, pane);
    const [row] = await db()`select status, end_reason from interviews where id = ${id}`;
    expect(row).toMatchObject({ status: 'ending', endReason: 'operator_ended' });

    // The database restarts under it: the header says so, then it carries on.
    expect((await run(['db', 'stop'])).code).toBe(0);
    await until('reconnecting on screen', () => pane().includes('reconnecting…'), 10_000, pane);
    expect((await run(['db', 'status'])).code).toBe(0);
    await until('live again', () => pane().includes('db live'), 15_000, pane);
    await db()`insert into interview_events (interview_id, from_status, to_status, actor, reason) values (${id}, 'ending', 'ending', 'livekit', 'candidate left the room')`;
    await until('a change after the restart', () => rowOf(pane(), id).includes('candidate left the room'), 5000, pane);

    keys('q');
    await until('the program to exit', () => tmux('has-session', '-t', 'w').status !== 0, 5000);
  }, 240_000);
});
