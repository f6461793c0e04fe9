#!/usr/bin/env node
// bench:startup — issue 2, item 8. Wall time of `interviewctl --help` and of `interviewctl list
// --json` (the embedded database already running, a few hundred interviews in it) against
// `node -e 0`, measured in the same run, interleaved, several times; prints the medians and the
// ratios (targets: --help ≤ 2× node -e 0, list --json ≤ 4×). A measurement, not a test: it exits 0
// whichever way the figures go.
//
//   npm run bench:startup [-- --reps 21]
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, cleanup, cleanupOnSignal, fixed, freshHome, median, mustRun, numberOption, requireBuild, table } from './lib.mjs';

requireBuild();
const REPS = numberOption('reps', 21);
const ROWS = 300;

const target = freshHome('bench-startup');
cleanupOnSignal(target);
const { home, env } = target;
try {
  const cli = { env, cwd: home };
  process.stderr.write(`bench:startup: ${REPS} repetitions in ${home}\n`);
  await mustRun(['db', 'migrate'], cli);
  const csv = ['name,email,ref'];
  for (let i = 1; i <= ROWS; i++) csv.push(`Candidate ${i},candidate${i}@example.com,START-${i}`);
  writeFileSync(join(home, 'invites.csv'), `${csv.join('\n')}\n`);
  await mustRun(['create', '--from', join(home, 'invites.csv'), '--json'], cli);

  const commands = [
    { label: 'node -e 0', args: ['-e', '0'] },
    { label: 'interviewctl --help', args: [BIN, '--help'] },
    { label: 'interviewctl list --json', args: [BIN, 'list', '--json'] },
  ];
  const run = (c) => {
    const started = process.hrtime.bigint();
    const res = spawnSync(process.execPath, c.args, { env, cwd: home, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (res.status !== 0) throw new Error(`${c.label} exited ${res.status}: ${res.stderr}`);
    return ms;
  };
  // One untimed run each, so every command starts from a warm file cache.
  for (const c of commands) run(c);
  const times = commands.map(() => []);
  for (let r = 0; r < REPS; r++) {
    // Interleaved, in a rotating order, so drift in the machine's load hits all three alike.
    for (let k = 0; k < commands.length; k++) {
      const i = (r + k) % commands.length;
      times[i].push(run(commands[i]));
    }
  }

  const base = median(times[0]);
  const targets = [undefined, 2, 4];
  const rows = commands.map((c, i) => {
    const m = median(times[i]);
    return [c.label, fixed(m, 1), fixed(Math.min(...times[i]), 1), fixed(m / base), targets[i] === undefined ? '' : `≤ ${targets[i]}×`];
  });
  const verdict = (i) => {
    const ratio = median(times[i]) / base;
    return `${commands[i].label}: ${ratio <= targets[i] ? 'PASS' : 'FAIL'} (${fixed(ratio)}× node -e 0, target ≤ ${targets[i]}×)`;
  };
  process.stdout.write(
    `\nbench:startup — median of ${REPS} interleaved runs each (database running, ${ROWS} interviews)\n\n` +
      table([['', 'median ms', 'min ms', '× node -e 0', 'target'], ...rows]) +
      `\n\n${verdict(1)}\n${verdict(2)}\n`,
  );
} catch (err) {
  process.stderr.write(`bench:startup failed: ${err?.stack ?? err}\n`);
  process.exitCode = 1;
} finally {
  cleanup(target);
}
