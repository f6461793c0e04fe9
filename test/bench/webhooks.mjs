#!/usr/bin/env node
// bench:webhooks — issue 3, item 7. Inside a private network namespace (loopback only): a fresh
// embedded database, a real livekit-server and `interviewctl serve`, with interviews of which half
// have been joined (so `room_finished` ends them). Then LiveKit-shaped deliveries, signed as LiveKit
// signs them (HS256 JWT, issuer = API key, claim sha256 = base64(sha256(body))) and signed before
// each timed step, are sent open-loop at rising rates (a few seconds each), 20 % of them re-sends of
// earlier deliveries, after an uncounted warm-up. Prints, per rate, achieved events/s, latency and
// the CPU serve and Postgres spent per event (a figure that holds on a machine shared with other
// work, where latency does not); the highest rate sustained with p99 under 50 ms; and checks each
// event was applied exactly once. Target: ≥ 2,000 events/s. The load generator runs on the same
// cores: the CPU it spends signing (before each step) and sending (during it) is reported apart.
// A measurement: it exits 0 whichever way the figures go, 1 only when the run itself breaks.
//
//   npm run bench:webhooks [-- --rates 500,1000,2000,3000,4000 --seconds 3 --interviews 200]
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { API_KEY, API_SECRET, counts, cpuMeter, createClient, createRun, idsByRef, int, inviteCsv, listOption, ms, numberOption, percentile, reexecInNamespace, ROOT, say, sleep, table } from './live.mjs';
import { joinBody } from '../stack/disclosure.mjs';

reexecInNamespace(fileURLToPath(import.meta.url));

const RATES = listOption('rates', [500, 1000, 2000, 3000, 4000]);
const SECONDS = numberOption('seconds', 3);
const INTERVIEWS = numberOption('interviews', 200);
const DUPLICATES = 0.2;
const MAX_INFLIGHT = 1000;
const TARGET_RATE = 2000;
const TARGET_P99_MS = 50;
const LK_PORT = 7880;
const SERVE_PORT = 8080;

const { signWebhook } = await import(join(ROOT, 'dist/cli/adapters/livekit/webhook-sender.js'));
const { syntheticWebhook } = await import(join(ROOT, 'dist/cli/core/webhook-shapes.js'));
const { embeddedConnection, embeddedPaths } = await import(join(ROOT, 'dist/cli/adapters/db/embedded.js'));

// The mix of a real interview's deliveries, participants and tracks coming and going.
const KINDS = [
  ['participant_joined', 'candidate'],
  ['participant_joined', 'agent'],
  ['track_published', 'candidate'],
  ['track_published', 'candidate'],
  ['track_published', 'agent'],
  ['track_unpublished', 'candidate'],
  ['participant_left', 'candidate'],
  ['participant_left', 'agent'],
  ['participant_connection_aborted', 'candidate'],
  ['room_started', 'candidate'],
  ['room_finished', 'candidate'],
];
// What leaves a row in interview_events (a note, the candidate's join, or the end of the session).
const LOGGED = new Set(['participant_joined', 'participant_left', 'participant_connection_aborted', 'room_finished']);

// Deterministic pseudo-randomness, so every run sends the same mix.
let seed = 7;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
let serial = 0;
const benchRand = () => `bench${(serial++).toString(36)}`;

/** CPU this process spent signing deliveries, and how many. */
const signer = { ms: 0, n: 0 };

/** Every delivery built so far: { id, event, interviewId, body, authorization }. */
const delivered = [];

/** The sends of one step: fresh signed deliveries with 20 % re-sends of earlier ones mixed in. */
async function planStep(total, interviews) {
  const plan = [];
  const fresh = [];
  for (let i = 0; i < total; i++) {
    const pool = delivered.length + fresh.length;
    if (pool > 0 && random() < DUPLICATES) {
      const k = Math.floor(random() * pool);
      plan.push(k < delivered.length ? delivered[k] : fresh[k - delivered.length]);
      continue;
    }
    const [event, who] = KINDS[Math.floor(random() * KINDS.length)];
    const interviewId = interviews[Math.floor(random() * interviews.length)];
    const bodyObject = syntheticWebhook(event, interviewId, who, new Date(), benchRand);
    const d = { id: bodyObject.id, event, interviewId, body: JSON.stringify(bodyObject), authorization: '' };
    fresh.push(d);
    plan.push(d);
  }
  // Signed before the clock starts, so the step measures the server, not the signer.
  const cpu = process.cpuUsage();
  for (let i = 0; i < fresh.length; i += 500) {
    await Promise.all(fresh.slice(i, i + 500).map(async (d) => (d.authorization = await signWebhook(d.body, API_KEY, API_SECRET))));
  }
  const used = process.cpuUsage(cpu);
  signer.ms += (used.user + used.system) / 1000;
  signer.n += fresh.length;
  delivered.push(...fresh);
  return plan;
}

/** Sends `plan` open-loop at `rate` per second; bounded by MAX_INFLIGHT and a deadline. */
let inflight = 0;
async function sendStep(client, plan, rate) {
  const results = [];
  let sent = 0;
  let stalled = 0;
  const t0 = performance.now();
  const deadline = t0 + (plan.length / rate) * 1000 + 30_000;
  let lastDone = t0;
  while (sent < plan.length && performance.now() < deadline) {
    const due = Math.min(plan.length, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
    while (sent < due) {
      if (inflight >= MAX_INFLIGHT) {
        stalled++;
        break;
      }
      const d = plan[sent++];
      inflight++;
      client.post('/webhooks/livekit', d.body, { 'content-type': 'application/webhook+json', authorization: d.authorization }, 20_000).then((r) => {
        inflight--;
        lastDone = performance.now();
        let duplicate;
        try {
          duplicate = JSON.parse(r.text).duplicate;
        } catch {}
        results.push({ id: d.id, status: r.status, ms: r.ms, duplicate, text: r.status === 200 ? '' : r.text.slice(0, 200) });
      });
    }
    await sleep(1);
  }
  while (inflight > 0 && performance.now() < deadline) await sleep(5);
  return { results, sent, stalled, seconds: (lastDone - t0) / 1000 };
}

const run = createRun('bench-webhooks');
let client;
let sql;
try {
  const started = Date.now();
  const csv = join(run.home, 'invites.csv');
  writeFileSync(csv, inviteCsv(INTERVIEWS, 'HOOK'));
  say(`bench:webhooks: creating ${INTERVIEWS} interviews in ${run.home} (embedded database, first start)`);
  const interviews = [...idsByRef((await run.cli(['create', '--from', csv, '--json'])).stdout).values()];
  if (interviews.length !== INTERVIEWS) throw new Error(`create returned ${interviews.length} ids for ${INTERVIEWS} rows`);

  say('starting livekit-server and serve (loopback only)');
  await run.startLiveKit({ port: LK_PORT, webhookUrl: `http://127.0.0.1:${SERVE_PORT}/webhooks/livekit` });
  const serve = await run.startServe({ port: SERVE_PORT, livekitPort: LK_PORT, extraEnv: { JOIN_RATE_LIMIT: 'off' } });
  client = createClient(SERVE_PORT, { sockets: 128 });

  // Half the interviews joined (status used), so room_finished ends them; LiveKit's own
  // room_started deliveries for those rooms arrive now, before the timed steps.
  const joined = interviews.slice(0, INTERVIEWS / 2);
  for (let i = 0; i < joined.length; i += 10) {
    const res = await Promise.all(joined.slice(i, i + 10).map((id) => client.post(`/api/interviews/${id}/join`, JSON.stringify(joinBody()), { 'content-type': 'application/json' })));
    const bad = res.find((r) => r.status !== 200);
    if (bad) throw new Error(`join failed during setup: ${bad.status} ${bad.text}`);
  }
  await sleep(2000);

  // Warm-up, not counted: JIT (of the batched path too, which only queueing exercises), pool
  // connections, prepared statements.
  const WARM_UP = 1000;
  say(`warm-up: 500/s for ${WARM_UP / 500} s`);
  const warmUp = await sendStep(client, await planStep(WARM_UP, interviews), 500);
  await sleep(1000);

  const steps = [];
  const loadBefore = loadavg()[0];
  for (const rate of RATES) {
    const total = Math.round(rate * SECONDS);
    const plan = await planStep(total, interviews);
    say(`${int(rate)}/s for ${SECONDS} s: ${int(total)} deliveries`);
    const serveCpu = cpuMeter(() => [serve.pid]);
    const pgCpu = cpuMeter(run.postgresPids);
    const clientCpu = process.cpuUsage();
    const s = await sendStep(client, plan, rate);
    const [sc, pc, cc] = [serveCpu(), pgCpu(), process.cpuUsage(clientCpu)];
    const per = (x) => x / Math.max(1, s.results.length);
    const cpu = { serve: per(sc.total), serveSystem: per(sc.system), postgres: per(pc.total), postgresSystem: per(pc.system), client: per((cc.user + cc.system) / 1000) };
    const lat = s.results.map((r) => r.ms);
    const ok = s.results.filter((r) => r.status === 200).length;
    const step = {
      rate,
      total,
      ...s,
      achieved: s.results.length / s.seconds,
      p50: percentile(lat, 50),
      p99: percentile(lat, 99),
      max: Math.max(...lat),
      errors: s.results.length - ok + (total - s.results.length),
      cpu,
    };
    step.sustained = step.errors === 0 && step.sent === total && step.achieved >= rate * 0.95 && step.p99 <= TARGET_P99_MS;
    steps.push(step);
    if (step.errors > 0) say(`  first errors: ${s.results.filter((r) => r.status !== 200).slice(0, 3).map((r) => `${r.status} ${r.text}`).join(' | ')}`);
    await sleep(1000);
  }

  // Stragglers of an overloaded step finish before the tables are checked.
  const drainDeadline = Date.now() + 60_000;
  while (inflight > 0 && Date.now() < drainDeadline) await sleep(10);

  // Exactly once: one stored row per distinct id, all applied without error, one fresh answer per
  // id, one interview_events row per delivery that logs one, and no webhook id twice.
  sql = postgres({ ...embeddedConnection(embeddedPaths(run.home)), max: 1, onnotice: () => {} });
  const all = [...warmUp.results, ...steps.flatMap((s) => s.results)];
  const sentIds = new Set(all.map((r) => r.id));
  const freshAnswers = all.filter((r) => r.status === 200 && r.duplicate === false).length;
  const dupAnswers = all.filter((r) => r.status === 200 && r.duplicate === true).length;
  const byId = new Map(delivered.map((d) => [d.id, d]));
  const expectedLogged = [...sentIds].filter((id) => LOGGED.has(byId.get(id).event)).length;
  const [stored] = await sql`
    select count(*)::int as n, count(*) filter (where applied_at is null)::int as unapplied,
           count(*) filter (where error is not null)::int as errored
    from webhook_events where id like 'EV_bench%'`;
  const [logged] = await sql`
    select count(*)::int as n, count(distinct webhook_id)::int as distinct_ids
    from interview_events where webhook_id like 'EV_bench%'`;
  const finishedJoined = new Set(delivered.filter((d) => sentIds.has(d.id) && d.event === 'room_finished' && joined.includes(d.interviewId)).map((d) => d.interviewId));
  const [ended] = await sql`select count(*)::int as n from interviews where status = 'ending' and id = any(${[...finishedJoined]})`;
  const [backwards] = await sql`select count(*)::int as n from interviews where id = any(${joined}) and status = 'created'`;

  const cpuPerEvent = steps.reduce((a, s) => a + (s.cpu.serve + s.cpu.postgres) * s.results.length, 0) / steps.reduce((a, s) => a + s.results.length, 0);
  const clientPerEvent = steps.reduce((a, s) => a + s.cpu.client * s.results.length, 0) / steps.reduce((a, s) => a + s.results.length, 0);
  const best = steps.filter((s) => s.sustained).reduce((m, s) => Math.max(m, s.rate), 0);
  const keptUp = steps.filter((s) => s.errors === 0 && s.sent === s.total && s.achieved >= s.rate * 0.95).reduce((m, s) => Math.max(m, s.rate), 0);
  const checks = [
    [`every delivery sent was answered 200 (${int(all.length)} answers, warm-up included; ${int(steps.reduce((a, s) => a + s.total - s.sent, 0))} not sent before a step's deadline)`, all.every((r) => r.status === 200)],
    [`webhook_events rows = distinct ids sent (${int(stored.n)} / ${int(sentIds.size)})`, stored.n === sentIds.size],
    [`all applied_at set, no error (${stored.unapplied} unapplied, ${stored.errored} errors)`, stored.unapplied === 0 && stored.errored === 0],
    [`one fresh answer per id, the rest duplicate (${int(freshAnswers)} fresh, ${int(dupAnswers)} duplicate)`, freshAnswers === sentIds.size && dupAnswers === all.length - sentIds.size],
    [`interview_events with a webhook_id: unique, one per logging delivery (${int(logged.n)} rows, ${int(logged.distinct_ids)} distinct, ${int(expectedLogged)} expected)`, logged.n === logged.distinct_ids && logged.n === expectedLogged],
    [`joined interviews with a room_finished are ending (${ended.n} / ${finishedJoined.size}), none moved back`, ended.n === finishedJoined.size && backwards.n === 0],
    [`target: ≥ ${int(TARGET_RATE)} events/s sustained with p99 ≤ ${TARGET_P99_MS} ms (best: ${best ? int(best) : 'none'})`, best >= TARGET_RATE],
  ];
  process.stdout.write(
    `\nbench:webhooks — signed LiveKit deliveries, ${DUPLICATES * 100} % re-sends, serve + embedded Postgres on loopback in a private network namespace\n\n` +
      table([
        ['offered/s', 'sent', 'achieved/s', 'p50', 'p99', 'max', 'outcomes', 'sustained', 'CPU/event: serve', 'postgres', 'sender'],
        ...steps.map((s) => [
          int(s.rate), int(s.sent), int(s.achieved), ms(s.p50), ms(s.p99), ms(s.max), counts(s.results.map((r) => r.status)), s.sustained ? 'yes' : 'no',
          `${s.cpu.serve.toFixed(2)} ms (sys ${s.cpu.serveSystem.toFixed(2)})`, `${s.cpu.postgres.toFixed(2)} ms (sys ${s.cpu.postgresSystem.toFixed(2)})`, `${s.cpu.client.toFixed(2)} ms`,
        ]),
      ]) +
      `\n\nCPU per event (serve + postgres) over the steps: ${cpuPerEvent.toFixed(2)} ms, i.e. about ${int(1000 / cpuPerEvent)} events per CPU-second; ` +
      `the machine had ${cpus().length} cores and a load average of ${loadBefore.toFixed(1)} when the steps began.` +
      `\nThe load generator on the same cores: sending (HTTP client, during the steps) ${clientPerEvent.toFixed(2)} ms per event; signing ` +
      `(livekit-server-sdk AccessToken, before each step, outside the timing) ${(signer.ms / Math.max(1, signer.n)).toFixed(2)} ms per delivery.` +
      `\n\nsustained with p99 ≤ ${TARGET_P99_MS} ms, no errors and ≥ 95 % of the offered rate: ${best ? `${int(best)} events/s` : 'none of the rates'}` +
      `\nkept up with (≥ 95 % of the offered rate, no errors), whatever the latency: ${keptUp ? `${int(keptUp)} events/s` : 'none of the rates'}\n\n` +
      checks.map(([label, pass]) => `${pass ? 'PASS' : 'FAIL'}  ${label}`).join('\n') +
      `\n\n(total run ${((Date.now() - started) / 1000).toFixed(0)} s; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})\n`,
  );
} catch (err) {
  say(`bench:webhooks failed: ${err?.stack ?? err}`);
  process.exitCode = 1;
} finally {
  client?.close();
  await sql?.end({ timeout: 1 }).catch(() => {});
  await run.cleanup();
}
