// The parts bench:agent adds to live.mjs's run: versitygw as S3 with its bucket, the real
// `interviewctl agent` worker, a meter of the worker's whole process tree (job processes and their
// ffmpeg included), and the check that an interview's MP4 is in the bucket and plays.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { procCmdline, spawnLogged, stopProcess, waitUntil } from '../stack/process.mjs';
import { s3ClientFor, s3EnvOf, startVersitygw } from '../stack/versitygw.mjs';
import { BIN } from './live.mjs';

const BUCKET = 'bench-interviews';
const PAGE_KB = 4;

/** versitygw on loopback with a bucket; returns the S3_* settings and a client. */
export async function startS3({ home, port }) {
  const gw = await startVersitygw({ dir: join(home, 's3'), port, accessKeyId: 'bench-access-key', secretAccessKey: 'bench-secret-key-0123456789abcdef' });
  const client = s3ClientFor(gw);
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const env = s3EnvOf(gw, BUCKET);
  return {
    env,
    pid: gw.pid,
    async stop() {
      client.destroy();
      await gw.stop();
    },
    /** Fetches the MP4 and probes it: codecs (H.264 and three AAC tracks: the mix, the interviewer, the candidate) and length. Never throws. */
    /** `expect`: the streams of a good recording (RECORDER=agent's: the mix and each voice; browser's: one). */
    async probeRecording(key, dir, expect = 'audio:aac,audio:aac,audio:aac,video:h264') {
      try {
        const res = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
        const bytes = Buffer.from(await res.Body.transformToByteArray());
        const file = join(dir, `${key.replace(/[^a-zA-Z0-9.]/g, '_')}`);
        writeFileSync(file, bytes);
        const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file], { encoding: 'utf8' }));
        const codecs = probe.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort().join(',');
        return { ok: codecs === expect, bytes: bytes.length, seconds: Number(probe.format.duration), codecs };
      } catch (err) {
        return { ok: false, error: err?.message ?? String(err) };
      }
    },
  };
}

/**
 * Starts `interviewctl agent` with its log in a file; resolves once the worker has registered.
 * `stop()` ends the worker by PID, then any of its job processes or ffmpeg it left behind (also
 * by PID, checked against the command line each had), and the same happens if this script dies.
 */
export async function startAgent({ env, cwd, logPath, bin = BIN, nodeArgs = [] }) {
  // BENCH_AGENT_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") or `nodeArgs`: node flags
  // for the worker, which its job processes inherit (fork passes execArgv on); NODE_OPTIONS
  // refuses --cpu-prof. `bin`: another build's bin/interviewctl (bench:agent-cpu's baseline).
  nodeArgs = [...(process.env.BENCH_AGENT_NODE_ARGS ?? '').split(' ').filter(Boolean), ...nodeArgs];
  const { child, exited, logText } = spawnLogged(process.execPath, [...nodeArgs, bin, 'agent'], { env, cwd, logPath });
  let known = new Map(); // pid → command line, the tree as last seen
  const look = () => {
    const now = new Map();
    for (const pid of treeSample(child.pid).pids) if (pid !== child.pid) now.set(pid, procCmdline(pid));
    if (now.size > 0 || child.exitCode === null) known = now;
  };
  const watcher = setInterval(look, 2000);
  watcher.unref();
  const killLeftovers = () => {
    for (const [pid, cmdline] of known) {
      if (cmdline && procCmdline(pid) === cmdline) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
      }
    }
  };
  process.on('exit', killLeftovers);
  const handle = {
    pid: child.pid,
    logPath,
    logText,
    async stop() {
      clearInterval(watcher);
      look();
      await stopProcess(child, { graceMs: 20_000 });
      await new Promise((r) => setTimeout(r, 500));
      killLeftovers();
      process.off('exit', killLeftovers);
    },
  };
  try {
    await waitUntil(
      async () => {
        const exit = exited();
        if (exit) throw new Error(`interviewctl agent exited (${exit.code ?? exit.signal}) while starting:\n${logText().slice(-3000)}`);
        return existsSync(logPath) && /agent worker registered/.test(logText());
      },
      { timeoutMs: 90_000, intervalMs: 200, what: 'interviewctl agent to register' },
    );
  } catch (err) {
    await handle.stop();
    throw err;
  }
  return handle;
}

const TICK_MS = 1000 / (Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100);

/** pid → {ppid, cpuMs (own + reaped children), rssKb, comm} for every process, from /proc. */
function processTable() {
  const table = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime, stime, cutime, cstime: a reaped child's time moves into its parent's c-fields, so
      // the sum over live processes of a tree only grows, also when job processes exit.
      const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      table.set(Number(name), { ppid: Number(f[1]), cpuMs: ticks * TICK_MS, ownMs: (Number(f[11]) + Number(f[12])) * TICK_MS, rssKb: Number(f[21]) * PAGE_KB, comm });
    } catch {
      // exited while we looked
    }
  }
  return table;
}

/** The process tree under `root` (inclusive): CPU ms so far, RSS now, and how many of each command. */
export function treeSample(root) {
  const table = processTable();
  const children = new Map();
  for (const [pid, p] of table) {
    if (!children.has(p.ppid)) children.set(p.ppid, []);
    children.get(p.ppid).push(pid);
  }
  const sample = { cpuMs: 0, rssKb: 0, processes: 0, ffmpeg: 0, pids: [], own: new Map() };
  const stack = table.has(root) ? [root] : [];
  while (stack.length > 0) {
    const pid = stack.pop();
    const p = table.get(pid);
    sample.cpuMs += p.cpuMs;
    sample.rssKb += p.rssKb;
    sample.processes++;
    sample.pids.push(pid);
    sample.own.set(pid, { ms: p.ownMs, rssKb: p.rssKb, role: pid === root ? 'worker' : p.comm === 'ffmpeg' ? 'ffmpeg' : 'job' });
    if (p.comm === 'ffmpeg') sample.ffmpeg++;
    stack.push(...(children.get(pid) ?? []));
  }
  return sample;
}

/** CPU ms of single processes (no children), for the other parts of the stack. */
export function processCpuMs(pids) {
  const table = processTable();
  let sum = 0;
  for (const pid of pids) sum += table.get(pid)?.cpuMs ?? 0;
  return sum;
}

/**
 * Samples the agent's tree every `everyMs` until stopped: CPU over the window, peak RSS and peak
 * process count. `stop()` → {cpuMs, wallMs, peakRssKb, peakProcesses, peakFfmpeg}.
 */
export function meterTree(root, everyMs = 500) {
  const first = treeSample(root);
  const t0 = performance.now();
  let peakRssKb = first.rssKb;
  let peakProcesses = first.processes;
  let peakFfmpeg = first.ffmpeg;
  // Own CPU per process as last seen (a process's last 0.5 s before it exits is missed), to split
  // the tree's time between the worker, job processes and ffmpeg; and the largest RSS per role.
  const seen = new Map();
  const peakRoleRssKb = { worker: 0, job: 0, ffmpeg: 0 };
  const note = (s) => {
    for (const [pid, o] of s.own) {
      const prev = seen.get(pid);
      seen.set(pid, { role: o.role, first: prev ? prev.first : first.own.get(pid)?.ms ?? 0, last: o.ms });
      peakRoleRssKb[o.role] = Math.max(peakRoleRssKb[o.role], o.rssKb);
    }
  };
  note(first);
  const timer = setInterval(() => {
    const s = treeSample(root);
    note(s);
    peakRssKb = Math.max(peakRssKb, s.rssKb);
    peakProcesses = Math.max(peakProcesses, s.processes);
    peakFfmpeg = Math.max(peakFfmpeg, s.ffmpeg);
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const last = treeSample(root);
      note(last);
      const byRole = { worker: 0, job: 0, ffmpeg: 0 };
      for (const v of seen.values()) byRole[v.role] += v.last - v.first;
      return { byRole, peakRoleRssKb, cpuMs: last.cpuMs - first.cpuMs, wallMs: performance.now() - t0, startRssKb: first.rssKb, peakRssKb: Math.max(peakRssKb, last.rssKb), peakProcesses, peakFfmpeg };
    },
  };
}

/**
 * What only the agent's log says, by interview id: its warnings and errors, the framework's "event
 * loop blocked" reports of the interview's job process (ms each; agents-js has no metric for
 * them), and how long the job waited between the worker receiving it (the framework's line) and
 * the job code's first line. Latencies come from the agent's /metrics instead (see batch()).
 */
export function agentLogFigures(logText) {
  const byId = new Map();
  const interviewOfJob = new Map();
  const blocksOfJob = new Map();
  const requestedAt = new Map(); // job id → epoch ms the worker received it
  const startedAt = new Map(); // job id → epoch ms of the job code's first line
  for (const line of logText.split('\n')) {
    if (!line.startsWith('{')) continue;
    let rec;
    try {
      rec = JSON.parse(line);
    } catch {
      continue;
    }
    const at = Date.parse(rec.ts);
    if (rec.msg === 'received job request' && rec.jobId) requestedAt.set(rec.jobId, at);
    if (rec.job && rec.src === undefined && !startedAt.has(rec.job)) startedAt.set(rec.job, at);
    if (rec.jobID && /event loop blocked/.test(rec.msg ?? '')) {
      if (!blocksOfJob.has(rec.jobID)) blocksOfJob.set(rec.jobID, []);
      blocksOfJob.get(rec.jobID).push(Number(rec.duration));
    }
    if (!rec.interview_id) continue;
    if (rec.job) interviewOfJob.set(rec.job, rec.interview_id);
    const f = byId.get(rec.interview_id) ?? { blocksMs: [] };
    byId.set(rec.interview_id, f);
    if (rec.level === 'error' || rec.level === 'warn') (f.problems ??= []).push(rec.msg + (rec.error ? `: ${rec.error}` : ''));
  }
  for (const [job, blocks] of blocksOfJob) byId.get(interviewOfJob.get(job))?.blocksMs.push(...blocks);
  // How long a job waited for a process to run it in (a warm idle one, or one forked and loaded).
  for (const [job, id] of interviewOfJob) {
    const f = byId.get(id);
    if (f && requestedAt.has(job) && startedAt.has(job)) f.jobWaitMs = startedAt.get(job) - requestedAt.get(job);
  }
  return byId;
}

/**
 * The agent's own view of each turn, from the utterances it stored: the end of a candidate's
 * speech (VAD) → the start of its next words, on the recording's clock (ms).
 */
export async function storedGaps(sql, ids) {
  const rows = await sql`select interview_id, speaker, start_ms, end_ms from utterances where interview_id = any(${ids}) order by interview_id, start_ms`;
  const gaps = [];
  for (let i = 0; i + 1 < rows.length; i++) {
    const a = rows[i];
    const b = rows[i + 1];
    if (a.interview_id === b.interview_id && a.speaker === 'candidate' && b.speaker === 'agent') gaps.push(Number(b.start_ms) - Number(a.end_ms));
  }
  return gaps;
}
