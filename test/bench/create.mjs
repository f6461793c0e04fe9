#!/usr/bin/env node
// bench:create — issue 2, item 8. Creates 100,000 invites from a generated CSV with the real CLI
// (`interviewctl create --from FILE --json`, stdout to /dev/null) on a fresh embedded database, and
// in the same run loads the very same rows with a raw COPY into a scratch table of the same shape;
// prints invites/s for both and their ratio (target: batch create ≥ 0.5× raw COPY). A second run of
// the same file (every row `exists`) is timed too. Each round starts from empty tables and the
// figures are medians over the rounds; the verdict takes the median of each round's own ratio, and
// the CPU seconds of Postgres and of the client are shown beside the wall times (on a busy machine
// they say more). A measurement, not a test: it exits 0 whichever way the figures go.
//
//   npm run bench:create [-- --rows 100000 --rounds 5]   (or --write-csv FILE: only write the CSV)
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import postgres from 'postgres';
import { cleanup, cleanupOnSignal, fixed, freshHome, int, median, mulberry32, mustRun, numberOption, postgresCpuClock, requireBuild, ROOT, table } from './lib.mjs';

requireBuild();
const { embeddedConnection, embeddedPaths } = await import(join(ROOT, 'dist/cli/adapters/db/embedded.js'));

const ROWS = numberOption('rows', 100_000);
// Linux reports process CPU time in clock ticks of 1/100 s (USER_HZ).
const TARGET = 0.5;
const COLUMNS = ['id', 'candidate_name', 'candidate_email', 'ref', 'lang', 'duration_ms', 'question_set', 'questions', 'created_at', 'expires_at'];

const FIRST = ['Ada', 'Grace', 'Alan', 'Linus', 'Margaret', 'Dennis', 'Barbara', 'Ken', 'Frances', 'Edsger', 'Hedy', 'Tim', 'Radia', 'John', 'Sophie', 'Mary'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Torvalds', 'Hamilton', 'Ritchie', 'Liskov', 'Thompson', 'Allen', 'Dijkstra', 'Lamarr', 'Berners-Lee', 'Perlman', "O'Brien", 'Wilson', 'Smith'];
const OTHER = ['José Álvarez', 'Zoë Müller', 'François Lefèvre', 'Søren Kierkegaard', 'Łukasz Nowak', 'Ngọc Anh Trần', 'Zoë 🚀 Park', 'Ana-María Núñez'];
const FAMILY = ['山田', '佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '中村', '小林', '加藤'];
const GIVEN = ['太郎', '花子', '翔太', 'さくら', '健一', '美咲', '大輔', 'ゆい', '直樹', '愛'];
const ROMAJI = ['yamada', 'sato', 'suzuki', 'takahashi', 'tanaka', 'ito', 'watanabe', 'nakamura', 'kobayashi', 'kato'];
const DURATIONS = ['20m', '30m', '45m', '1h', '1800', '15m'];

// COPY text format: backslash, tab, newline and carriage return escaped; \N is NULL.
const copyText = (v) => (v === null ? '\\N' : v.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]));
const quote = (v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** An invite file as an ATS export might look: BOM, CRLF, quoted names, some Japanese rows. */
function inviteCsv(rows) {
  const rand = mulberry32(42);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const parts = ['\ufeffname,email,ref,duration,questions,lang,expires\r\n'];
  for (let i = 1; i <= rows; i++) {
    const r = rand();
    let name;
    let email = '';
    let lang = '';
    if (r < 0.25) {
      const f = Math.floor(rand() * FAMILY.length);
      name = `${FAMILY[f]} ${pick(GIVEN)}`;
      email = `${ROMAJI[f]}.${i}@example.jp`;
      lang = rand() < 0.8 ? 'ja' : '';
    } else if (r < 0.3) {
      name = pick(OTHER);
      email = `candidate${i}@example.org`;
    } else {
      const first = pick(FIRST);
      const last = pick(LAST);
      const style = rand();
      name = style < 0.04 ? `${last}, ${first}` : style < 0.05 ? `${first} "${first.slice(0, 3)}" ${last}` : `${first} ${last}`;
      email = `${first}.${last.replace(/[^a-z]/gi, '')}${i}@example.com`.toLowerCase();
      if (rand() < 0.1) lang = 'en';
    }
    if (rand() < 0.1) email = '';
    const duration = rand() < 0.3 ? pick(DURATIONS) : '';
    const questions = rand() < 0.05 ? 'default' : '';
    const expires = rand() < 0.1 ? pick(['14d', '30d', '72h']) : '';
    parts.push(`${quote(name)},${email},ATS-${String(i).padStart(7, '0')},${duration},${questions},${lang},${expires}\r\n`);
  }
  return parts.join('');
}

/** How the CLI process spent its time: Node's own boot, then everything after it. */
const TIMING_PRELOAD = `import { writeFileSync } from 'node:fs';
process.on('exit', () => writeFileSync(process.env.BENCH_TIMING_FILE, JSON.stringify({ boot: performance.nodeTiming.bootstrapComplete, end: performance.now(), cpu: process.cpuUsage() })));
`;

function summaryOf(stderr) {
  const m = /(\d+) created, (\d+) already existed, (\d+) rejected \((\d+) rows\)/.exec(stderr);
  if (!m) throw new Error(`no summary line on stderr:\n${stderr.trim()}`);
  return { created: Number(m[1]), exists: Number(m[2]), rejected: Number(m[3]), rows: Number(m[4]) };
}

// `--write-csv FILE` only writes the generated file (for profiling the CLI by hand).
const writeOnly = process.argv.indexOf('--write-csv');
if (writeOnly !== -1) {
  writeFileSync(process.argv[writeOnly + 1], inviteCsv(ROWS));
  process.exit(0);
}

/**
 * The COPY text of the file's rows, with the values `create --from` stores for them: the CSV read by
 * the CLI's own parser and row checks, defaults applied, the questions snapshot of each row's set.
 */
async function copyTextOf(csvPath) {
  const { CsvParser } = await import(join(ROOT, 'dist/cli/core/csv.js'));
  const { readHeader, readInviteRow } = await import(join(ROOT, 'dist/cli/core/invite-rows.js'));
  const { newInterviewId } = await import(join(ROOT, 'dist/cli/core/ids.js'));
  const { builtinQuestionSet } = await import(join(ROOT, 'dist/cli/core/questions.js'));
  const parser = new CsvParser();
  const [head, ...records] = [...parser.push(readFileSync(csvPath, 'utf8')), ...parser.end()];
  const header = readHeader(head);
  const defaults = { durationMs: 20 * 60_000, expiresInMs: 7 * 86_400_000, questionSet: 'default', lang: 'en' };
  const seen = new Map();
  const now = Date.now();
  const lines = [];
  for (const record of records) {
    const r = readInviteRow(record, header, defaults, seen);
    if (!r.ok) throw new Error(`generated row ${r.line} is invalid: ${r.error}`);
    const { name, email, ref, lang, durationMs, questionSet, expiresInMs } = r.input;
    const questions = JSON.stringify(builtinQuestionSet(questionSet, lang).questions);
    const values = [newInterviewId(), name, email, ref, lang, String(durationMs), questionSet, questions, new Date(now).toISOString(), new Date(now + expiresInMs).toISOString()];
    lines.push(`${values.map(copyText).join('\t')}\n`);
  }
  return Buffer.from(lines.join(''));
}

const ROUNDS = numberOption('rounds', 5);
const target = freshHome('bench-create');
cleanupOnSignal(target);
const { home, env } = target;
let sql;
try {
  const csvPath = join(home, 'invites.csv');
  writeFileSync(csvPath, inviteCsv(ROWS));
  const preload = join(home, 'timing.mjs');
  writeFileSync(preload, TIMING_PRELOAD);
  const timingFile = join(home, 'timing.json');
  const cli = { env: { ...env, BENCH_TIMING_FILE: timingFile }, cwd: home, nodeArgs: ['--import', preload] };

  process.stderr.write(`bench:create: ${int(ROWS)} rows (${fixed(statSync(csvPath).size / 1e6, 1)} MB), ${ROUNDS} rounds, in ${home}\n`);
  const first = await mustRun(['db', 'migrate'], cli);
  process.stderr.write(`embedded database initialised, started and migrated in ${fixed(first.ms / 1000)} s\n`);
  sql = postgres({ ...embeddedConnection(embeddedPaths(home)), max: 1, onnotice: () => {} });

  const body = await copyTextOf(csvPath);
  const slices = [];
  for (let i = 0; i < body.length; i += 1 << 20) slices.push(body.subarray(i, i + (1 << 20)));
  // Same columns, defaults, checks and indexes (unique ref included) as interviews; empty, so
  // nothing conflicts and nothing is looked up first: the fastest a client can load these rows.
  await sql`create table scratch (like interviews including all)`;

  const serverCpuMs = postgresCpuClock(embeddedPaths(home).data);

  const timed = async (args, expect) => {
    const server = serverCpuMs();
    const run = await mustRun(args, cli);
    const serverMs = serverCpuMs() - server;
    const t = JSON.parse(readFileSync(timingFile, 'utf8'));
    const s = summaryOf(run.stderr);
    if (s.rows !== ROWS || s.created !== expect.created || s.exists !== expect.exists) {
      throw new Error(`${args.join(' ')}: expected ${expect.created} created and ${expect.exists} existing, got ${JSON.stringify(s)}`);
    }
    return { ms: run.ms, inProcessMs: t.end - t.boot, cpuMs: (t.cpu.user + t.cpu.system) / 1000, serverMs };
  };
  const rawCopy = async () => {
    await sql`truncate scratch`;
    await sql`checkpoint`;
    const server = serverCpuMs();
    const client = process.cpuUsage();
    const started = process.hrtime.bigint();
    await sql.begin(async (tx) => {
      const stream = await tx`copy scratch (${sql(COLUMNS)}) from stdin`.writable();
      await pipeline(Readable.from(slices), stream);
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const serverMs = serverCpuMs() - server;
    const { user, system } = process.cpuUsage(client);
    const [{ n }] = await sql`select count(*)::int as n from scratch`;
    if (n !== ROWS) throw new Error(`raw COPY loaded ${n} rows, expected ${ROWS}`);
    return { ms, serverMs, cpuMs: (user + system) / 1000 };
  };
  const batch = async () => {
    await sql`truncate interviews cascade`;
    await sql`checkpoint`;
    const created = await timed(['create', '--from', csvPath, '--json'], { created: ROWS, exists: 0 });
    const [{ n }] = await sql`select count(*)::int as n from interviews`;
    if (n !== ROWS) throw new Error(`create --from: the table holds ${n} rows, expected ${ROWS}`);
    await sql`checkpoint`;
    const again = await timed(['create', '--from', csvPath, '--json'], { created: 0, exists: ROWS });
    return { created, again };
  };

  // Rounds alternate which goes first, so neither always meets a cold or a busy server.
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    let copy;
    let cliRun;
    if (r % 2 === 0) {
      copy = await rawCopy();
      cliRun = await batch();
    } else {
      cliRun = await batch();
      copy = await rawCopy();
    }
    rounds.push({ copy, ...cliRun });
    process.stderr.write(
      `round ${r + 1}: raw COPY ${fixed(copy.ms / 1000)} s, create --from ${fixed(cliRun.created.ms / 1000)} s, again ${fixed(cliRun.again.ms / 1000)} s\n`,
    );
  }
  await sql`drop table scratch`;
  await sql.end({ timeout: 5 });
  sql = undefined;

  const rate = (ms) => (ROWS * 1000) / ms;
  const med = (pick) => median(rounds.map(pick));
  const copyMs = med((r) => r.copy.ms);
  const row = (label, ms, serverMs, clientMs) => [
    label,
    fixed(ms / 1000),
    int(rate(ms)),
    fixed(rate(ms) / rate(copyMs)),
    serverMs === undefined ? '' : fixed(serverMs / 1000),
    clientMs === undefined ? '' : fixed(clientMs / 1000),
  ];
  // Other load on the machine moves both figures of a round together, so the verdict goes by the
  // median of the rounds' own ratios; CPU seconds, which that load hardly moves, are shown too.
  const ratios = rounds.map((r) => r.copy.ms / r.created.ms);
  const ratio = median(ratios);
  const perRound = ratios.map((x) => fixed(x)).join(', ');
  const cpuRatio = (med((r) => r.copy.serverMs) + med((r) => r.copy.cpuMs)) / (med((r) => r.created.serverMs) + med((r) => r.created.cpuMs));
  process.stdout.write(
    `\nbench:create — ${int(ROWS)} invites, embedded database, median of ${ROUNDS} rounds\n\n` +
      table([
        ['', 'seconds', 'invites/s', '× raw COPY', 'CPU s: Postgres', 'client'],
        row('raw COPY into scratch table', copyMs, med((r) => r.copy.serverMs), med((r) => r.copy.cpuMs)),
        row('create --from (end to end)', med((r) => r.created.ms), med((r) => r.created.serverMs), med((r) => r.created.cpuMs)),
        row('  in process, after Node boot', med((r) => r.created.inProcessMs)),
        row('create --from again (all exist)', med((r) => r.again.ms), med((r) => r.again.serverMs), med((r) => r.again.cpuMs)),
      ]) +
      `\n\nratio per round: ${perRound} (median ${fixed(ratio)}); ratio of CPU seconds (Postgres + client): ${fixed(cpuRatio)}` +
      `\ntarget: batch create ≥ ${TARGET}× raw COPY: ${ratio >= TARGET ? 'PASS' : 'FAIL'} (${fixed(ratio)}×)\n`,
  );
} catch (err) {
  process.stderr.write(`bench:create failed: ${err?.stack ?? err}\n`);
  process.exitCode = 1;
} finally {
  await sql?.end({ timeout: 1 }).catch(() => {});
  cleanup(target);
}
