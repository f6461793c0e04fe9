#!/usr/bin/env node
// bench:replay — issue 5, item 6. Seeds a fresh embedded database (with SQL, fast) with interviews in
// every state and 100,000 stored LiveKit deliveries of the shapes LiveKit sends (room, participant,
// track events of whole sessions: joins, rejoins after a dropped connection, leaves, room_finished),
// some received out of order, some never applied, some for rooms that are not ours. Then runs the
// real `interviewctl webhooks replay --since 30d --json` twice and prints deliveries/s, the CPU of
// the CLI and of Postgres, and checks the idempotency promise: the second replay leaves the database
// exactly as the first left it. The checksum covers every column of interviews, interview_events and
// webhook_events (applied_at included: it records when a delivery first took effect, so a replay
// that changes nothing writes nothing). The checksum without applied_at is printed as well, so a run
// on code that re-stamps applied_at shows where the difference is. Target: ≥ 5,000 deliveries/s.
// A measurement: it exits 0 whichever way the figures go, 1 only when the run itself breaks.
//
//   npm run bench:replay [-- --deliveries 100000]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { cleanup, cleanupOnSignal, fixed, freshHome, int, mulberry32, mustRun, numberOption, postgresCpuClock, requireBuild, ROOT, table } from './lib.mjs';

requireBuild();
const { embeddedConnection, embeddedPaths } = await import(join(ROOT, 'dist/cli/adapters/db/embedded.js'));
const { syntheticWebhook } = await import(join(ROOT, 'dist/cli/core/webhook-shapes.js'));
const { newInterviewId } = await import(join(ROOT, 'dist/cli/core/ids.js'));

const DELIVERIES = numberOption('deliveries', 100_000);
const TARGET = 5000;

const rand = mulberry32(5);
let serial = 0;
const sid = () => `r${(serial++).toString(36).padStart(6, '0')}`;

// How interviews are spread over the states when the deliveries are replayed.
const STATES = [
  ['created', 0.1], ['expired', 0.05], ['revoked', 0.03], ['used', 0.15], ['recording', 0.25], ['ending', 0.1], ['completed', 0.27], ['failed', 0.05],
];
const pickState = () => {
  let r = rand();
  for (const [s, p] of STATES) if ((r -= p) < 0) return s;
  return 'completed';
};

/** One interview's session as LiveKit reports it, in the order it happened. */
function session(live) {
  const steps = [
    ['room_started', 'agent'],
    ['participant_joined', 'agent'],
    ['track_published', 'agent'],
    ['participant_joined', 'candidate'],
    ['track_published', 'candidate'],
    ['track_published', 'candidate'],
  ];
  if (rand() < 0.2) steps.push(['participant_connection_aborted', 'candidate'], ['participant_joined', 'candidate'], ['track_published', 'candidate'], ['track_published', 'candidate']);
  steps.push(['track_unpublished', 'candidate'], ['participant_left', 'candidate'], ['participant_left', 'agent'], ['room_finished', 'agent']);
  // Half the sessions still live in the database have all their deliveries stored (the room is
  // over, the database never heard); the rest stop somewhere in the middle.
  return live && rand() < 0.5 ? steps.slice(0, 3 + Math.floor(rand() * (steps.length - 4))) : steps;
}

/** Rows for the interviews and webhook_events tables. */
function generate() {
  const interviews = [];
  const hooks = [];
  const t0 = Date.now() - 2 * 86_400_000;
  const questions = JSON.stringify([{ text: 'Tell me about yourself.', timeLimitMs: 120_000 }]);
  const push = (event, who, id, room, at, receivedAt) => {
    const body = syntheticWebhook(event, id ?? 'x'.repeat(22), who, new Date(at), sid);
    body.room.name = room;
    if (body.participant && id === null) body.participant.identity = `${who}-${sid()}`;
    if (body.track && who === 'candidate' && rand() < 0.5) body.track = { ...body.track, type: 'VIDEO', source: 'CAMERA', width: 1280, height: 720 };
    const failed = rand() < 0.1;
    hooks.push({
      id: body.id,
      event,
      room_name: room,
      interview_id: id,
      participant_identity: body.participant?.identity ?? null,
      created_at: new Date(Math.floor(at / 1000) * 1000),
      body: JSON.stringify(body),
      received_at: new Date(receivedAt),
      error: failed ? 'write CONNECTION_CLOSED 127.0.0.1:5432' : null,
    });
  };
  for (let n = 0; hooks.length < DELIVERIES; n++) {
    const created = t0 + n * 1000;
    const status = pickState();
    const id = newInterviewId();
    const started = ['created', 'expired', 'revoked'].includes(status) ? null : created + 60_000;
    const live = status === 'used' || status === 'recording';
    interviews.push({
      id, status, candidate_name: `Candidate ${n}`, candidate_email: `c${n}@example.com`, lang: rand() < 0.25 ? 'ja' : 'en', duration_ms: 1_200_000,
      question_set: 'default', questions, created_at: new Date(created), expires_at: new Date(created + (status === 'expired' ? 3_600_000 : 7 * 86_400_000)),
      used_at: started && new Date(started), recording_started_at: started && status !== 'used' ? new Date(started + 5000) : null,
      ended_at: ['ending', 'completed', 'failed'].includes(status) ? new Date(started + 1_200_000) : null,
      completed_at: status === 'completed' ? new Date(started + 1_260_000) : null,
      end_reason: ['ending', 'completed'].includes(status) ? 'duration' : null, error: status === 'failed' ? 'recorder_failed' : null,
    });
    if (!started) continue;
    let at = started;
    for (const [event, who] of session(live)) {
      at += 1000 + Math.floor(rand() * 60_000);
      // LiveKit does not promise order: about one delivery in twenty arrives a few seconds late.
      push(event, who, id, `interview-${id}`, at, at + 20 + (rand() < 0.05 ? 90_000 : Math.floor(rand() * 200)));
    }
    // Now and then, rooms that are not interviews, or interviews this database does not know.
    if (rand() < 0.03) push('room_started', 'agent', null, `lobby-${sid()}`, at, at + 50);
    if (rand() < 0.02) push('participant_joined', 'candidate', null, `interview-${newInterviewId()}`, at, at + 50);
  }
  return { interviews, hooks: hooks.slice(0, DELIVERIES) };
}

async function insert(sql, table, rows) {
  for (let i = 0; i < rows.length; i += 3000) await sql`insert into ${sql(table)} ${sql(rows.slice(i, i + 3000))}`;
}

/** md5 of every row of the three tables, with and without webhook_events.applied_at. */
async function checksums(sql) {
  const [r] = await sql`
    select
      (select md5(coalesce(string_agg(i::text, '|' order by id), '')) from interviews i) as interviews,
      (select md5(coalesce(string_agg(e::text, '|' order by id), '')) from interview_events e) as events,
      (select md5(coalesce(string_agg(w::text, '|' order by id), '')) from webhook_events w) as webhooks,
      (select md5(coalesce(string_agg((w.id, w.event, w.room_name, w.interview_id, w.participant_identity, w.created_at, w.body, w.received_at, w.error)::text, '|' order by id), ''))
         from webhook_events w) as webhooks_without_applied_at,
      (select count(*)::int from interview_events) as event_rows,
      (select count(*)::int from webhook_events where applied_at is null or error is not null) as unapplied`;
  return r;
}

const TIMING_PRELOAD = `import { writeFileSync } from 'node:fs';
process.on('exit', () => writeFileSync(process.env.BENCH_TIMING_FILE, JSON.stringify({ cpu: process.cpuUsage(), rss: process.resourceUsage().maxRSS })));
`;

const target = freshHome('bench-replay');
cleanupOnSignal(target);
const { home, env } = target;
let sql;
try {
  const preload = join(home, 'timing.mjs');
  writeFileSync(preload, TIMING_PRELOAD);
  const timingFile = join(home, 'timing.json');
  const cli = { env: { ...env, BENCH_TIMING_FILE: timingFile }, cwd: home, nodeArgs: ['--import', preload] };
  await mustRun(['db', 'migrate'], cli);
  sql = postgres({ ...embeddedConnection(embeddedPaths(home)), max: 1, onnotice: () => {} });

  const seedStarted = performance.now();
  const { interviews, hooks } = generate();
  await insert(sql, 'interviews', interviews);
  await insert(sql, 'webhook_events', hooks);
  await sql`vacuum analyze`;
  await sql`checkpoint`;
  const byEvent = new Map();
  for (const h of hooks) byEvent.set(h.event, (byEvent.get(h.event) ?? 0) + 1);
  process.stderr.write(
    `bench:replay: seeded ${int(interviews.length)} interviews and ${int(hooks.length)} stored deliveries in ${fixed((performance.now() - seedStarted) / 1000, 1)} s ` +
      `(${[...byEvent].map(([e, n]) => `${e} ${int(n)}`).join(', ')})\n`,
  );

  const serverCpuMs = postgresCpuClock(embeddedPaths(home).data);

  const replay = async () => {
    const out = join(home, 'replay.ndjson');
    const server = serverCpuMs();
    const run = await mustRun(['webhooks', 'replay', '--since', '30d', '--json'], { ...cli, stdoutFile: out });
    const serverMs = serverCpuMs() - server;
    const t = JSON.parse(readFileSync(timingFile, 'utf8'));
    const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const results = new Map();
    for (const l of lines) {
      const key = l.error ? 'failed' : l.result.replace(/:.*/, '');
      results.set(key, (results.get(key) ?? 0) + 1);
    }
    return { ms: run.ms, cpuMs: (t.cpu.user + t.cpu.system) / 1000, rssMb: t.rss / 1024, serverMs, lines, results, stderr: run.stderr.trim() };
  };

  const before = await checksums(sql);
  const first = await replay();
  const afterFirst = await checksums(sql);
  const second = await replay();
  const afterSecond = await checksums(sql);

  // What the first replay should have done, from the seed itself.
  const joinedLive = new Set(hooks.filter((h) => h.event === 'room_finished' && h.interview_id).map((h) => h.interview_id));
  const liveBefore = interviews.filter((i) => (i.status === 'used' || i.status === 'recording') && joinedLive.has(i.id)).map((i) => i.id);
  const [ended] = await sql`select count(*)::int as n from interviews where id = any(${liveBefore}) and status = 'ending' and end_reason = 'room_finished'`;
  const logging = hooks.filter((h) => h.interview_id && ['participant_joined', 'participant_left', 'participant_connection_aborted', 'room_finished'].includes(h.event)).length;
  const [logged] = await sql`select count(*)::int as n, count(distinct webhook_id)::int as d from interview_events where webhook_id is not null`;
  const candidates = new Set(hooks.filter((h) => h.event === 'participant_joined' && h.interview_id && h.participant_identity?.startsWith('candidate-')).map((h) => h.interview_id));
  const [joined] = await sql`select count(*)::int as n from interviews where candidate_joined_at is not null`;
  const [{ n: outOfOrder }] = await sql`
    select count(*)::int as n from (select created_at < lag(created_at) over (partition by interview_id order by received_at, id) as late from webhook_events) x where late`;

  const rate = (r) => DELIVERIES / (r.ms / 1000);
  const row = (label, r) => [label, `${fixed(r.ms / 1000)} s`, int(rate(r)), `${fixed(r.cpuMs / 1000)} s`, `${fixed(r.serverMs / 1000)} s`, `${int(r.rssMb)} MB`, [...r.results].map(([k, n]) => `${k} ${int(n)}`).join(', ')];
  const checks = [
    [`first replay: one NDJSON line per stored delivery (${int(first.lines.length)} / ${int(DELIVERIES)}), none failed`, first.lines.length === DELIVERIES && !first.results.has('failed')],
    [`second replay: one line per delivery (${int(second.lines.length)}), every one "no change" or "ignored"`, second.lines.length === DELIVERIES && [...second.results.keys()].every((k) => k === 'no change' || k === 'ignored')],
    [`the first replay applied what was stored (checksum changed, ${int(afterFirst.unapplied)} deliveries left unapplied or with an error)`, afterFirst.interviews !== before.interviews && afterFirst.unapplied === 0],
    [`live interviews whose room finished are ending (${int(ended.n)} / ${int(liveBefore.length)}), one event row per logging delivery (${int(logged.n)} rows, ${int(logged.d)} distinct, ${int(logging)} expected)`, ended.n === liveBefore.length && logged.n === logging && logged.d === logging],
    [`candidate_joined_at set for every interview whose candidate joined (${int(joined.n)} / ${int(candidates.size)})`, joined.n === candidates.size],
    [`replaying again changed nothing: interviews, interview_events, webhook_events (every column) identical`, afterSecond.interviews === afterFirst.interviews && afterSecond.events === afterFirst.events && afterSecond.webhooks === afterFirst.webhooks],
    [`  … and without webhook_events.applied_at: identical`, afterSecond.interviews === afterFirst.interviews && afterSecond.events === afterFirst.events && afterSecond.webhooks_without_applied_at === afterFirst.webhooks_without_applied_at],
    [`target: ≥ ${int(TARGET)} deliveries/s (first ${int(rate(first))}, second ${int(rate(second))})`, rate(first) >= TARGET && rate(second) >= TARGET],
  ];
  process.stdout.write(
    `\nbench:replay — interviewctl webhooks replay --since 30d --json of ${int(DELIVERIES)} stored deliveries over ${int(interviews.length)} interviews ` +
      `(${int(outOfOrder)} received after a later event), embedded database\n\n` +
      table([
        ['run', 'wall', 'deliveries/s', 'CLI CPU', 'Postgres CPU', 'CLI max RSS', 'results'],
        row('replay (applies)', first),
        row('replay again (no change)', second),
      ]) +
      `\n\n${checks.map(([label, pass]) => `${pass ? 'PASS' : 'FAIL'}  ${label}`).join('\n')}\n`,
  );
  if (first.stderr) process.stderr.write(`first replay said: ${first.stderr.split('\n').slice(-1)[0]}\n`);
} catch (err) {
  process.stderr.write(`bench:replay failed: ${err?.stack ?? err}\n`);
  process.exitCode = 1;
} finally {
  await sql?.end({ timeout: 1 }).catch(() => {});
  cleanup(target);
}
