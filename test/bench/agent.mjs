#!/usr/bin/env node
// bench:agent — issue 4, item 6. Inside a private network namespace (loopback plus a veth pair
// with no route, which libwebrtc needs): a fresh embedded database, a real livekit-server,
// `interviewctl serve`, versitygw as S3 and the real `interviewctl agent` (offline speech,
// RECORDER=agent). Synthetic candidates in this process (@livekit/rtc-node, agent-candidate.mjs)
// join through serve's join API, publish a 640x360 20 fps camera (the layer the agent takes of a browser's) (160x120 5 fps with --recorder
// browser, where nobody subscribes to it) and a microphone, and answer
// each question with ~5 s of espeak-ng speech. Measured from the candidate's side:
//   - first audio: tracks published → first loud frame of the interviewer's track (target p50 ≤ 1.5 s)
//   - gap: end of an answer → first loud frame of what the interviewer says next (target p50 ≤ 1.0 s)
// 1. `--repeat` interviews one at a time (the headline p50/p90, and the N = 1 step);
// 2. capacity: N interviews at once for N in `--steps` (joins `--stagger` ms apart), each step
//    reporting the CPU and RSS of the agent's whole process tree (worker, job processes, ffmpeg),
//    latencies, and whether every interview completed with a playable MP4 in the bucket. It stops
//    at the first step that loses an interview or runs past 3× a latency target, or when the time
//    budget would be exceeded, and prints the largest N sustained (every interview recorded and
//    both p50 targets held) and the largest N at which every interview was still recorded.
// A measurement: it exits 0 whichever way the figures go, 1 only when the run itself breaks.
//
//   npm run bench:agent [-- --quick] [--json] [--repeat 4 --steps 2,4,6,8,10,12 --stagger 1000 --budget 570 --silence 600ms --idle 2 --candidate-procs 3 --max-interviews 6]
//   npm run bench:agent -- --llm [--first-token 300] [--stt-final 300] [--turn-detector v1-mini|off] [--repeat 4 --steps 2]
// --llm: the LLM interviewer against an OpenAI-compatible stand-in whose first token takes
// --first-token ms, with the Deepgram stand-in for speech, its final transcript --stt-final ms
// after the answer's end (agent-llm.mjs): end of answer → first audio p50/p90 and our overhead
// beyond the stand-ins' latency and the end-of-turn silence. --turn-detector: the agent's
// AGENT_TURN_DETECTOR (default v1-mini, which holds every espeak-ng answer to its 1.5 s maximum).
// --quick: 2 alone, then 2 and 4 at once, about 2.5 minutes. --json: the report on stderr, one JSON
// line on stdout. --silence: the agent's end-of-turn silence (AGENT_END_OF_TURN_SILENCE).
// --idle: job processes kept warm (AGENT_IDLE_PROCESSES; default: the worker's default for the largest step).
// --recorder browser (issue 16): RECORDER=browser; the candidates record like the page
// (page-upload.mjs: a real fragmented MP4 sent to serve a ~3 s part at a time until the
// interviewer says stop); serve's CPU (it receives the parts) is in the "other processes" figures.
import { mkdirSync, writeFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { histogramBetween, scrape } from './prom.mjs';
import { formatReport, secs, summarize, TARGET_FIRST_MS, TARGET_GAP_MS } from './agent-report.mjs';
import { createRun, idsByRef, inviteCsv, listOption, numberOption, reexecInNamespace, ROOT, say, sleep } from './live.mjs';

reexecInNamespace(fileURLToPath(import.meta.url), { privateLink: true });

const QUICK = process.argv.includes('--quick');
const LLM = process.argv.includes('--llm');
const FIRST_TOKEN_MS = numberOption('first-token', 300);
// The Deepgram stand-in's final transcript comes this long after the answer's last loud frame
// (Deepgram's own endpointing with the plugin's `endpointing=25` is in this range).
const STT_FINAL_MS = numberOption('stt-final', 300);
// The shipped default unless given (AGENT_TURN_DETECTOR): v1-mini, or off.
const TURN_DETECTOR = process.argv.includes('--turn-detector') ? process.argv[process.argv.indexOf('--turn-detector') + 1] : (process.env.AGENT_TURN_DETECTOR || 'v1-mini');
const JSON_OUT = process.argv.includes('--json');
const REPEAT = numberOption('repeat', QUICK ? 2 : 4);
const STEPS = listOption('steps', QUICK ? [2, 4] : [2, 4, 6, 8, 10, 12]);
// Child processes the synthetic candidates run in (default: one per CANDIDATES_PER_PROCESS, 6).
// The worker's AGENT_MAX_INTERVIEWS (default: the largest step + 2, so it takes every interview
// offered). Equal to the step, it is full at that step as a sized deployment is, and starts no
// warm-process replacement while it is (cli/core/capacity.ts, mayStartWarmProcess).
const MAX_INTERVIEWS = process.argv.includes('--max-interviews') ? numberOption('max-interviews', 1) : undefined;
const CANDIDATE_PROCS = process.argv.includes('--candidate-procs') ? numberOption('candidate-procs', 1) : undefined;
const STAGGER_MS = process.argv.includes('--stagger') ? Number(process.argv[process.argv.indexOf('--stagger') + 1]) : 1000;
const BUDGET_S = numberOption('budget', QUICK ? 180 : 570);
// The shipped default unless given: what a user gets.
const SILENCE = process.argv.includes('--silence') ? process.argv[process.argv.indexOf('--silence') + 1] : (process.env.AGENT_END_OF_TURN_SILENCE || 'the default');
const RECORDER = process.argv.includes('--recorder') ? process.argv[process.argv.indexOf('--recorder') + 1] : 'agent';
if (!['v1-mini', 'off'].includes(TURN_DETECTOR)) {
  say('--turn-detector: v1-mini or off');
  process.exit(2);
}
if (!['agent', 'browser'].includes(RECORDER)) {
  say('--recorder: agent or browser');
  process.exit(2);
}
const PORTS = { livekit: 7880, serve: 8080, s3: 7070, agentMetrics: 9464 };
const QUESTIONS = [
  { text: 'What is your current role?', timeLimit: '20s' },
  { text: 'What would you like to learn next?', timeLimit: '20s' },
];
const ANSWER = 'I lead a small team that builds media servers and recording tools for real time video.';
/** A candidate gives up this long after joining (an interview here lasts about 35 s). */
const CANDIDATE_DEADLINE_MS = 90_000;
const FINAL = new Set(['completed', 'failed', 'expired', 'revoked']);

if (!Number.isFinite(STAGGER_MS) || STAGGER_MS < 0) {
  say('--stagger: expected milliseconds ≥ 0');
  process.exit(2);
}

// rtc-node logs at debug level to stdout unless NODE_ENV is production when it loads; the
// stack's processes must not inherit that setting.
const nodeEnv = process.env.NODE_ENV;
process.env.NODE_ENV = 'production';
const { makeSpeechPcm, SYNTHETIC_CAMERA } = await import('./agent-candidate.mjs');
if (nodeEnv === undefined) delete process.env.NODE_ENV;
else process.env.NODE_ENV = nodeEnv;
const { agentLogFigures, meterTree, processCpuMs, startAgent, startS3, storedGaps } = await import('./agent-stack.mjs');
const { makePageRecording } = await import('./page-upload.mjs');
const { createCandidatePool, CANDIDATES_PER_PROCESS } = await import(join(ROOT, 'dist/cli/adapters/livekit/candidate-pool.js'));
const { dispose } = await import('@livekit/rtc-node');
const { default: postgres } = await import('postgres');
const { embeddedConnection, embeddedPaths } = await import(join(ROOT, 'dist/cli/adapters/db/embedded.js'));
const { defaultIdleProcesses } = await import(join(ROOT, 'dist/cli/core/capacity.js'));

// Job processes kept warm (AGENT_IDLE_PROCESSES): unless given, what a worker gets by default with
// AGENT_MAX_INTERVIEWS set to the largest step (the bench's own maximum is higher, to take every
// interview offered). Interviews that start together past that wait for a process to start, one at a time.
const IDLE = process.argv.includes('--idle') ? numberOption('idle', 2) : defaultIdleProcesses(Math.max(1, ...STEPS), totalmem());
// The candidates' camera. With RECORDER=browser nobody subscribes to it (the interviewer takes the
// audio alone; the page's own recording is page-upload.mjs's MP4), while encoding 640x480 at 15 fps (the camera then)
// cost this process 25-48 % of a core per candidate (measured at N = 4 to 6): twelve such would
// starve the candidates' own audio clocks on 2 cores and measure the bench, not the agent. So
// there it is a 160x120 camera at 5 fps.
const CAMERA = RECORDER === 'browser' ? { ...SYNTHETIC_CAMERA, width: 160, height: 120, fps: 5 } : SYNTHETIC_CAMERA;

const run = createRun('bench-agent');
const started = Date.now();
const elapsedS = () => (Date.now() - started) / 1000;
let sql;

/** Waits until every interview reached a final status (bounded); returns id → row. */
async function waitFinal(ids, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await sql`select id, status, recording_key, end_reason from interviews where id = any(${ids})`;
    if (rows.every((r) => FINAL.has(r.status)) || Date.now() > deadline) return new Map(rows.map((r) => [r.id, r]));
    await sleep(500);
  }
}

/** Waits for the agent's tree to go quiet (its idle job processes warmed, one at a time), at most 90 s. */
async function settle(agentPid) {
  for (let i = 0; i < 90; i++) {
    const m = meterTree(agentPid, 1000);
    await sleep(1000);
    if (m.stop().cpuMs < 100) return;
  }
}

/**
 * Runs `ids.length` interviews at once (joins `stagger` ms apart), then waits for them to finish
 * and probes their recordings. Returns the candidates' figures, final rows, recordings and meters.
 */
async function batch(ids, ctx) {
  const metrics0 = await scrape(ctx.agentMetricsUrl);
  const meter = meterTree(ctx.agent.pid);
  const others = { livekit: processCpuMs([ctx.lk.pid]), serve: processCpuMs([ctx.serve.pid]), postgres: processCpuMs(run.postgresPids()), s3: processCpuMs([ctx.s3.pid]) };
  const bench0 = process.cpuUsage();
  // The candidates run a few to a child process (--candidate-procs): one event loop holding 12
  // of them starved, and rtc-node lost their rooms ("handle not found"), which no deployment's
  // candidates (each in their own browser) would do.
  const pool = await createCandidatePool(CANDIDATE_PROCS ?? Math.ceil(ids.length / CANDIDATES_PER_PROCESS), {
    answer: ctx.answer,
    camera: CAMERA,
    ...(RECORDER === 'browser' ? { pageRecorder: { module: new URL('./page-upload.mjs', import.meta.url).href, exportName: 'startPageUpload', options: { parts: ctx.pageParts } } } : {}),
  });
  const candidates = [];
  for (let i = 0; i < ids.length; i++) {
    if (i > 0 && STAGGER_MS > 0) await sleep(STAGGER_MS);
    candidates.push(pool.run({ serveUrl: ctx.serveUrl, id: ids[i], deadlineMs: CANDIDATE_DEADLINE_MS }));
  }
  const heard = await Promise.all(candidates);
  const generator = (await pool.close()).processes;
  const rows = await waitFinal(ids, 120_000);
  const tree = meter.stop();
  const benchCpu = process.cpuUsage(bench0);
  const otherCpu = {
    livekit: processCpuMs([ctx.lk.pid]) - others.livekit,
    serve: processCpuMs([ctx.serve.pid]) - others.serve,
    postgres: processCpuMs(run.postgresPids()) - others.postgres,
    s3: processCpuMs([ctx.s3.pid]) - others.s3,
    candidates: (benchCpu.user + benchCpu.system) / 1000 + generator.reduce((sum, g) => sum + g.cpuMs, 0),
  };
  const recordings = await Promise.all(
    ids.map(async (id) => {
      const row = rows.get(id);
      if (row?.status !== 'completed' || !row.recording_key) return { id, ok: false, error: `status ${row?.status ?? 'unknown'}${row?.end_reason ? ` (${row.end_reason})` : ''}` };
      const upload = heard.find((h) => h.id === id)?.pageUpload;
      if (RECORDER === 'browser' && !upload?.completed) return { id, ok: false, error: `the page upload ${upload?.error ?? 'never started'}` };
      return { id, ...(await ctx.s3.probeRecording(row.recording_key, ctx.mp4Dir, RECORDER === 'browser' ? 'audio:aac,video:h264' : undefined)) };
    }),
  );
  // The agent's own figures, from its /metrics over this batch (job processes report when their job ends).
  let metrics1 = await scrape(ctx.agentMetricsUrl);
  for (let i = 0; i < 20 && histogramBetween(metrics0, metrics1, 'interviewctl_interview_first_audio_seconds').count < heard.filter((h) => Number.isFinite(h.firstAudioMs)).length; i++) {
    await sleep(250);
    metrics1 = await scrape(ctx.agentMetricsUrl);
  }
  const agentMetrics = {
    firstAudio: histogramBetween(metrics0, metrics1, 'interviewctl_interview_first_audio_seconds'),
    answerToAudio: histogramBetween(metrics0, metrics1, 'interviewctl_turn_answer_to_audio_seconds'),
    connected: histogramBetween(metrics0, metrics1, 'interviewctl_job_startup_seconds', { phase: 'connected' }),
    ready: histogramBetween(metrics0, metrics1, 'interviewctl_job_startup_seconds', { phase: 'ready' }),
  };
  const worst = (k) => Math.max(0, ...generator.map((g) => g.loopDelay[k]));
  const candidateLoop = { processes: generator.length, p50Ms: worst('p50Ms'), p99Ms: worst('p99Ms'), maxMs: worst('maxMs') };
  return { ids, heard, rows, recordings, tree, otherCpu, agentMetrics, candidateLoop, storedGaps: await storedGaps(sql, ids) };
}

try {
  const total = REPEAT + STEPS.reduce((a, b) => a + b, 0);
  say(`bench:agent: ${total} interviews (${REPEAT} one at a time, then ${STEPS.join(', ')} at once) in ${run.home}`);
  const qFile = join(run.home, 'bench-questions.json');
  writeFileSync(qFile, JSON.stringify({ name: 'bench', lang: 'en', questions: QUESTIONS }));
  await run.cli(['questions', 'add', qFile]);
  const csv = join(run.home, 'invites.csv');
  writeFileSync(csv, inviteCsv(total, 'AGENT'));
  const created = idsByRef((await run.cli(['create', '--from', csv, '--questions', 'bench', '--duration', '1m', '--json'])).stdout);
  const ids = Array.from({ length: total }, (_, i) => created.get(`AGENT-${String(i + 1).padStart(5, '0')}`));
  if (ids.some((id) => !id)) throw new Error(`create returned ${created.size} ids for ${total} rows`);
  sql = postgres({ ...embeddedConnection(embeddedPaths(run.home)), max: 2, onnotice: () => {} });

  const answer = makeSpeechPcm(ANSWER, join(run.home, 'answer.pcm'));
  const pageParts = RECORDER === 'browser' ? makePageRecording(join(run.home, 'page-recording.mp4')) : [];
  const mp4Dir = join(run.home, 'mp4');
  mkdirSync(mp4Dir);

  say('starting versitygw, livekit-server, serve and interviewctl agent (private network namespace)');
  const s3 = run.own(await startS3({ home: run.home, port: PORTS.s3 }));
  const lk = await run.startLiveKit({ port: PORTS.livekit, webhookUrl: `http://127.0.0.1:${PORTS.serve}/webhooks/livekit` });
  const standIns = LLM ? run.own(await (await import('./agent-llm.mjs')).startLlmStandIns({ firstTokenMs: FIRST_TOKEN_MS, sttFinalMs: STT_FINAL_MS })) : undefined;
  const stackEnv = { ...s3.env, RECORDER, JOIN_RATE_LIMIT: 'off', ...(standIns?.env ?? {}) };
  const serve = await run.startServe({ port: PORTS.serve, livekitPort: PORTS.livekit, extraEnv: stackEnv });
  const agentEnv = {
    ...run.env,
    ...stackEnv,
    PUBLIC_URL: `http://127.0.0.1:${PORTS.serve}`,
    LIVEKIT_URL: lk.url,
    // Capacity is what this bench looks for: let the worker take every interview offered.
    AGENT_MAX_INTERVIEWS: String(MAX_INTERVIEWS ?? Math.max(...STEPS, 1) + 2),
    AGENT_CANDIDATE_WAIT: '60s',
    AGENT_METRICS_PORT: String(PORTS.agentMetrics),
    ...(SILENCE === 'the default' ? {} : { AGENT_END_OF_TURN_SILENCE: SILENCE }),
    AGENT_TURN_DETECTOR: TURN_DETECTOR,
    AGENT_IDLE_PROCESSES: String(IDLE),
  };
  const agent = run.own(await startAgent({ env: agentEnv, cwd: run.home, logPath: join(run.home, 'agent.log') }));
  const ctx = { pageParts, agent, lk, serve, s3, serveUrl: `http://127.0.0.1:${PORTS.serve}`, agentMetricsUrl: `http://127.0.0.1:${PORTS.agentMetrics}/metrics`, answer, mp4Dir };
  await settle(agent.pid);
  say(`answer: ${((answer.length / 48_000) * 1000 / 1000).toFixed(1)} s of speech; ${IDLE} job process(es) kept warm; stack up after ${elapsedS().toFixed(0)} s`);

  // 1. One at a time.
  let next = 0;
  const single = [];
  for (let i = 0; i < REPEAT; i++) {
    say(`1. interview ${i + 1}/${REPEAT}, alone`);
    single.push(await batch([ids[next++]], ctx));
    await settle(agent.pid);
  }

  // 2. N at once.
  const stepBatches = [];
  const skipped = [];
  let stopAfterFailure = false;
  for (const n of STEPS) {
    // A step takes about a minute plus its stagger; stop before the budget would be passed.
    const estimateS = 60 + (n * STAGGER_MS) / 1000;
    if (stopAfterFailure || elapsedS() + estimateS > BUDGET_S) {
      skipped.push(n);
      continue;
    }
    say(`2. ${n} interviews at once (joins ${STAGGER_MS} ms apart)`);
    const b = await batch(ids.slice(next, next + n), ctx);
    next += n;
    stepBatches.push({ n, b });
    const quick = summarize(n, [b]);
    say(`   ${quick.recorded}/${n} recorded; first audio p50 ${secs(quick.firstAudio.p50)}, gap p50 ${secs(quick.gap.p50)}; agent CPU ${quick.cpuPercent.toFixed(0)} % of a core`);
    // Further steps only cost time once interviews fail or latency is far past its targets.
    if (!quick.allRecorded || quick.firstAudio.p50 > 3 * TARGET_FIRST_MS || quick.gap.p50 > 3 * TARGET_GAP_MS) stopAfterFailure = true;
    await settle(agent.pid);
  }

  // Figures.
  const logFigures = agentLogFigures(agent.logText());
  const rows = [summarize(1, single, logFigures), ...stepBatches.map(({ n, b }) => summarize(n, [b], logFigures))];
  const skippedWhy = stopAfterFailure ? 'a smaller N lost interviews or ran past 3× a latency target' : 'time budget';
  const { text, sustainedN, recordedN } = formatReport({ rows, skipped, skippedWhy, staggerMs: STAGGER_MS, silence: SILENCE, totalS: elapsedS(), recorder: RECORDER });
  (JSON_OUT ? process.stderr : process.stdout).write(text);
  let llmJson;
  if (LLM) {
    const { llmReport } = await import('./agent-llm.mjs');
    const all = [...single, ...stepBatches.map(({ b }) => b)];
    const silenceMs = SILENCE === 'the default' ? 600 : Number.parseFloat(SILENCE) * (/ms$/.test(SILENCE) ? 1 : 1000);
    const report = await llmReport(sql, all.flatMap((b) => b.ids), all.flatMap((b) => b.heard), { firstTokenMs: FIRST_TOKEN_MS, sttFinalMs: STT_FINAL_MS, silenceMs, turnDetector: TURN_DETECTOR });
    (JSON_OUT ? process.stderr : process.stdout).write(report.text);
    llmJson = report.json;
  }
  const problems = rows.flatMap((r) => r.errors);
  if (problems.length > 0) say(`problems:\n  ${problems.slice(0, 12).join('\n  ')}`);
  const agentProblems = [...logFigures.entries()].filter(([, f]) => f.problems).map(([id, f]) => `${id}: ${f.problems.join('; ')}`);
  if (agentProblems.length > 0) say(`agent log warnings/errors:\n  ${agentProblems.slice(0, 12).join('\n  ')}`);
  if (JSON_OUT) {
    const json = { bench: 'agent', recorder: RECORDER, idleProcesses: IDLE, targets: { firstAudioP50Ms: TARGET_FIRST_MS, gapP50Ms: TARGET_GAP_MS }, staggerMs: STAGGER_MS, endOfTurnSilence: SILENCE, firstAudioMs: rows[0].firstAudio, gapMs: rows[0].gap, steps: rows, sustainedN, recordedN, skipped, totalS: Math.round(elapsedS()), ...(llmJson ? { llm: llmJson } : {}) };
    process.stdout.write(`${JSON.stringify(json)}\n`);
  }
} catch (err) {
  say(`bench:agent failed: ${err?.stack ?? err}`);
  process.exitCode = 1;
} finally {
  await sql?.end({ timeout: 5 }).catch(() => {});
  await run.cleanup();
  await dispose().catch(() => {});
}
