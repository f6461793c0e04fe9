#!/usr/bin/env node
// bench:watch — issue 5, item 6. With 1,000 interviews live on a fresh embedded database, another
// process commits state changes at a steady rate (default 50/s for 20 s) while `interviewctl watch`
// runs, and we measure the time from each committed change to the moment the watcher shows it:
//   1. the NDJSON stream (`watch --json`, stdout a pipe): the line with the change;
//   2. the TUI in a real pseudo-terminal (util-linux `script`): the first frame whose row shows the
//      new status.
// Also the watcher's CPU over the measured window, from /proc (user + system time).
// Targets: p99 ≤ 250 ms, CPU ≤ 10 % of one core. A measurement, not a test: exits 0 either way.
//
//   npm run bench:watch [-- --rate 50 --seconds 20 --live 1000]
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { cleanup, cleanupOnSignal, fixed, freshHome, int, mustRun, numberOption, requireBuild, ROOT, BIN, table } from './lib.mjs';

requireBuild();
const { embeddedConnection, embeddedPaths } = await import(join(ROOT, 'dist/cli/adapters/db/embedded.js'));
const { columnCase } = await import(join(ROOT, 'dist/cli/adapters/db/sql.js'));
const { createInterviewRepo } = await import(join(ROOT, 'dist/cli/adapters/db/interviews.js'));

const RATE = numberOption('rate', 50);
const SECONDS = numberOption('seconds', 20);
const LIVE = numberOption('live', 1000);
const CHANGES = Math.min(LIVE, RATE * SECONDS);
const TARGET_P99_MS = 250;
const TARGET_CPU = 10;
const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const short = (id) => id.slice(0, 8);
const BEGIN_FRAME = '\x1b[?2026h';

const target = freshHome('watch');
cleanupOnSignal(target);
const { home, env } = target;
const children = new Set();

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Resolves when `check()` is true, polling every 20 ms; rejects after `ms`. */
async function until(what, check, ms) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Commits `ids.length` changes (one event each) at RATE per second, paced by the clock, and
 * records when each commit returned. Bounded by count and by SECONDS + 10 s.
 */
async function drive(repo, ids, event) {
  const committed = new Map();
  const started = performance.now();
  const hardStop = started + (SECONDS + 10) * 1000;
  const inflight = new Set();
  for (let i = 0; i < ids.length && performance.now() < hardStop; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const id = ids[i];
    const p = repo.applyEvent(id, event, { actor: 'bench' }).then(() => committed.set(id, performance.now()));
    inflight.add(p);
    p.finally(() => inflight.delete(p));
  }
  await Promise.all(inflight);
  return { committed, seconds: (performance.now() - started) / 1000 };
}

function summarize(label, committed, seen, cpu, window) {
  const lat = [];
  let missed = 0;
  for (const [id, t] of committed) {
    const s = seen.get(id);
    if (s === undefined) missed++;
    else lat.push(Math.max(0, s - t));
  }
  lat.sort((a, b) => a - b);
  return {
    label,
    changes: committed.size,
    missed,
    p50: percentile(lat, 50),
    p95: percentile(lat, 95),
    p99: percentile(lat, 99),
    max: lat.at(-1) ?? NaN,
    cpu: (cpu / window) * 100,
    rate: committed.size / window,
  };
}

async function benchNdjson(repo, ids) {
  const child = spawn(process.execPath, [BIN, 'watch', '--json'], { cwd: home, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const seen = new Map();
  let stderr = '';
  let buffer = '';
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  child.stdout.setEncoding('utf8').on('data', (d) => {
    const now = performance.now();
    buffer += d;
    const lines = buffer.split('\n');
    buffer = lines.pop();
    for (const line of lines) {
      const change = JSON.parse(line);
      if (change.to === 'recording' && !seen.has(change.id)) seen.set(change.id, now);
    }
  });
  await until('watch --json to start', () => stderr.includes('watching'), 60_000);
  await new Promise((r) => setTimeout(r, 1000));
  const cpu0 = cpuSeconds(child.pid);
  const { committed, seconds } = await drive(repo, ids, 'recorder_started');
  await until('the last lines', () => seen.size >= committed.size, 5000).catch(() => {});
  const cpu = cpuSeconds(child.pid) - cpu0;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  children.delete(child);
  return summarize('NDJSON (watch --json)', committed, seen, cpu, seconds);
}

async function benchTui(repo, ids) {
  // A real pseudo-terminal, 50 rows: the table shows the 46 most recently changed interviews, so
  // each change lands on screen at the top.
  const profile = process.argv.includes('--profile') ? `--cpu-prof --cpu-prof-dir='${join(ROOT, '.bench-profile')}' ` : '';
  const command = `stty rows 50 cols 200; exec '${process.execPath}' ${profile}'${BIN}' watch --readonly`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: home, env: { ...env, TERM: 'xterm-256color' }, stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  const seen = new Map();
  const wanted = new Map(ids.map((id) => [short(id), id]));
  let screen = '';
  let buffer = '';
  let frames = 0;
  let tail = '';
  child.stdout.setEncoding('utf8').on('data', (d) => {
    const now = performance.now();
    // Ink wraps each frame it writes to a terminal in a synchronized update (ESC[?2026h … l):
    // count those, whatever the frame redraws.
    const scan = tail + d;
    for (let at = scan.indexOf(BEGIN_FRAME); at !== -1; at = scan.indexOf(BEGIN_FRAME, at + 1)) frames++;
    tail = scan.slice(-(BEGIN_FRAME.length - 1));
    buffer += d;
    const lines = buffer.split(/\r?\n/);
    buffer = lines.pop();
    for (const raw of lines) {
      // eslint-disable-next-line no-control-regex
      const line = raw.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\x1b[=>78]/g, '');
      if (screen.length < 4000) screen += `${line}\n`;
      const m = /^[ >]([A-Za-z0-9_-]{8}) .* ending /.exec(line);
      const id = m && wanted.get(m[1]);
      if (id && !seen.has(id)) seen.set(id, now);
    }
  });
  await until('the TUI to draw', () => screen.includes('db live'), 60_000);
  await new Promise((r) => setTimeout(r, 1000));
  const pid = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/)[0]);
  const cpu0 = cpuSeconds(pid);
  const frames0 = frames;
  const { committed, seconds } = await drive(repo, ids, 'end');
  await until('the last frames', () => seen.size >= committed.size, 5000).catch(() => {});
  const cpu = cpuSeconds(pid) - cpu0;
  const drawn = frames - frames0;
  child.stdin.write('q');
  await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null) child.kill('SIGTERM');
  children.delete(child);
  return { ...summarize('TUI frame (watch in a pty)', committed, seen, cpu, seconds), frames: drawn, cpuPerFrameMs: (cpu * 1000) / Math.max(1, drawn) };
}

let sql;
try {
  process.stderr.write(`creating ${int(LIVE)} interviews and moving them to used…\n`);
  const csv = join(home, 'bench.csv');
  writeFileSync(csv, `name,ref\n${Array.from({ length: LIVE }, (_, i) => `Bench Candidate ${i + 1},BENCH-${i + 1}`).join('\n')}\n`);
  await mustRun(['create', '--from', csv, '--json', '--duration', '1h'], { env, cwd: home });
  sql = postgres({ ...embeddedConnection(embeddedPaths(home)), max: 4, onnotice: () => {}, transform: columnCase });
  await sql`
    with moved as (
      update interviews set status = 'used', used_at = now(), updated_at = now() where status = 'created' returning id
    )
    insert into interview_events (interview_id, from_status, to_status, actor, reason)
    select id, 'created', 'used', 'bench', 'first join' from moved`;
  const ids = (await sql`select id from interviews where status = 'used' order by ref`).map((r) => r.id).slice(0, CHANGES);
  const repo = createInterviewRepo(sql);

  process.stderr.write(`NDJSON: ${int(CHANGES)} changes at ${RATE}/s…\n`);
  const a = await benchNdjson(repo, ids);
  let b;
  if (spawnSync('script', ['--version']).status === 0) {
    process.stderr.write(`TUI: ${int(CHANGES)} changes at ${RATE}/s…\n`);
    b = await benchTui(repo, ids);
  } else process.stderr.write('util-linux `script` is not installed: the TUI measurement is skipped\n');

  const ms = (n) => (Number.isNaN(n) ? '-' : `${fixed(n, 0)} ms`);
  const rows = [['watcher', 'changes', 'rate/s', 'p50', 'p95', 'p99', 'max', 'missed', 'CPU % of a core']];
  for (const r of [a, b].filter(Boolean)) rows.push([r.label, int(r.changes), fixed(r.rate, 1), ms(r.p50), ms(r.p95), ms(r.p99), ms(r.max), int(r.missed), fixed(r.cpu, 1)]);
  process.stdout.write(`\nwatch: ${int(LIVE)} interviews live, ${RATE} changes/s for ${SECONDS} s (commit → shown)\n\n${table(rows)}\n\n`);
  for (const r of [a, b].filter(Boolean)) {
    const ok = r.p99 <= TARGET_P99_MS && r.cpu <= TARGET_CPU && r.missed === 0;
    process.stdout.write(`${r.label}: p99 ${ms(r.p99)} (target ≤ ${TARGET_P99_MS} ms), CPU ${fixed(r.cpu, 1)} % (target ≤ ${TARGET_CPU} %), missed ${r.missed} → ${ok ? 'meets the targets' : 'MISSES a target'}\n`);
  }
  if (b) {
    process.stdout.write(`TUI: ${b.frames} frames drawn (${fixed(b.frames / SECONDS, 1)}/s), ${fixed(b.cpuPerFrameMs, 1)} ms of the watcher's CPU per frame (feed included)\n`);
    // The NDJSON watcher runs the same feed (without the TUI's 40 ms coalescing), so the
    // difference is roughly what drawing costs: an estimate, not a measurement.
    if (a) process.stdout.write(`TUI: ≈ ${fixed(((b.cpu - a.cpu) * 10) / Math.max(1, b.frames / SECONDS), 1)} ms per frame beyond the feed (TUI CPU − NDJSON CPU, per frame)\n`);
  }
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  process.stdout.write(`(load average during the run: ${load}; other work on the machine inflates both figures)\n`);
} finally {
  for (const c of children) c.kill('SIGKILL');
  await sql?.end({ timeout: 1 });
  cleanup(target);
}
