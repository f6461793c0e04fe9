// Helpers for the benchmarks that run the live path (bench:join, bench:webhooks): a private network
// namespace, a throwaway INTERVIEWCTL_HOME, livekit-server and `interviewctl serve` started and
// stopped by PID, a keep-alive HTTP client, and percentiles. Plain Node, no build step of its own.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(ROOT, 'bin/interviewctl');
export const API_KEY = 'benchkey';
export const API_SECRET = 'interviewctl-bench-secret-0123456789abcdef';

const write = (s) => process.stderr.write(s);
export const say = (s) => write(`${s}\n`);

// libwebrtc ignores loopback when it gathers ICE candidates, so a bench that runs WebRTC clients
// (rtc-node) also needs a veth pair whose two ends stay inside the namespace: a private address
// (10.77.0.1) with no route anywhere (the same link test/e2e/run.mjs makes).
const PRIVATE_LINK =
  'ip link add ivc0 type veth peer name ivc1 && ip addr add 10.77.0.1/32 dev ivc0 && ip link set ivc1 up && ip link set ivc0 up';

/**
 * Runs the calling script again inside a private network namespace that has only loopback
 * (STACK.md: servers started for tests talk over loopback only), then exits with its status.
 * Inside (`--inside`), returns and the script carries on. `privateLink` adds the veth pair
 * WebRTC needs.
 */
export function reexecInNamespace(scriptPath, { privateLink = false } = {}) {
  if (process.argv.includes('--inside')) return;
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) {
    say('dist/ is missing: run `npm run build` first');
    process.exit(1);
  }
  const args = [...process.argv.slice(2), '--inside'];
  const res = spawnSync('unshare', ['-n', '--', 'sh', '-c', `ip link set lo up${privateLink ? ` && ${PRIVATE_LINK}` : ''} && exec "$@"`, 'sh', process.execPath, scriptPath, ...args], { stdio: 'inherit' });
  if (res.error || res.status === null) {
    say(`cannot run inside a private network namespace (unshare -n needs root and util-linux, ip needs iproute2): ${res.error?.message ?? res.signal}`);
    process.exit(1);
  }
  process.exit(res.status);
}

/** Reads `--name value` with a numeric default. */
export function numberOption(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isFinite(n) || n <= 0) {
    say(`--${name}: expected a positive number`);
    process.exit(2);
  }
  return n;
}

/** Reads `--name a,b,c` as numbers. */
export function listOption(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const list = String(process.argv[i + 1] ?? '').split(',').map(Number);
  if (list.length === 0 || list.some((n) => !Number.isFinite(n) || n <= 0)) {
    say(`--${name}: expected numbers separated by commas`);
    process.exit(2);
  }
  return list;
}

export function livekitServerBinary() {
  const candidates = [process.env.LIVEKIT_SERVER_BIN, join(process.env.HOME ?? '/root', '.cache/interviewctl/bin/livekit-server'), '/tmp/lkbin/server'];
  return candidates.find((c) => c && existsSync(c));
}

/**
 * A benchmark run: a fresh home (world-readable: as root the embedded Postgres runs as the
 * `postgres` user), the processes it started, and one cleanup that stops them by PID, stops the
 * embedded database and removes the home — on success, on failure and on Ctrl-C.
 */
export function createRun(label) {
  const home = mkdtempSync(join(tmpdir(), `ictl-${label}-`));
  chmodSync(home, 0o755);
  const children = new Map(); // pid → { child, name }
  const env = {
    ...process.env,
    INTERVIEWCTL_HOME: home,
    NO_COLOR: '1',
    LIVEKIT_API_KEY: API_KEY,
    LIVEKIT_API_SECRET: API_SECRET,
  };
  delete env.DATABASE_URL;
  for (const k of Object.keys(env)) if (k.startsWith('S3_') || k === 'PORT' || k === 'PUBLIC_URL' || k === 'LIVEKIT_URL') delete env[k];

  const track = (child, name) => {
    children.set(child.pid, { child, name });
    child.once('exit', () => children.delete(child.pid));
    return child;
  };

  const stopPid = async (pid, graceMs = 5000) => {
    const entry = children.get(pid);
    if (!entry || entry.child.exitCode !== null || entry.child.signalCode !== null) return;
    const exited = new Promise((r) => entry.child.once('exit', r));
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }, graceMs);
    await exited;
    clearTimeout(timer);
  };

  // Parts a bench started itself (anything with stop()), stopped first, newest first.
  const owned = [];
  const own = (part) => (owned.push(part), part);

  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    while (owned.length > 0) await owned.pop().stop().catch((err) => say(`warning: stopping a part failed: ${err?.message ?? err}`));
    for (const pid of [...children.keys()].reverse()) await stopPid(pid);
    if (existsSync(join(home, 'postgres'))) {
      const res = spawnSync(process.execPath, [BIN, 'db', 'stop'], { env, cwd: home, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 60_000 });
      if (res.status !== 0) say(`warning: db stop failed: ${res.stderr ?? res.error?.message}`);
    }
    if (!process.argv.includes('--keep')) rmSync(home, { recursive: true, force: true });
    else say(`kept ${home}`);
  };
  // Last resort if the script dies between steps: SIGKILL by PID, synchronously.
  process.on('exit', () => {
    for (const pid of children.keys()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
  });
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      say(`\n${sig}: cleaning up`);
      cleanup().finally(() => process.exit(130));
    });
  }

  /** Runs the CLI to completion (bounded by `timeoutMs`); resolves with its exit code and output. */
  const cli = (args, { extraEnv = {}, timeoutMs = 300_000 } = {}) =>
    new Promise((resolvePromise, reject) => {
      const child = track(spawn(process.execPath, [BIN, ...args], { env: { ...env, ...extraEnv }, cwd: home, stdio: ['ignore', 'pipe', 'pipe'] }), `interviewctl ${args[0]}`);
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (s) => (stdout += s));
      child.stderr.setEncoding('utf8').on('data', (s) => {
        if (stderr.length < 64_000) stderr += s;
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code !== 0) reject(new Error(`interviewctl ${args.join(' ')} exited ${code ?? signal}:\n${stderr.trim()}`));
        else resolvePromise({ stdout, stderr });
      });
    });

  /** Starts livekit-server on loopback with its webhooks pointed at `webhookUrl`. */
  const startLiveKit = async ({ port, webhookUrl }) => {
    const binary = livekitServerBinary();
    if (!binary) throw new Error('no livekit-server: run `npm run setup:stack` (or set LIVEKIT_SERVER_BIN)');
    const { startLocalLiveKit } = await import(join(ROOT, 'dist/cli/adapters/livekit/local-server.js'));
    const lk = await startLocalLiveKit({ binary, dir: join(home, 'livekit'), port, apiKey: API_KEY, apiSecret: API_SECRET, webhookUrl });
    track(lk.child, 'livekit-server');
    return { url: `ws://127.0.0.1:${port}`, pid: lk.child.pid, stop: () => stopPid(lk.child.pid) };
  };

  /** Starts `interviewctl serve` (JSON log on stderr into a file) and waits for /healthz. */
  const startServe = async ({ port, livekitPort, extraEnv = {}, name = 'serve' }) => {
    const logPath = join(home, `${name}-${port}.log`);
    const log = openSync(logPath, 'a');
    const child = track(
      // e.g. BENCH_SERVE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile serve alone
      spawn(process.execPath, [...(process.env.BENCH_SERVE_NODE_ARGS ?? '').split(' ').filter(Boolean), BIN, 'serve'], {
        env: {
          ...env,
          PORT: String(port),
          PUBLIC_URL: `http://127.0.0.1:${port}`,
          LIVEKIT_URL: `ws://127.0.0.1:${livekitPort}`,
          ...extraEnv,
        },
        cwd: home,
        stdio: ['ignore', 'ignore', log],
      }),
      name,
    );
    closeSync(log);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`serve exited (${child.exitCode}) while starting:\n${readFileSync(logPath, 'utf8').slice(-2000)}`);
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status === 200, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`serve did not answer /healthz within 60 s:\n${readFileSync(logPath, 'utf8').slice(-2000)}`);
      await sleep(200);
    }
    return { pid: child.pid, logPath, stop: () => stopPid(child.pid) };
  };

  /** PIDs of the embedded Postgres: the postmaster and its children (backends, writers). */
  const postgresPids = () => {
    try {
      const postmaster = Number(readFileSync(join(home, 'postgres', 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
      return [postmaster, ...childPids(postmaster)];
    } catch {
      return [];
    }
  };

  return { home, env, cli, startLiveKit, startServe, cleanup, postgresPids, own };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const TICK_MS = 1000 / (Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100);

function childPids(ppid) {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid) out.push(Number(name));
    } catch {}
  }
  return out;
}

/** CPU time ({user, system} ms) used so far by each of `pids`, from /proc; exited ones count 0. */
export function cpuTimes(pids) {
  const m = new Map();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      m.set(pid, { user: Number(f[11]) * TICK_MS, system: Number(f[12]) * TICK_MS });
    } catch {
      m.set(pid, { user: 0, system: 0 });
    }
  }
  return m;
}

/**
 * CPU milliseconds a set of processes spent between two moments: `const done = cpuMeter(() => pids)`,
 * then `done()` → {user, system, total}. Processes that appear in between count from zero.
 */
export function cpuMeter(pidsOf) {
  const before = cpuTimes(pidsOf());
  return () => {
    const sum = { user: 0, system: 0, total: 0 };
    for (const [pid, t] of cpuTimes(pidsOf())) {
      const b = before.get(pid) ?? { user: 0, system: 0 };
      sum.user += t.user - b.user;
      sum.system += t.system - b.system;
    }
    sum.total = sum.user + sum.system;
    return sum;
  };
}

/** A keep-alive HTTP/1.1 client for loopback: one socket per request in flight, reused. */
export function createClient(port, { sockets = 256 } = {}) {
  // Idle sockets are closed after 4 s, before serve's 5 s keep-alive timeout, so a request never
  // goes out on a socket the server is closing (ECONNRESET between steps).
  const agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets, timeout: 4000 });
  /** POSTs `body`; resolves with status, text and milliseconds (never rejects: status 0 is a transport error). */
  const post = (path, body, headers = {}, timeoutMs = 30_000) =>
    new Promise((resolvePromise) => {
      const started = performance.now();
      const req = request(
        { host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-length': Buffer.byteLength(body), ...headers } },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => resolvePromise({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started, headers: res.headers }));
          res.on('error', (err) => resolvePromise({ status: 0, text: err.message, ms: performance.now() - started, headers: {} }));
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
      req.on('error', (err) => resolvePromise({ status: 0, text: err.message, ms: performance.now() - started, headers: {} }));
      req.end(body);
    });
  return { post, close: () => agent.destroy() };
}

/** Nearest-rank percentile of unsorted numbers. */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const s = Float64Array.from(values).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export const ms = (n) => (Number.isFinite(n) ? `${n.toFixed(1)} ms` : '—');
export const int = (n) => Math.round(n).toLocaleString('en-US');

/** A small aligned table: first column left, the rest right-aligned. */
export function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c ?? '').padStart(widths[i]))).join('   ').trimEnd()).join('\n');
}

/** Counts of each value, e.g. HTTP statuses: "200×999 409×1". */
export function counts(values) {
  const m = new Map();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return [...m].sort((a, b) => String(a[0]).localeCompare(String(b[0]))).map(([k, n]) => `${k}×${n}`).join(' ');
}

/** The JSON log lines of a serve log file (lines that do not parse are skipped). */
export function readJsonLog(path) {
  const out = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line));
    } catch {}
  }
  return out;
}

/** A CSV of `n` invites with refs `${prefix}-00001`…, for `create --from`. */
export function inviteCsv(n, prefix) {
  const rows = ['name,email,ref'];
  for (let i = 1; i <= n; i++) rows.push(`Bench Candidate ${i},bench${i}@example.com,${prefix}-${String(i).padStart(5, '0')}`);
  return `${rows.join('\n')}\n`;
}

/** Interview ids from `create --from … --json` output, by ref. */
export function idsByRef(stdout) {
  const m = new Map();
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const o = JSON.parse(line);
    if (o.id && o.ref) m.set(o.ref, o.id);
  }
  return m;
}
