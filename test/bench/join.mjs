#!/usr/bin/env node
// bench:join — issue 3, item 7. Inside a private network namespace (loopback only): a fresh
// embedded database, a real livekit-server and `interviewctl serve`. Then
//   1. 1,000 joins on 1,000 distinct interviews, 200 in flight (keep-alive HTTP client);
//   2. 200 simultaneous joins on one link: exactly one 200, the rest 409, no errors;
//   3. the LiveKit room + agent dispatch round-trip alone: from serve's /metrics histograms
//      (interviewctl_join_livekit_seconds, interviewctl_join_own_seconds, scraped before and after
//      each phase), and timed directly (createRoom + createDispatch) against the same livekit-server;
//   4. rate limiting on a second serve with JOIN_RATE_LIMIT=20/1m: the 21st join from one address is 429.
// Also a lightly loaded pass (10 in flight) and the CPU serve, Postgres, livekit-server and this
// client spend per join. Prints p50/p99 latency (with and without the dispatch round-trip), joins/s,
// and next to each p99 the floor that throughput alone sets (Little's law: in flight ÷ joins/s is
// the mean time a join spends in the system), so a reader sees whether the target is reachable on
// this machine at all. PASS/FAIL per invariant and target (join p99 ≤ 50 ms excluding the dispatch
// round-trip; the share of joins within it is exact, the bucket bound being 50 ms, the p50/p99 of
// serve's histograms are interpolated inside their buckets). A measurement: it exits 0 whichever way the
// figures go, 1 only when the run breaks.
//
//   npm run bench:join [-- --joins 1000 --inflight 200 --shared 200 --light 1000 --light-inflight 10 --warmup 1000 --dump FILE]
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { counts, cpuMeter, createClient, createRun, idsByRef, int, inviteCsv, ms, numberOption, percentile, reexecInNamespace, ROOT, say, sleep, table } from './live.mjs';
import { histogramBetween, mean as histMean, quantile, scrape, shareAtMost } from './prom.mjs';
import { joinBody } from '../stack/disclosure.mjs';

reexecInNamespace(fileURLToPath(import.meta.url));

const JOINS = numberOption('joins', 1000);
const INFLIGHT = numberOption('inflight', 200);
const SHARED = numberOption('shared', 200);
const DIRECT = numberOption('direct', 200);
// A second, lightly loaded pass: what one join costs when it does not queue behind 199 others.
const LIGHT = numberOption('light', 1000);
const LIGHT_INFLIGHT = numberOption('light-inflight', 10);
// Joins on links of their own before anything is measured: a serve that has run for a while has
// its hot paths compiled (on a fresh one V8's optimising compiler took a third of serve's CPU in phase
// 1; after 400 warm-up joins still 30 %, after 2,000 about 12 %).
const WARMUP = numberOption('warmup', 1000);
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
const RATE_LIMIT = 20;
const TARGET_P99_MS = 50;
const LK_PORT = 7880;
const SERVE_PORT = 8080;
const LIMITED_PORT = 8090;

const JSON_HEADERS = { 'content-type': 'application/json' };
const CONSENT = JSON.stringify(joinBody());

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

/** Waits (at most 15 s) until `pids` together use under 5 % of a core over 300 ms. */
async function quiet(pids) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const done = cpuMeter(() => pids);
    await sleep(300);
    if (done().total < 15) return;
  }
}

/** CPU per join of serve, Postgres, livekit-server and this process, between now and `done(joins)`. */
function meterCpu(serve, run, lk) {
  const meters = { serve: cpuMeter(() => [serve.pid]), postgres: cpuMeter(run.postgresPids), livekit: cpuMeter(() => [lk.pid]) };
  const self = process.cpuUsage();
  const machine = machineBusyMs();
  return (joins) => {
    const n = Math.max(1, joins);
    const out = Object.fromEntries(Object.entries(meters).map(([k, done]) => [k, done().total / n]));
    const c = process.cpuUsage(self);
    out.client = (c.user + c.system) / 1000 / n;
    // Whatever else ran on the machine meanwhile (other processes, interrupts): a noise gauge.
    out.elsewhere = Math.max(0, (machineBusyMs() - machine) / n - out.serve - out.postgres - out.livekit - out.client);
    return out;
  };
}

/** CPU milliseconds the whole machine has been busy (all cores), from /proc/stat. */
function machineBusyMs() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f;
  return ((user + nice + system + irq + softirq + steal) * 1000) / CLK_TCK;
}

const run = createRun('bench-join');
let client;
let limitedClient;
try {
  const started = Date.now();
  const total = JOINS + 1 + RATE_LIMIT + 1 + LIGHT + WARMUP;
  const csv = join(run.home, 'invites.csv');
  writeFileSync(csv, inviteCsv(total, 'JOIN'));
  say(`bench:join: creating ${int(total)} interviews in ${run.home} (embedded database, first start)`);
  const created = idsByRef((await run.cli(['create', '--from', csv, '--json'])).stdout);
  const ref = (i) => `JOIN-${String(i).padStart(5, '0')}`;
  const distinct = Array.from({ length: JOINS }, (_, i) => created.get(ref(i + 1)));
  const shared = created.get(ref(JOINS + 1));
  const limited = Array.from({ length: RATE_LIMIT + 1 }, (_, i) => created.get(ref(JOINS + 2 + i)));
  const light = Array.from({ length: LIGHT }, (_, i) => created.get(ref(JOINS + RATE_LIMIT + 3 + i)));
  const warm = Array.from({ length: WARMUP }, (_, i) => created.get(ref(JOINS + RATE_LIMIT + LIGHT + 3 + i)));
  if ([...distinct, shared, ...limited, ...light, ...warm].some((id) => !id)) throw new Error(`create returned ${created.size} ids for ${total} rows`);

  say('starting livekit-server and serve (loopback only)');
  const lk = await run.startLiveKit({ port: LK_PORT, webhookUrl: `http://127.0.0.1:${SERVE_PORT}/webhooks/livekit` });
  const serve = await run.startServe({ port: SERVE_PORT, livekitPort: LK_PORT, extraEnv: { JOIN_RATE_LIMIT: 'off' } });
  client = createClient(SERVE_PORT, { sockets: Math.max(INFLIGHT, SHARED) });

  // Warm-up: status reads open the pool's connections and the sockets; joins on links of their own
  // get serve's hot paths compiled. Then wait until the webhooks they caused have been taken in.
  await Promise.all(distinct.slice(0, 50).map((id) => fetch(`http://127.0.0.1:${SERVE_PORT}/api/interviews/${id}`).then((r) => r.text())));
  say(`warm-up: ${int(WARMUP)} joins on links of their own`);
  const warmup = await joinAll(client, warm, INFLIGHT, 120_000);
  if (warmup.results.some((r) => r.status !== 200)) throw new Error(`warm-up joins failed: ${counts(warmup.results.map((r) => r.status))}`);
  await quiet([serve.pid, lk.pid, ...run.postgresPids()]);

  // 1. Distinct links.
  say(`1. ${int(JOINS)} joins on distinct links, ${INFLIGHT} in flight`);
  const metricsUrl = `http://127.0.0.1:${SERVE_PORT}/metrics`;
  const m1 = await scrape(metricsUrl);
  const cpu1 = meterCpu(serve, run, lk);
  const phase1 = await joinAll(client, distinct, INFLIGHT, 180_000);
  const cpuPerJoin = cpu1(phase1.results.length);
  const m1end = await scrape(metricsUrl);
  const loadDuring = loadavg()[0];

  // 2. One link, all at once.
  say(`2. ${SHARED} simultaneous joins on one link`);
  const phase2 = await Promise.all(Array.from({ length: SHARED }, () => client.post(`/api/interviews/${shared}/join`, CONSENT, JSON_HEADERS)));

  // 2b. Distinct links again, lightly loaded, once the webhooks of 1 and 2 are in.
  await quiet([serve.pid, lk.pid, ...run.postgresPids()]);
  say(`   ${int(LIGHT)} joins on distinct links, ${LIGHT_INFLIGHT} in flight`);
  const mL = await scrape(metricsUrl);
  const cpuL = meterCpu(serve, run, lk);
  const phaseLight = await joinAll(client, light, LIGHT_INFLIGHT, 120_000);
  const cpuPerLightJoin = cpuL(phaseLight.results.length);
  const mLend = await scrape(metricsUrl);

  // 3a. serve's own measure of the LiveKit round-trip, from its histograms over each phase.
  const serveSide = (from, to) => ({
    livekit: histogramBetween(from, to, 'interviewctl_join_livekit_seconds'),
    own: histogramBetween(from, to, 'interviewctl_join_own_seconds'),
    batch: histogramBetween(from, to, 'interviewctl_join_batch_size'),
  });
  const h1 = serveSide(m1, m1end);
  const hL = serveSide(mL, mLend);
  const ok1 = phase1.results.filter((r) => r.status === 200);
  const totalMs = ok1.map((r) => r.ms);
  const sharedWinner = phase2.find((r) => r.status === 200);
  const okLight = phaseLight.results.filter((r) => r.status === 200);
  // --dump FILE: every join with its client-side time, for a closer look at the slow ones.
  const dumpAt = process.argv.indexOf('--dump');
  if (dumpAt !== -1) {
    const row = (phase) => (r) => ({ phase, id: r.id, status: r.status, ms: r.ms });
    writeFileSync(process.argv[dumpAt + 1], JSON.stringify([...phase1.results.map(row('distinct')), ...phaseLight.results.map(row('light'))]));
  }

  // 3b. The same round-trip timed directly against the same livekit-server, one at a time.
  say(`3. ${DIRECT} direct createRoom + createDispatch round-trips (serve's LiveKit adapter)`);
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
  direct.close?.(); // (older adapters kept no connections)

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
  const mean = (values) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const errors1 = phase1.results.filter((r) => r.status === 0 || r.status >= 500);
  const errors2 = phase2.filter((r) => r.status === 0 || r.status >= 500);
  const loser409 = phase2.filter((r) => r.status === 409).length;
  const secondsToMs = (h, q) => quantile(h, q) * 1000;
  const exclP99 = secondsToMs(h1.own, 0.99);
  const withinTarget1 = shareAtMost(h1.own, TARGET_P99_MS / 1000);
  const withinTargetL = shareAtMost(hL.own, TARGET_P99_MS / 1000);
  const rate1 = (phase1.results.length * 1000) / phase1.wallMs;
  const rateLight = (phaseLight.results.length * 1000) / phaseLight.wallMs;
  // Little's law: with N joins always in flight, the mean time in the system is N ÷ throughput.
  const floor1 = (INFLIGHT / rate1) * 1000;
  const floorLight = (LIGHT_INFLIGHT / rateLight) * 1000;
  const cpuTotal = (c) => c.serve + c.postgres + c.livekit + c.client;
  // A necessary condition only (p99 ≥ mean): the rate at which the mean time in the system, with
  // LiveKit answering as fast as it does unloaded, would be the target.
  const needRate = (INFLIGHT * 1000) / (TARGET_P99_MS + p(directMs, 50));
  // Joins/s the machine could do if every core did nothing but joins, from the CPU each one costs.
  const cpuBound = (c) => (cpus().length * 1000) / cpuTotal(c);
  const checks = [
    [`distinct links: ${int(JOINS)} × 200, no errors`, ok1.length === JOINS && phase1.results.length === JOINS && errors1.length === 0],
    ['distinct links: serve measured every 200 (interviewctl_join_own_seconds count)', h1.own.count === ok1.length],
    [`shared link: exactly one 200`, phase2.filter((r) => r.status === 200).length === 1],
    [`shared link: the other ${SHARED - 1} are 409 already_used`, loser409 === SHARED - 1 && phase2.filter((r) => r.status === 409).every((r) => r.text.includes('already_used'))],
    ['shared link: zero errors', errors2.length === 0],
    [`rate limit: joins 1-${RATE_LIMIT} answered 200`, limitedResults.slice(0, RATE_LIMIT).every((r) => r.status === 200)],
    [`rate limit: join ${RATE_LIMIT + 1} answered 429 rate_limited with retry-after`, last.status === 429 && last.text.includes('rate_limited') && Number(last.headers['retry-after']) > 0],
    [`light pass: ${int(LIGHT)} × 200, no errors`, okLight.length === LIGHT],
    [`target: join p99 ≤ ${TARGET_P99_MS} ms excluding the dispatch round-trip, ${INFLIGHT} in flight (${(withinTarget1 * 100).toFixed(1)} % within; p99 ≈ ${ms(exclP99)})`, withinTarget1 >= 0.99],
    [`  the same at ${LIGHT_INFLIGHT} in flight (${(withinTargetL * 100).toFixed(1)} % within; p99 ≈ ${ms(secondsToMs(hL.own, 0.99))})`, withinTargetL >= 0.99],
  ];
  const row = (label, values, floor) => [label, int(values.length), ms(p(values, 50)), ms(p(values, 99)), ms(Math.max(...values)), floor === undefined ? '' : ms(floor)];
  // serve's histograms: p50/p99 interpolated in their buckets, no max.
  const hrow = (label, h, floor) => [label, int(h.count), `≈${ms(secondsToMs(h, 0.5))}`, `≈${ms(secondsToMs(h, 0.99))}`, '', floor === undefined ? '' : ms(floor)];
  const cpuLine = (c) =>
    `serve ${c.serve.toFixed(2)} ms, postgres ${c.postgres.toFixed(2)} ms, livekit-server ${c.livekit.toFixed(2)} ms, bench client ${c.client.toFixed(2)} ms = ${cpuTotal(c).toFixed(2)} ms → at most ${int(cpuBound(c))} joins/s on ${cpus().length} cores` +
    ` (anything else on the machine meanwhile: ${c.elsewhere.toFixed(2)} ms per join)`;
  process.stdout.write(
    `\nbench:join — serve + livekit-server + embedded Postgres, loopback in a private network namespace\n\n` +
      table([
        ['', 'n', 'p50', 'p99', 'max', 'in flight ÷ joins/s'],
        row(`join, distinct links (${INFLIGHT} in flight)`, totalMs, floor1),
        hrow('  LiveKit calls the join waited on (serve)', h1.livekit),
        hrow('  join in serve excluding the LiveKit wait', h1.own, floor1 - histMean(h1.livekit) * 1000),
        row(`join, one link × ${SHARED} at once`, phase2.map((r) => r.ms)),
        row('  the 409s only', phase2.filter((r) => r.status === 409).map((r) => r.ms)),
        row(`join, distinct links (${LIGHT_INFLIGHT} in flight)`, phaseLight.results.map((r) => r.ms), floorLight),
        hrow('  LiveKit calls the join waited on (serve)', hL.livekit),
        hrow('  join in serve excluding the LiveKit wait', hL.own, floorLight - histMean(hL.livekit) * 1000),
        row('createRoom + createDispatch, direct, 1 at a time', directMs),
      ]) +
      `\n\n(in flight ÷ joins/s: the mean time in the system that throughput alone forces, Little's law; a p99 below it is impossible at that rate)\n` +
      `distinct links, ${INFLIGHT} in flight: ${int(phase1.results.length)} joins in ${(phase1.wallMs / 1000).toFixed(2)} s = ${int(rate1)} joins/s; outcomes ${counts(phase1.results.map((r) => r.status))}\n` +
      `  CPU per join: ${cpuLine(cpuPerJoin)}\n` +
      `  joins claimed together (one transaction, interviewctl_join_batch_size): mean batch ${histMean(h1.batch).toFixed(1)}, at ${LIGHT_INFLIGHT} in flight ${histMean(hL.batch).toFixed(1)}\n` +
      `  p99 ≤ ${TARGET_P99_MS} ms at ${INFLIGHT} in flight needs a mean time in the system under ${TARGET_P99_MS} ms plus the LiveKit round-trip ` +
      `(unloaded, direct p50 ${ms(p(directMs, 50))}), so ≥ ${int(needRate)} joins/s, so ≤ ${(cpus().length * 1000 / needRate).toFixed(2)} ms of CPU per join ` +
      `on ${cpus().length} cores; measured ${cpuTotal(cpuPerJoin).toFixed(2)} ms (livekit-server and the client alone ${(cpuPerJoin.livekit + cpuPerJoin.client).toFixed(2)} ms)\n` +
      `distinct links, ${LIGHT_INFLIGHT} in flight: ${int(rateLight)} joins/s; CPU per join: ${cpuLine(cpuPerLightJoin)}\n` +
      `${cpus().length} cores, load average ${loadDuring.toFixed(1)} after phase 1\n` +
      `CPU of the client side of one createRoom + createDispatch (serve's adapter, this process): ${directCpuMs.toFixed(2)} ms\n` +
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
