#!/usr/bin/env node
// bench:agent-cpu — issue 15, item 3: what one interview costs the agent in CPU, and where it
// goes, before and after, measured back to back in one run. Inside a private network namespace:
// a fresh embedded database, a real livekit-server, `interviewctl serve` and versitygw (this
// tree's build), then two agents one after the other — the baseline (`--baseline REF`, built from
// git once and kept under ~/.cache/interviewctl/) and this tree — each running the same
// interviews (`--n` at once, the synthetic candidates of bench:agent) under `--cpu-prof`
// (sampling every 5 ms, to keep the profiler's own cost small; both sides pay it). For each it prints:
//   - CPU-seconds per minute of conversation of the processes that ran an interview (the job
//     process, every thread, and its ffmpeg; from /proc each second), over each interview's
//     steady part (10 s after its recorder started until 3 s before it stopped), so interviews of
//     different lengths compare; the CPU of a whole interview (start-up, synthesis, upload) beside
//     it, and the worker's; the ratio after/before;
//   - the steady part by thread (node's main thread, libwebrtc's decoder and audio threads, the
//     JS worker threads, ffmpeg), the JavaScript threads by category (V8 profiles' proportions
//     applied to those threads' CPU) and the top functions.
// On a busy machine the candidate's encoder (libwebrtc) lowers its resolution by itself and the
// interviews' turns stretch: compare rounds run back to back (`--rounds`), and read the load
// average printed with them.
// `--camera browser` publishes like the candidate page (1280x720 at 30 fps with simulcast, what
// livekit-client sends by default); `--camera synthetic` (default) bench:agent's 640x360 at 20 fps.
// `--rounds R` repeats baseline-then-current R times (figures summed), for a busy machine.
// `--recorder browser` (issue 16): this tree on both sides, RECORDER=agent ("before") then
// RECORDER=browser ("after"), each with a serve of its own; the browser side's candidates record
// like the page (test/bench/page-upload.mjs: a real fragmented MP4 sent a ~3 s part at a time until
// the interviewer says stop), and the CPU of the serve that received the parts is printed beside.
// A measurement: exits 0 whichever way the figures go, 1 only when the run itself breaks.
//
//   npm run bench:agent-cpu [-- --camera browser] [--recorder browser] [--n 2] [--rounds 1] [--baseline 8d4cae9] [--top 12] [--json]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATEGORY_NAMES, interviewPids, PROFILER_THREAD, profilesOf, sampleThreads, steadyTable, threadTable } from './cpu-profile.mjs';
import { cpuMeter, createRun, idsByRef, inviteCsv, numberOption, reexecInNamespace, ROOT, say, sleep, table } from './live.mjs';

reexecInNamespace(fileURLToPath(import.meta.url), { privateLink: true });

const opt = (name, fallback) => (process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1] : fallback);
// The commit before issue 15's CPU cuts: what "before" means unless told otherwise.
const BASELINE = opt('baseline', '8d4cae9');
const N = numberOption('n', 2);
const ROUNDS = numberOption('rounds', 1);
const TOP = numberOption('top', 12);
const CAMERA = opt('camera', 'synthetic');
const JSON_OUT = process.argv.includes('--json');
const RECORDER = opt('recorder', 'baseline');
if (!['baseline', 'browser'].includes(RECORDER)) {
  say('--recorder: browser (RECORDER=agent vs RECORDER=browser, this tree) or leave it out (a baseline commit vs this tree)');
  process.exit(2);
}
const BROWSER = RECORDER === 'browser';
if (!['synthetic', 'browser'].includes(CAMERA)) {
  say('--camera: synthetic or browser');
  process.exit(2);
}
const PORTS = { livekit: 7880, serve: 8080, s3: 7070 };
const QUESTIONS = [
  { text: 'What is your current role?', timeLimit: '20s' },
  { text: 'What would you like to learn next?', timeLimit: '20s' },
];
const ANSWER = 'I lead a small team that builds media servers and recording tools for real time video.';
const FINAL = new Set(['completed', 'failed', 'expired', 'revoked']);

// rtc-node logs at debug level to stdout unless NODE_ENV is production when it loads.
const nodeEnv = process.env.NODE_ENV;
process.env.NODE_ENV = 'production';
const { makeSpeechPcm, makeVideoLoop, runCandidate } = await import('./agent-candidate.mjs');
const { BROWSER_CAMERA, SYNTHETIC_CAMERA } = await import(join(ROOT, 'dist/cli/adapters/livekit/synthetic-candidate.js'));
if (nodeEnv === undefined) delete process.env.NODE_ENV;
else process.env.NODE_ENV = nodeEnv;
const { startAgent, startS3 } = await import('./agent-stack.mjs');
const { makePageRecording, startPageUpload } = await import('./page-upload.mjs');
const { dispose } = await import('@livekit/rtc-node');
const { default: postgres } = await import('postgres');
const { embeddedConnection, embeddedPaths } = await import(join(ROOT, 'dist/cli/adapters/db/embedded.js'));

const run = createRun('bench-agent-cpu');
let sql;

/**
 * `git archive REF` of this repository compiled with tsc, kept under ~/.cache/interviewctl/ by
 * commit (a commit's build does not change); returns its bin/interviewctl.
 */
function buildBaseline(ref) {
  const commit = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short=12', `${ref}^{commit}`], { encoding: 'utf8' }).trim();
  const dir = join(process.env.HOME ?? '/root', '.cache/interviewctl', `bench-baseline-${commit}`);
  const bin = join(dir, 'bin/interviewctl');
  if (existsSync(join(dir, 'dist/cli/main.js'))) return { bin, commit };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const tar = spawnSync('sh', ['-c', `git -C "${ROOT}" archive "${commit}" | tar -x -C "${dir}"`], { encoding: 'utf8' });
  if (tar.status !== 0) throw new Error(`git archive ${ref} failed: ${tar.stderr}`);
  // The same dependencies: this tree's node_modules; other ones (an older commit had the
  // onnxruntime Silero plugin): its own, installed from its lock file.
  const sameDeps = spawnSync('git', ['-C', ROOT, 'diff', '--quiet', commit, '--', 'package-lock.json']).status === 0;
  if (sameDeps) symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  else {
    say(`installing ${ref}'s own dependencies (its package-lock.json differs from this tree's)`);
    const ci = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8' });
    if (ci.status !== 0) {
      rmSync(join(dir, 'node_modules'), { recursive: true, force: true });
      throw new Error(`npm ci for ${ref} failed:\n${(ci.stdout + ci.stderr).slice(-2000)}`);
    }
  }
  const tsc = spawnSync(process.execPath, [join(dir, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
  if (tsc.status !== 0) {
    rmSync(join(dir, 'dist'), { recursive: true, force: true });
    throw new Error(`building ${ref} failed:\n${(tsc.stdout + tsc.stderr).slice(-2000)}`);
  }
  return { bin, commit };
}

async function waitFinal(ids, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await sql`select id, status, recording_key, end_reason, recording_check from interviews where id = any(${ids})`;
    if (rows.every((r) => FINAL.has(r.status)) || Date.now() > deadline) return new Map(rows.map((r) => [r.id, r]));
    await sleep(500);
  }
}

/** One variant's round: its agent, `ids.length` interviews at once, its figures. */
async function measure(variant, ids, ctx, round) {
  const profDir = join(run.home, 'prof', `${variant.name}-${round}`);
  mkdirSync(profDir, { recursive: true });
  const serve = ctx.serves[variant.name];
  const agentEnv = { ...ctx.agentEnv, RECORDER: variant.recorder, PUBLIC_URL: serve.url };
  const agent = await startAgent({ env: agentEnv, cwd: run.home, logPath: join(run.home, `agent-${variant.name}-${round}.log`), bin: variant.bin, nodeArgs: ['--cpu-prof', '--cpu-prof-interval=5000', `--cpu-prof-dir=${profDir}`] });
  try {
    await sleep(8000); // the worker's idle job processes load their models
    const sample = sampleThreads(agent.pid, 1000);
    const serveCpu = cpuMeter(() => [serve.pid]);
    const heard = [];
    for (let i = 0; i < ids.length; i++) {
      if (i > 0) await sleep(1000);
      const pageRecorder = variant.recorder === 'browser' ? (c) => startPageUpload({ ...c, parts: ctx.pageParts }) : undefined;
      heard.push(runCandidate({ serveUrl: serve.url, id: ids[i], answer: ctx.answer, video: ctx.video, camera: ctx.camera, deadlineMs: 90_000, pageRecorder }));
    }
    const candidates = await Promise.all(heard);
    const rows = await waitFinal(ids, 120_000);
    await sleep(1500); // the job processes exit and write their profiles
    const s = sample.stop();
    const serveMs = serveCpu().total;
    const jobs = interviewPids(s);
    const recordings = await Promise.all(
      ids.map(async (id) => {
        const row = rows.get(id);
        if (row?.status !== 'completed' || !row.recording_key) return { id, ok: false, seconds: 0, error: `status ${row?.status}${row?.end_reason ? ` (${row.end_reason})` : ''}` };
        return { id, ...(await ctx.s3.probeRecording(row.recording_key, ctx.mp4Dir, variant.recorder === 'browser' ? 'audio:aac,video:h264' : undefined)) };
      }),
    );
    const threads = threadTable(s, jobs);
    const steady = steadyTable(s, jobs);
    const workerMs = s.threads.filter((t) => t.pid === agent.pid).reduce((a, t) => a + t.ms, 0);
    const uploads = candidates.map((c) => c.pageUpload).filter(Boolean);
    const checks = ids.map((id) => rows.get(id)?.recording_check).filter(Boolean);
    const uploadErrors = variant.recorder === 'browser' ? candidates.filter((c) => !c.pageUpload?.completed).map((c) => `${c.id}: the page upload ${c.pageUpload?.error ?? 'never started'}`) : [];
    return { candidates, recordings, threads, steady, workerMs, serveMs, uploads, checks, jobs, profDir, errors: [...uploadErrors, ...candidates.filter((c) => c.error).map((c) => `${c.id}: ${c.error}`), ...recordings.filter((r) => !r.ok).map((r) => `${r.id}: ${r.error ?? r.codecs}`)] };
  } finally {
    await agent.stop();
  }
}

function sumInto(acc, map) {
  for (const [k, v] of map) acc.set(k, (acc.get(k) ?? 0) + v);
}

/**
 * One variant's rounds added up: CPU-seconds per minute of steady conversation (by thread), per
 * whole interview, and the JavaScript threads' CPU shared out by the profiles' proportions.
 */
function figuresOf(results) {
  const interviews = results.reduce((a, r) => a + r.recordings.length, 0);
  const recordedSeconds = results.flatMap((r) => r.recordings).reduce((a, r) => a + (r.seconds || 0), 0);
  const threads = new Map();
  const steady = new Map();
  let steadyMinutes = 0;
  const categories = new Map();
  const functions = new Map();
  let profiled = 0;
  let workerMs = 0;
  let serveMs = 0;
  for (const r of results) {
    serveMs += r.serveMs;
    sumInto(threads, r.threads);
    sumInto(steady, r.steady.groups);
    steadyMinutes += r.steady.minutes;
    workerMs += r.workerMs;
    const p = profilesOf(r.profDir, r.jobs);
    sumInto(categories, p.categories);
    sumInto(functions, p.functions);
    profiled += p.total;
  }
  const isJob = (k) => !k.startsWith('ffmpeg') && k !== PROFILER_THREAD;
  const isJs = (k) => k === 'node main thread' || k.startsWith('node (');
  const sum = (m, test) => [...m].filter(([k]) => test(k)).reduce((a, [, v]) => a + v, 0);
  const perMin = (ms) => ms / 1000 / Math.max(steadyMinutes, 1e-9);
  const perInterview = (ms) => ms / 1000 / Math.max(interviews, 1);
  // The profiles' self time is wall time while a thread was not idle, which a busy machine
  // stretches: the JavaScript threads' real CPU over the steady part (/proc) is shared out in the
  // profiles' proportions (the profiles span the process's life, start-up included).
  const jsMs = sum(steady, isJs);
  return {
    interviews,
    recorded: results.reduce((a, r) => a + r.recordings.filter((x) => x.ok).length, 0),
    recordedSecondsAvg: recordedSeconds / Math.max(interviews, 1),
    steadyMinutes,
    perMinute: { job: perMin(sum(steady, isJob)), ffmpeg: perMin(sum(steady, (k) => k.startsWith('ffmpeg'))), jobAndFfmpeg: perMin(sum(steady, (k) => k !== PROFILER_THREAD)) },
    perInterview: { jobAndFfmpeg: perInterview(sum(threads, (k) => k !== PROFILER_THREAD)), worker: perInterview(workerMs), serve: perInterview(serveMs) },
    witness: { checked: results.flatMap((r) => r.checks).length, agree: results.flatMap((r) => r.checks).filter((c) => c.agrees).length, details: results.flatMap((r) => r.checks).filter((c) => !c.agrees).map((c) => c.detail) },
    uploads: { parts: results.flatMap((r) => r.uploads).reduce((a, u) => a + u.parts, 0), bytes: results.flatMap((r) => r.uploads).reduce((a, u) => a + u.bytes, 0) },
    threads: Object.fromEntries([...steady].map(([k, v]) => [k, perMin(v)])),
    profilerPerMinute: perMin(steady.get(PROFILER_THREAD) ?? 0),
    jsPerMinute: perMin(jsMs),
    categories: Object.fromEntries([...categories].map(([k, v]) => [k, { share: v / profiled, perMinute: perMin((jsMs * v) / profiled) }])),
    topFunctions: [...functions].sort((a, b) => b[1] - a[1]).slice(0, TOP).map(([name, ms]) => ({ name, share: ms / profiled, perMinute: perMin((jsMs * ms) / profiled) })),
    errors: results.flatMap((r) => r.errors),
  };
}

const f2 = (n) => (Number.isFinite(n) ? n.toFixed(2) : '—');
const pct = (part, whole) => (whole > 0 ? `${((part / whole) * 100).toFixed(1)} %` : '—');

function report(before, after, meta) {
  const lines = [];
  lines.push(`bench:agent-cpu — camera ${meta.camera.width}x${meta.camera.height} at ${meta.camera.fps} fps${meta.camera.simulcast ? ', simulcast' : ''}; ${N} interview(s) at once × ${ROUNDS} round(s) per side; load average ${meta.load}`);
  lines.push(`${meta.sides}; interviews ${f2(before.recordedSecondsAvg)} / ${f2(after.recordedSecondsAvg)} s long on average`);
  lines.push('');
  const rows = [['', 'before', 'after', 'after/before']];
  rows.push(['CPU-s per minute of conversation (steady part)', '', '', '']);
  for (const [k, label] of [['jobAndFfmpeg', '  job process + its ffmpeg'], ['job', '    job process'], ['ffmpeg', '    ffmpeg']]) rows.push([label, f2(before.perMinute[k]), f2(after.perMinute[k]), f2(after.perMinute[k] / before.perMinute[k])]);
  rows.push(['CPU-s per whole interview (start-up, synthesis, upload in)', '', '', '']);
  for (const [k, label] of [['jobAndFfmpeg', '  job process + its ffmpeg'], ['worker', '  worker (shared)'], ...(BROWSER ? [['serve', '  serve (receives the parts; LiveKit webhooks go to the agent side\'s)']] : [])]) rows.push([label, f2(before.perInterview[k]), f2(after.perInterview[k]), f2(after.perInterview[k] / before.perInterview[k])]);
  lines.push(table(rows));
  lines.push('');
  lines.push(`by thread, steady part (CPU-s per minute of conversation; ${f2(before.steadyMinutes)} / ${f2(after.steadyMinutes)} minutes measured):`);
  const names = [...new Set([...Object.keys(before.threads), ...Object.keys(after.threads)])].filter((n) => n !== PROFILER_THREAD).sort((a, b) => (before.threads[b] ?? 0) - (before.threads[a] ?? 0));
  const t = [['thread', 'before', 'share', 'after', 'share']];
  for (const n of names) t.push([n, f2(before.threads[n] ?? 0), pct(before.threads[n] ?? 0, before.perMinute.jobAndFfmpeg), f2(after.threads[n] ?? 0), pct(after.threads[n] ?? 0, after.perMinute.jobAndFfmpeg)]);
  lines.push(table(t));
  lines.push(`(not counted above: V8's profiler thread, this bench's own cost: ${f2(before.profilerPerMinute)} / ${f2(after.profilerPerMinute)})`);
  lines.push('');
  lines.push('the JavaScript threads (node main thread + node threads above) by category: V8 profiles\' self time');
  lines.push('over each job process\'s life (start-up included) as shares, applied to those threads\' steady CPU-s per minute:');
  const c = [['category', 'before', 'share', 'after', 'share']];
  const cat = (side, n) => side.categories[n] ?? { share: 0, perMinute: 0 };
  for (const n of CATEGORY_NAMES) {
    if (!(n in before.categories) && !(n in after.categories)) continue;
    c.push([n, f2(cat(before, n).perMinute), pct(cat(before, n).share, 1), f2(cat(after, n).perMinute), pct(cat(after, n).share, 1)]);
  }
  c.push(['JavaScript threads, total', f2(before.jsPerMinute), '', f2(after.jsPerMinute), '']);
  lines.push(table(c));
  for (const [label, side] of [['before', before], ['after', after]]) {
    lines.push('');
    lines.push(`top functions, ${label} (self time):`);
    lines.push(table([['function', '≈ CPU-s/min', 'share'], ...side.topFunctions.map((f) => [f.name.slice(0, 90), f2(f.perMinute), `${(f.share * 100).toFixed(1)} %`])]));
  }
  lines.push('');
  lines.push(`recorded: before ${before.recorded}/${before.interviews}, after ${after.recorded}/${after.interviews}`);
  if (BROWSER) lines.push(`page uploads (after): ${after.uploads.parts} parts, ${(after.uploads.bytes / 1e6).toFixed(1)} MB; the audio witness agreed with ${after.witness.agree}/${after.witness.checked} recording(s)${after.witness.details.length ? ` (${after.witness.details.join('; ')})` : ''}`);
  const ratio = after.perMinute.jobAndFfmpeg / before.perMinute.jobAndFfmpeg;
  const fits = (side) => Math.floor(120 / side.perMinute.jobAndFfmpeg);
  lines.push(`per minute of conversation: ${f2(before.perMinute.jobAndFfmpeg)} → ${f2(after.perMinute.jobAndFfmpeg)} CPU-s (${f2(1 / ratio)}× less); 2 cores give 120 CPU-s a minute: ~${fits(before)} → ~${fits(after)} interviews at once by the job processes' CPU alone (the worker, start-ups, LiveKit and latency not counted)`);
  return `${lines.join('\n')}\n`;
}

try {
  const camera = CAMERA === 'browser' ? BROWSER_CAMERA : SYNTHETIC_CAMERA;
  const total = 2 * N * ROUNDS;
  const here = join(ROOT, 'bin/interviewctl');
  let baseline = { commit: 'this tree' };
  let variants = [{ name: 'before', bin: here, recorder: 'agent' }, { name: 'after', bin: here, recorder: 'browser' }];
  if (!BROWSER) {
    say(`bench:agent-cpu: the baseline ${BASELINE} (built once under ~/.cache/interviewctl/)`);
    baseline = buildBaseline(BASELINE);
    variants = [{ name: 'before', bin: baseline.bin, recorder: 'agent' }, { name: 'after', bin: here, recorder: 'agent' }];
  }
  const qFile = join(run.home, 'bench-questions.json');
  writeFileSync(qFile, JSON.stringify({ name: 'bench', lang: 'en', questions: QUESTIONS }));
  await run.cli(['questions', 'add', qFile]);
  const csv = join(run.home, 'invites.csv');
  writeFileSync(csv, inviteCsv(total, 'CPU'));
  const created = idsByRef((await run.cli(['create', '--from', csv, '--questions', 'bench', '--duration', '1m', '--json'])).stdout);
  const ids = Array.from({ length: total }, (_, i) => created.get(`CPU-${String(i + 1).padStart(5, '0')}`));
  sql = postgres({ ...embeddedConnection(embeddedPaths(run.home)), max: 2, onnotice: () => {} });
  const mp4Dir = join(run.home, 'mp4');
  mkdirSync(mp4Dir);

  say('starting versitygw, livekit-server and serve (private network namespace)');
  const s3 = run.own(await startS3({ home: run.home, port: PORTS.s3 }));
  const lk = await run.startLiveKit({ port: PORTS.livekit, webhookUrl: `http://127.0.0.1:${PORTS.serve}/webhooks/livekit` });
  const stackEnv = { ...s3.env, RECORDER: 'agent', JOIN_RATE_LIMIT: 'off' };
  const serve = await run.startServe({ port: PORTS.serve, livekitPort: PORTS.livekit, extraEnv: stackEnv });
  const serves = { before: { pid: serve.pid, url: `http://127.0.0.1:${PORTS.serve}` } };
  serves.after = serves.before;
  if (BROWSER) {
    const pageServe = await run.startServe({ port: PORTS.serve + 1, livekitPort: PORTS.livekit, extraEnv: { ...stackEnv, RECORDER: 'browser' }, name: 'serve-browser' });
    serves.after = { pid: pageServe.pid, url: `http://127.0.0.1:${PORTS.serve + 1}` };
  }
  const agentEnv = { ...run.env, ...stackEnv, PUBLIC_URL: `http://127.0.0.1:${PORTS.serve}`, LIVEKIT_URL: lk.url, AGENT_MAX_INTERVIEWS: String(N + 2), AGENT_CANDIDATE_WAIT: '60s' };
  const pageParts = BROWSER ? makePageRecording(join(run.home, 'page-recording.mp4')) : [];
  const ctx = { agentEnv, s3, serves, pageParts, answer: makeSpeechPcm(ANSWER, join(run.home, 'answer.pcm')), video: makeVideoLoop(camera), camera, mp4Dir };

  const results = { before: [], after: [] };
  let next = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    for (const v of variants) {
      say(`round ${round}/${ROUNDS}: ${v.name}, ${N} interview(s) at once`);
      results[v.name].push(await measure(v, ids.slice(next, next + N), ctx, round));
      next += N;
    }
  }
  const before = figuresOf(results.before);
  const after = figuresOf(results.after);
  const load = (await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ');
  const sides = BROWSER ? 'before = RECORDER=agent, after = RECORDER=browser (this tree for both)' : `before = ${baseline.commit}, after = this tree`;
  (JSON_OUT ? process.stderr : process.stdout).write(report(before, after, { camera, baseline: baseline.commit, load, sides }));
  const problems = [...before.errors, ...after.errors];
  if (problems.length > 0) say(`problems:\n  ${problems.join('\n  ')}`);
  if (JSON_OUT) process.stdout.write(`${JSON.stringify({ bench: 'agent-cpu', recorder: RECORDER, camera, n: N, rounds: ROUNDS, baseline: baseline.commit, load, before, after, ratio: after.perMinute.jobAndFfmpeg / before.perMinute.jobAndFfmpeg })}\n`);
} catch (err) {
  say(`bench:agent-cpu failed: ${err?.stack ?? err}`);
  process.exitCode = 1;
} finally {
  await sql?.end({ timeout: 5 }).catch(() => {});
  await run.cleanup();
  await dispose().catch(() => {});
}
