#!/usr/bin/env node
// bench:join — issue 3, item 7. Inside a private network namespace (loopback only): a fresh
// embedded database, a real livekit-server and `interviewctl serve`. Then
//   1. 1,000 joins on 1,000 distinct interviews, 200 in flight (keep-alive HTTP client);
//   2. 200 simultaneous joins on one link: exactly one 200, the rest 409, no errors;
//   3. the LiveKit room + agent dispatch round-trip alone: from serve's `dispatch_ms` log field per
//      join, and timed directly (createRoom + createDispatch) against the same livekit-server;
//   4. rate limiting on a second serve with JOIN_RATE_LIMIT=20/1m: the 21st join from one address is 429.
// Also a lightly loaded pass (10 in flight) and the CPU serve, Postgres and livekit-server spend per join.
// Prints p50/p99 latency (with and without the dispatch round-trip) and PASS/FAIL per invariant and
// target (join p99 ≤ 50 ms excluding the dispatch round-trip). A measurement: it exits 0 whichever
// way the figures go, 1 only when the run itself breaks.
//
//   npm run bench:join [-- --joins 1000 --inflight 200 --shared 200]
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { counts, cpuMeter, createClient, createRun, idsByRef, int, inviteCsv, ms, numberOption, percentile, readJsonLog, reexecInNamespace, ROOT, say, sleep, table } from './live.mjs';

reexecInNamespace(fileURLToPath(import.meta.url));

const JOINS = numberOption('joins', 1000);
const INFLIGHT = numberOption('inflight', 200);
const SHARED = numberOption('shared', 200);
const DIRECT = numberOption('direct', 200);
// A second, lightly loaded pass: what one join costs when it does not queue behind 199 others.
const LIGHT = numberOption('light', 200);
const LIGHT_INFLIGHT = numberOption('light-inflight', 10);
const RATE_LIMIT = 20;
const TARGET_P99_MS = 50;
const LK_PORT = 7880;
const SERVE_PORT = 8080;
const LIMITED_PORT = 8090;

const JSON_HEADERS = { 'content-type': 'application/json' };
const CONSENT = JSON.stringify({ consent: true });

/** Sends `ids.length` joins, `inflight` at a time; bounded by a deadline. */
async function joinAll(client, ids, inflight, deadlineMs) {
  const results = new Array(ids.length);
  let next = 0;
  const deadline = Date.now() + deadlineMs;
  const worker = async () => {
    while (next < ids.length && Date.now() < deadline) {
      const i = next++;
      const r = await client.post(`/api/interviews/${ids[i]}/join`, CONSENT, JSON_HEADERS);
      results[i] = { id: ids[i], ...r };
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(inflight, ids.length) }, worker));
  return { results: results.filter(Boolean), wallMs: performance.now() - started };
}

const run = createRun('bench-join');
let client;
let limitedClient;
try {
  const started = Date.now();
  const total = JOINS + 1 + RATE_LIMIT + 1 + LIGHT;
  const csv = join(run.home, 'invites.csv');
  writeFileSync(csv, inviteCsv(total, 'JOIN'));
  say(`bench:join: creating ${int(total)} interviews in ${run.home} (embedded database, first start)`);
  const created = idsByRef((await run.cli(['create', '--from', csv, '--json'])).stdout);
  const ref = (i) => `JOIN-${String(i).padStart(5, '0')}`;
  const distinct = Array.from({ length: JOINS }, (_, i) => created.get(ref(i + 1)));
  const shared = created.get(ref(JOINS + 1));
  const limited = Array.from({ length: RATE_LIMIT + 1 }, (_, i) => created.get(ref(JOINS + 2 + i)));
  const light = Array.from({ length: LIGHT }, (_, i) => created.get(ref(JOINS + RATE_LIMIT + 3 + i)));
  if ([...distinct, shared, ...limited, ...light].some((id) => !id)) throw new Error(`create returned ${created.size} ids for ${total} rows`);

  say('starting livekit-server and serve (loopback only)');
  const lk = await run.startLiveKit({ port: LK_PORT, webhookUrl: `http://127.0.0.1:${SERVE_PORT}/webhooks/livekit` });
  const serve = await run.startServe({ port: SERVE_PORT, livekitPort: LK_PORT, extraEnv: { JOIN_RATE_LIMIT: 'off' } });
  client = createClient(SERVE_PORT, { sockets: Math.max(INFLIGHT, SHARED) });

  // Warm-up that changes nothing: status reads open the pool's connections and the sockets.
  await Promise.all(distinct.slice(0, 50).map((id) => fetch(`http://127.0.0.1:${SERVE_PORT}/api/interviews/${id}`).then((r) => r.text())));

  // 1. Distinct links.
  say(`1. ${int(JOINS)} joins on distinct links, ${INFLIGHT} in flight`);
  const cpu1 = { serve: cpuMeter(() => [serve.pid]), postgres: cpuMeter(run.postgresPids), livekit: cpuMeter(() => [lk.pid]) };
  const phase1 = await joinAll(client, distinct, INFLIGHT, 180_000);
  const cpuPerJoin = Object.fromEntries(Object.entries(cpu1).map(([k, done]) => [k, done().total / Math.max(1, phase1.results.length)]));
  const loadDuring = loadavg()[0];

  // 2. One link, all at once.
  say(`2. ${SHARED} simultaneous joins on one link`);
  const phase2 = await Promise.all(Array.from({ length: SHARED }, () => client.post(`/api/interviews/${shared}/join`, CONSENT, JSON_HEADERS)));

  // 2b. Distinct links again, lightly loaded.
  say(`   ${int(LIGHT)} joins on distinct links, ${LIGHT_INFLIGHT} in flight`);
  const phaseLight = await joinAll(client, light, LIGHT_INFLIGHT, 120_000);

  // 3a. serve's own measure of the LiveKit round-trip, per join.
  await sleep(300); // the log is written asynchronously
  const dispatchById = new Map();
  for (const line of readJsonLog(serve.logPath)) {
    if (line.msg === 'candidate joined' && typeof line.dispatch_ms === 'number') dispatchById.set(line.interview, line.dispatch_ms);
  }
  const ok1 = phase1.results.filter((r) => r.status === 200);
  const withDispatch = ok1.filter((r) => dispatchById.has(r.id));
  const totalMs = ok1.map((r) => r.ms);
  const dispatchMs = withDispatch.map((r) => dispatchById.get(r.id));
  const excludingMs = withDispatch.map((r) => r.ms - dispatchById.get(r.id));
  const sharedWinner = phase2.find((r) => r.status === 200);
  const okLight = phaseLight.results.filter((r) => r.status === 200 && dispatchById.has(r.id));
  const lightExcluding = okLight.map((r) => r.ms - dispatchById.get(r.id));

  // 3b. The same round-trip timed directly against the same livekit-server, one at a time.
  say(`3. ${DIRECT} direct createRoom + createDispatch round-trips`);
  const { createLiveKit } = await import(join(ROOT, 'dist/cli/adapters/livekit/client.js'));
  const direct = createLiveKit({ url: lk.url, apiKey: run.env.LIVEKIT_API_KEY, apiSecret: run.env.LIVEKIT_API_SECRET, agentName: 'interviewer', explicit: true });
  const directMs = [];
  const directCpu = process.cpuUsage();
  const directDeadline = Date.now() + 60_000;
  for (let i = 0; i < DIRECT && Date.now() < directDeadline; i++) {
    const t = performance.now();
    await direct.startSession(`bench-direct-${i}`, { bench: i }, { emptySeconds: 60, departureSeconds: 30 });
    directMs.push(performance.now() - t);
  }
  const directCpuUsed = process.cpuUsage(directCpu);
  const directCpuMs = (directCpuUsed.user + directCpuUsed.system) / 1000 / Math.max(1, directMs.length);

  // 4. Rate limiting, on its own serve with the default-style limit.
  say(`4. rate limit: ${RATE_LIMIT + 1} joins from one address with JOIN_RATE_LIMIT=${RATE_LIMIT}/1m`);
  const limitedServe = await run.startServe({ port: LIMITED_PORT, livekitPort: LK_PORT, extraEnv: { JOIN_RATE_LIMIT: `${RATE_LIMIT}/1m` }, name: 'serve-limited' });
  limitedClient = createClient(LIMITED_PORT, { sockets: 4 });
  const limitedResults = [];
  for (const id of limited) limitedResults.push(await limitedClient.post(`/api/interviews/${id}/join`, CONSENT, JSON_HEADERS));
  const last = limitedResults.at(-1);
  await limitedServe.stop();

  // Figures.
  const p = (values, q) => percentile(values, q);
  const errors1 = phase1.results.filter((r) => r.status === 0 || r.status >= 500);
  const errors2 = phase2.filter((r) => r.status === 0 || r.status >= 500);
  const loser409 = phase2.filter((r) => r.status === 409).length;
  const exclP99 = p(excludingMs, 99);
  const checks = [
    [`distinct links: ${int(JOINS)} × 200, no errors`, ok1.length === JOINS && phase1.results.length === JOINS && errors1.length === 0],
    ['distinct links: a dispatch_ms logged for every 200', withDispatch.length === ok1.length],
    [`shared link: exactly one 200`, phase2.filter((r) => r.status === 200).length === 1],
    [`shared link: the other ${SHARED - 1} are 409 already_used`, loser409 === SHARED - 1 && phase2.filter((r) => r.status === 409).every((r) => r.text.includes('already_used'))],
    ['shared link: zero errors', errors2.length === 0],
    [`rate limit: joins 1-${RATE_LIMIT} answered 200`, limitedResults.slice(0, RATE_LIMIT).every((r) => r.status === 200)],
    [`rate limit: join ${RATE_LIMIT + 1} answered 429 rate_limited with retry-after`, last.status === 429 && last.text.includes('rate_limited') && Number(last.headers['retry-after']) > 0],
    [`light pass: ${int(LIGHT)} × 200, no errors`, okLight.length === LIGHT],
    [`target: join p99 ≤ ${TARGET_P99_MS} ms excluding the dispatch round-trip, ${INFLIGHT} in flight (${ms(exclP99)})`, exclP99 <= TARGET_P99_MS],
    [`  the same at ${LIGHT_INFLIGHT} in flight (${ms(percentile(lightExcluding, 99))})`, percentile(lightExcluding, 99) <= TARGET_P99_MS],
  ];
  const row = (label, values) => [label, int(values.length), ms(p(values, 50)), ms(p(values, 99)), ms(Math.max(...values))];
  process.stdout.write(
    `\nbench:join — serve + livekit-server + embedded Postgres, loopback in a private network namespace\n\n` +
      table([
        ['', 'n', 'p50', 'p99', 'max'],
        row(`join, distinct links (${INFLIGHT} in flight)`, totalMs),
        row('  LiveKit room + dispatch (serve dispatch_ms)', dispatchMs),
        row('  join excluding that round-trip', excludingMs),
        row(`join, one link × ${SHARED} at once`, phase2.map((r) => r.ms)),
        row('  the 409s only', phase2.filter((r) => r.status === 409).map((r) => r.ms)),
        row(`join, distinct links (${LIGHT_INFLIGHT} in flight)`, phaseLight.results.map((r) => r.ms)),
        row('  LiveKit room + dispatch (serve dispatch_ms)', okLight.map((r) => dispatchById.get(r.id))),
        row('  join excluding that round-trip', lightExcluding),
        row('createRoom + createDispatch, direct, 1 at a time', directMs),
      ]) +
      `\n\ndistinct links: ${int(phase1.results.length)} joins in ${(phase1.wallMs / 1000).toFixed(2)} s = ${int((phase1.results.length * 1000) / phase1.wallMs)} joins/s; outcomes ${counts(phase1.results.map((r) => r.status))}\n` +
      `CPU per join (phase 1): serve ${cpuPerJoin.serve.toFixed(2)} ms, postgres ${cpuPerJoin.postgres.toFixed(2)} ms, livekit-server ${cpuPerJoin.livekit.toFixed(2)} ms; ` +
      `${cpus().length} cores, load average ${loadDuring.toFixed(1)} after phase 1\n` +
      `CPU of the client side of one createRoom + createDispatch (SDK, this process): ${directCpuMs.toFixed(2)} ms\n` +
      `shared link: outcomes ${counts(phase2.map((r) => r.status))}; the winner took ${ms(sharedWinner?.ms)}\n` +
      `rate limit: outcomes ${counts(limitedResults.map((r) => r.status))}; join ${RATE_LIMIT + 1}: ${last.status} retry-after=${last.headers['retry-after'] ?? '—'}\n\n` +
      checks.map(([label, pass]) => `${pass ? 'PASS' : 'FAIL'}  ${label}`).join('\n') +
      `\n\n(total run ${((Date.now() - started) / 1000).toFixed(0)} s; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})\n`,
  );
  if (errors1.length + errors2.length > 0) {
    say(`first errors: ${[...errors1, ...errors2].slice(0, 5).map((r) => `${r.status} ${r.text.slice(0, 200)}`).join(' | ')}`);
  }
} catch (err) {
  say(`bench:join failed: ${err?.stack ?? err}`);
  process.exitCode = 1;
} finally {
  client?.close();
  limitedClient?.close();
  await run.cleanup();
}
