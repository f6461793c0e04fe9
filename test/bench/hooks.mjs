#!/usr/bin/env node
// bench:hooks — issue 11, item 6. A fresh embedded database, `interviewctl serve` (its outbound
// webhook sender), and three local receivers on loopback subscribed to interview.started and
// interview.failed. Interviews are created and joined beforehand; then this process commits state
// changes (recorder started → interview.started, then fail → interview.failed; two per
// interview), 16 at a time, each reported to all three endpoints. First half as many changes are
// committed before serve runs (a backlog: how fast the sender drains it), then the rest while it
// runs (live: latency from each change's commit to its receipt at each endpoint, p50 and p99).
// Both phases give the CPU serve and Postgres spent per delivery. Postgres's figure is
// also given net of the changes themselves: the same changes with no endpoint are timed first,
// in the same run. Checked: every delivery arrived once, and each interview's two events in order
// at every endpoint; every 10th delivery's signature is verified with the standardwebhooks package.
// Targets: ≥ 1,000 deliveries/s, p99 ≤ 1 s. A measurement: exits 0 whichever way the figures go,
// 1 only when the run itself breaks. Bounded: --changes (default 10,000) and --timeout seconds.
//
//   npm run bench:hooks [-- --changes 10000 --timeout 120]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import postgres from 'postgres';
import { Webhook } from 'standardwebhooks';
import { cleanup, cleanupOnSignal, fixed, freshHome, int, mustRun, numberOption, postgresCpuClock, requireBuild, ROOT, BIN, table } from './lib.mjs';
import { cpuMeter, percentile } from './live.mjs';

requireBuild();
const { embeddedConnection, embeddedPaths } = await import(join(ROOT, 'dist/cli/adapters/db/embedded.js'));
const { columnCase } = await import(join(ROOT, 'dist/cli/adapters/db/sql.js'));
const { createInterviewRepo } = await import(join(ROOT, 'dist/cli/adapters/db/interviews.js'));
const { newInterviewId } = await import(join(ROOT, 'dist/cli/core/ids.js'));

const CHANGES = numberOption('changes', 10_000) & ~1;
const TIMEOUT_S = numberOption('timeout', 120);
const ENDPOINTS = 3;
const CONCURRENCY = 16;
const TARGET_RATE = 1000;
const TARGET_P99_MS = 1000;
const INTERVIEWS = CHANGES / 2;
const BASELINE = Math.max(200, Math.floor(CHANGES / 5)) & ~1;
const BACKLOG = Math.max(200, Math.floor(CHANGES / 2)) & ~1;

const target = freshHome('bench-hooks');
cleanupOnSignal(target);
const { home, env } = target;
const say = (s) => process.stderr.write(`${s}\n`);
let serve;
let sql;
const receivers = [];

/** A receiver: answers 204 at once, keeps (interview, type) → receipt time; verifies a sample. */
async function startReceiver(index) {
  const got = new Map();
  let count = 0;
  let badSignatures = 0;
  let wh;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now() + performance.timeOrigin;
      const raw = Buffer.concat(chunks).toString('utf8');
      res.writeHead(204).end();
      count++;
      if (count % 10 === 0) {
        try {
          wh.verify(raw, req.headers);
        } catch {
          badSignatures++;
        }
      }
      const body = JSON.parse(raw);
      const key = `${body.data.interview_id} ${body.type}`;
      const seen = got.get(key);
      got.set(key, seen ? { ...seen, dup: seen.dup + 1 } : { at, dup: 0, order: count });
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    index,
    url: `http://127.0.0.1:${server.address().port}/hooks/${index}`,
    got,
    count: () => count,
    badSignatures: () => badSignatures,
    setSecret: (s) => (wh = new Webhook(s)),
    close: () => new Promise((r) => (server.closeAllConnections(), server.close(r))),
  };
}

function startServe() {
  return new Promise((resolve, reject) => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--host', '127.0.0.1'], { env, cwd: home, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d) => {
      if (stderr.length < 200_000) stderr += d;
      if (stderr.includes('"msg":"serving"')) resolve({ child, stderr: () => stderr });
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}:\n${stderr}`)));
  });
}

/** Commits `n` changes (two per interview of `ids`), CONCURRENCY at a time; returns commit times. */
async function runChanges(repo, ids) {
  const committed = new Map();
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      await repo.applyEvent(id, 'recorder_started', { actor: 'agent', reason: 'bench' });
      committed.set(`${id} interview.started`, performance.now() + performance.timeOrigin);
      await repo.applyEvent(id, 'fail', { actor: 'agent', reason: 'bench', patch: { error: 'bench' } });
      committed.set(`${id} interview.failed`, performance.now() + performance.timeOrigin);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return committed;
}

/** Inserts `n` interviews and moves them to `used` (no webhook: nothing subscribes to these). */
async function prepare(repo, n, prefix) {
  const ids = [];
  const now = new Date();
  for (let i = 0; i < n; i += 2000) {
    const rows = Array.from({ length: Math.min(2000, n - i) }, (_, k) => ({
      id: newInterviewId(), candidateName: `Bench ${prefix}${i + k}`, candidateEmail: null, ref: `${prefix}-${i + k}`, lang: 'en',
      durationMs: 1_200_000, questionSet: 'default', questions: [{ text: 'q' }], createdAt: now, expiresAt: new Date(now.getTime() + 86_400_000),
    }));
    await repo.insertMany(rows);
    ids.push(...rows.map((r) => r.id));
  }
  await sql`update interviews set status = 'used', used_at = now() where id = any(${ids})`;
  return ids;
}

try {
  say(`bench:hooks — ${int(BACKLOG)} changes as a backlog, then ${int(CHANGES)} live, to ${ENDPOINTS} endpoints; on a shared machine read the CPU figures before the wall-clock ones`);
  await mustRun(['db', 'migrate'], { env, cwd: home });
  sql = postgres({ ...embeddedConnection(embeddedPaths(home)), max: CONCURRENCY + 2, onnotice: () => {}, transform: columnCase });
  const repo = createInterviewRepo(sql);
  const pgCpu = postgresCpuClock(join(home, 'postgres', 'data'));

  // Baseline: the same kind of changes with no endpoint (the outbox writes nothing then).
  const baseIds = await prepare(repo, BASELINE / 2, 'BASE');
  let pg0 = pgCpu();
  let t0 = performance.now();
  await runChanges(repo, baseIds);
  const baseline = { pgMsPerChange: (pgCpu() - pg0) / BASELINE, changesPerS: BASELINE / ((performance.now() - t0) / 1000) };
  say(`baseline: ${int(BASELINE)} changes without endpoints, ${int(baseline.changesPerS)}/s, Postgres ${fixed(baseline.pgMsPerChange, 3)} ms CPU per change`);

  for (let i = 0; i < ENDPOINTS; i++) {
    const rx = await startReceiver(i);
    await mustRun(['hooks', 'add', rx.url, '--allow-private', '--events', 'interview.started,interview.failed', '--json', '-q'], { env, cwd: home, stdoutFile: join(home, `ep${i}.json`) });
    rx.setSecret(JSON.parse(readFileSync(join(home, `ep${i}.json`), 'utf8')).secret);
    receivers.push(rx);
  }
  // Backlog: changes committed while no sender runs, then serve started: how fast it drains.
  const backlogIds = await prepare(repo, BACKLOG / 2, 'BACKLOG');
  const backlogCommitted = await runChanges(repo, backlogIds);
  const total = () => receivers.reduce((n, r) => n + r.got.size, 0);
  const ids = await prepare(repo, INTERVIEWS, 'RUN');
  // The sender starts with serve; timed from serve's first log line, so start-up is left out.
  serve = await startServe();
  let pgBefore = pgCpu();
  const drainStart = performance.now();
  let serveCpu = cpuMeter(() => [serve.child.pid]);
  const deadline = Date.now() + TIMEOUT_S * 1000;
  while (total() < BACKLOG * ENDPOINTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const drain = { s: (performance.now() - drainStart) / 1000, serveMs: serveCpu().total, pgMs: pgCpu() - pgBefore, n: total() };
  say(`backlog: ${int(drain.n)} deliveries drained in ${fixed(drain.s, 1)} s`);

  // Live: changes committed while serve sends.
  serveCpu = cpuMeter(() => [serve.child.pid]);
  pgBefore = pgCpu();
  t0 = performance.now() + performance.timeOrigin;
  const committed = await runChanges(repo, ids);
  const commitWallS = (performance.now() + performance.timeOrigin - t0) / 1000;
  while (total() < (CHANGES + BACKLOG) * ENDPOINTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const serveMs = serveCpu().total;
  const pgMs = pgCpu() - pgBefore;

  const lat = [];
  let missing = 0;
  let dups = 0;
  let outOfOrder = 0;
  let lastAt = 0;
  for (const rx of receivers) {
    for (const [key, at] of committed) {
      const r = rx.got.get(key);
      if (!r) {
        missing++;
        continue;
      }
      lat.push(Math.max(0, r.at - at));
      lastAt = Math.max(lastAt, r.at);
    }
    for (const [key] of backlogCommitted) if (!rx.got.has(key)) missing++;
    for (const r of rx.got.values()) dups += r.dup;
    for (const id of [...ids, ...backlogIds]) {
      const s = rx.got.get(`${id} interview.started`);
      const f = rx.got.get(`${id} interview.failed`);
      if (s && f && s.order > f.order) outOfOrder++;
    }
  }
  lat.sort((a, b) => a - b);
  const delivered = lat.length;
  const wallS = (lastAt - t0) / 1000;
  const rate = delivered / wallS;
  const drainRate = drain.n / drain.s;
  const p99 = percentile(lat, 99);
  const rows = [
    ['figure', 'value', 'target'],
    ['deliveries (backlog + live)', `${int(drain.n + delivered)} of ${int((BACKLOG + CHANGES) * ENDPOINTS)}`, 'all'],
    ['duplicates · out of order', `${dups} · ${outOfOrder}`, '0 · 0'],
    ['bad signatures (every 10th checked)', String(receivers.reduce((n, r) => n + r.badSignatures(), 0)), '0'],
    ['backlog drained: deliveries/s', int(drainRate), `≥ ${int(TARGET_RATE)}`],
    ['backlog: serve · Postgres CPU per delivery', `${fixed(drain.serveMs / drain.n, 3)} · ${fixed(drain.pgMs / drain.n, 3)} ms`, ''],
    ['live: changes committed/s', int(CHANGES / commitWallS), ''],
    ['live: deliveries/s (first commit → last receipt)', int(rate), ''],
    ['live: commit → receipt p50', `${fixed(percentile(lat, 50), 1)} ms`, ''],
    ['live: commit → receipt p99', `${fixed(p99, 1)} ms`, `≤ ${int(TARGET_P99_MS)} ms`],
    ['live: serve CPU per delivery', `${fixed(serveMs / delivered, 3)} ms`, ''],
    ['live: Postgres CPU per delivery (all)', `${fixed(pgMs / delivered, 3)} ms`, ''],
    ['live: Postgres CPU per delivery (net of the changes)', `${fixed((pgMs - baseline.pgMsPerChange * CHANGES) / delivered, 3)} ms`, ''],
  ];
  process.stdout.write(`${table(rows)}\n`);
  process.stdout.write(`${drainRate >= TARGET_RATE && p99 <= TARGET_P99_MS && missing === 0 && dups === 0 && outOfOrder === 0 ? 'targets met' : 'targets NOT met'}\n`);
} catch (err) {
  process.stderr.write(`bench:hooks failed: ${err.stack ?? err}\n${serve?.stderr().slice(-2000) ?? ''}\n`);
  process.exitCode = 1;
} finally {
  if (serve) {
    serve.child.removeAllListeners('exit');
    await new Promise((r) => (serve.child.once('exit', r), serve.child.kill('SIGTERM')));
  }
  for (const rx of receivers) await rx.close();
  await sql?.end({ timeout: 1 });
  cleanup(target);
}
