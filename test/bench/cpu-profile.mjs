// Where a job process's CPU goes, for bench:agent-cpu: per-thread CPU from /proc (native threads
// included: libwebrtc's decoder, onnxruntime, the espeak-ng worker thread) and the self time of
// V8's CPU profiles (`--cpu-prof`, one file per thread) sorted into categories.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const TICK_MS = 10; // CLK_TCK is 100 on Linux x86-64

function readStat(path) {
  try {
    const stat = readFileSync(path, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { comm, ppid: Number(f[1]), ms: (Number(f[11]) + Number(f[12])) * TICK_MS };
  } catch {
    return undefined;
  }
}

/** A thread's name without its number: "tokio-runtime-w", "libuv-worker", "ffmpeg". */
const threadGroup = (comm) => comm.replace(/[-_ ]?\d+$/, '').replace(/#\d+$/, '') || comm;

/**
 * Samples every thread of every process under `root` each `everyMs` until stopped, keeping each
 * thread's first and last CPU reading (a thread's last moment before it exits is missed).
 * `stop()` → {threads: [{pid, tid, comm, ms}], parents: pid → ppid, comms: pid → process comm}.
 */
export function sampleThreads(root, everyMs = 1000) {
  const seen = new Map(); // `${pid}/${tid}` → {pid, tid, comm, first, last}
  const parents = new Map();
  const comms = new Map();
  const look = () => {
    const at = performance.now();
    const table = new Map();
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const s = readStat(`/proc/${name}/stat`);
      if (s) table.set(Number(name), s);
    }
    const under = new Set([root]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const [pid, s] of table) if (!under.has(pid) && under.has(s.ppid)) (under.add(pid), (grew = true));
    }
    for (const pid of under) {
      const p = table.get(pid);
      if (!p) continue;
      parents.set(pid, p.ppid);
      comms.set(pid, p.comm);
      let tids = [];
      try {
        tids = readdirSync(`/proc/${pid}/task`);
      } catch {
        continue;
      }
      for (const tid of tids) {
        const t = readStat(`/proc/${pid}/task/${tid}/stat`);
        if (!t) continue;
        const key = `${pid}/${tid}`;
        const prev = seen.get(key);
        const series = prev ? prev.series : [];
        series.push([at, t.ms]);
        seen.set(key, { pid, tid: Number(tid), comm: t.comm, first: prev ? prev.first : t.ms, last: t.ms, new: prev ? prev.new : true, series });
      }
    }
  };
  look();
  // Threads there before the window count from their reading then; new ones from zero.
  for (const v of seen.values()) v.new = false;
  const timer = setInterval(look, everyMs);
  return {
    stop() {
      clearInterval(timer);
      look();
      const threads = [...seen.values()].map((v) => ({ pid: v.pid, tid: v.tid, comm: v.comm, ms: v.last - (v.new ? 0 : v.first), series: v.series }));
      return { threads, parents, comms };
    },
  };
}

const groupOf = (sample, t) =>
  sample.comms.get(t.pid) === 'ffmpeg' ? 'ffmpeg (child process)' : t.pid === t.tid ? 'node main thread' : t.comm === 'node' ? 'node (JS worker threads, libuv pool, V8 helpers)' : threadGroup(t.comm);

/** CPU ms by thread group over the given processes (their ffmpeg children counted as "ffmpeg"). */
export function threadTable(sample, jobPids) {
  const jobs = new Set(jobPids);
  const groups = new Map();
  for (const t of sample.threads) {
    const isFfmpeg = sample.comms.get(t.pid) === 'ffmpeg' && jobs.has(sample.parents.get(t.pid));
    if (!jobs.has(t.pid) && !isFfmpeg) continue;
    const g = groupOf(sample, t);
    groups.set(g, (groups.get(g) ?? 0) + t.ms);
  }
  return groups;
}

/** A thread's CPU ms between two moments (performance.now()), from its 1 s readings. */
function cpuBetween(series, from, to) {
  const at = (time) => {
    let v = series[0][1];
    for (const [t, ms] of series) if (t <= time) v = ms;
    return v;
  };
  return at(to) - at(from);
}

/**
 * The steady part of each interview: from `settleMs` after its ffmpeg appeared (recording
 * started, greeting synthesised) to `tailMs` before it went away, so a job process's start-up,
 * synthesis ahead of time and the upload at the end are left out. → {minutes, groups: Map<group,
 * ms>} summed over the interviews: CPU per minute of conversation, whatever the interview's length.
 */
export function steadyTable(sample, jobPids, { settleMs = 10_000, tailMs = 3_000 } = {}) {
  const groups = new Map();
  let minutes = 0;
  for (const job of jobPids) {
    const ffmpeg = sample.threads.filter((t) => sample.comms.get(t.pid) === 'ffmpeg' && sample.parents.get(t.pid) === job);
    if (ffmpeg.length === 0) continue;
    // The window is the recorder's ffmpeg (the first one): RECORDER=browser's ffmpegs that join the
    // page's segments at the end are counted inside it, not used to stretch it.
    const firstAt = (pid) => Math.min(...ffmpeg.filter((t) => t.pid === pid).flatMap((t) => t.series.map(([at]) => at)));
    const recorderPid = [...new Set(ffmpeg.map((t) => t.pid))].sort((a, b) => firstAt(a) - firstAt(b))[0];
    const times = ffmpeg.filter((t) => t.pid === recorderPid).flatMap((t) => t.series.map(([at]) => at));
    const from = Math.min(...times) + settleMs;
    const to = Math.max(...times) - tailMs;
    if (to - from < 5_000) continue;
    minutes += (to - from) / 60_000;
    for (const t of sample.threads) {
      if (t.pid !== job && !ffmpeg.includes(t)) continue;
      const g = groupOf(sample, t);
      groups.set(g, (groups.get(g) ?? 0) + cpuBetween(t.series, from, to));
    }
  }
  return { minutes, groups };
}

/** The thread of V8's profiler itself: the bench's cost, not the interview's. */
export const PROFILER_THREAD = 'v8:ProfEvntProc';

/** Job processes of the sample that ran an interview: the parents of a recorder's ffmpeg. */
export function interviewPids(sample) {
  const out = new Set();
  for (const [pid, comm] of sample.comms) if (comm === 'ffmpeg') out.add(sample.parents.get(pid));
  return [...out];
}

const CATEGORIES = [
  ['espeak-ng (WASM, its thread)', (u, fn) => /espeak-ng/.test(u) || /^wasm-function/.test(fn)],
  ['Silero VAD', (u) => /onnxruntime|silero|\/inference\/vad|\/vad\.js/.test(u)],
  ['protobuf (FFI messages)', (u) => /@bufbuild\/protobuf|_pb\.js/.test(u)],
  ['rtc-node FFI', (u) => /@livekit\/rtc-node|rtc-ffi-bindings/.test(u)],
  ['recorder (ours)', (u) => /\/agent\/recorder\//.test(u)],
  ['agents-js', (u) => /@livekit\/agents/.test(u)],
  ['our other code', (u) => /\/dist\/(agent|cli)\//.test(u)],
  ['postgres / pino / aws-sdk', (u) => /node_modules\/(postgres|pino|@aws-sdk|@smithy|sonic-boom)/.test(u)],
  ['garbage collector', (u, fn) => fn === '(garbage collector)'],
  ['native, outside JS ((program))', (u, fn) => fn === '(program)'],
  ['node internals and the rest', () => true],
];

/**
 * The self time (ms) of a V8 `.cpuprofile` by category and by function, idle excluded.
 * → {total, categories: Map, functions: Map}
 */
export function profileSelfTime(file) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const dt = new Map();
  for (let i = 0; i < p.samples.length; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  const categories = new Map();
  const functions = new Map();
  let total = 0;
  for (const [id, ms] of dt) {
    const { functionName: fn, url, lineNumber } = nodes.get(id).callFrame;
    if (fn === '(idle)') continue;
    const cat = CATEGORIES.find(([, test]) => test(url, fn))[0];
    categories.set(cat, (categories.get(cat) ?? 0) + ms);
    const where = url ? `${url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, 'dist/').replace(/^file:\/\//, '')}:${lineNumber + 1}` : '';
    const key = `${fn || '(anonymous)'} ${where}`.trim();
    functions.set(key, (functions.get(key) ?? 0) + ms);
    total += ms;
  }
  return { total, categories, functions };
}

/** Adds up the profiles in `dir` written by the processes `pids` (every thread of each). */
export function profilesOf(dir, pids) {
  const want = new Set(pids.map(String));
  const sum = { total: 0, categories: new Map(), functions: new Map(), files: 0 };
  let files = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    return sum;
  }
  for (const f of files) {
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile
    const pid = f.split('.')[3];
    if (!want.has(pid)) continue;
    const one = profileSelfTime(join(dir, f));
    sum.total += one.total;
    sum.files++;
    for (const k of ['categories', 'functions']) for (const [name, ms] of one[k]) sum[k].set(name, (sum[k].get(name) ?? 0) + ms);
  }
  return sum;
}

export const CATEGORY_NAMES = CATEGORIES.map(([name]) => name);
