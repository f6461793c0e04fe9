// What `interviewctl loadtest` reports, from what its synthetic candidates measured and what the
// database and storage hold afterwards. Pure: numbers in, a summary out.

/** Every interview a load test creates has a ref with this prefix, so it can be found and removed. */
export const LOADTEST_REF_PREFIX = 'loadtest-';
/** Bounds: a load test is a measurement, not a flood. */
export const LOADTEST_MAX_CANDIDATES = 50;

/** Targets a deployment should hold (SPEC: first audio p50 ≤ 1.5 s, end of answer → speech p50 ≤ 1.0 s). */
export const TARGET_FIRST_AUDIO_MS = 1500;
export const TARGET_GAP_MS = 1000;

export interface Percentiles {
  n: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

/** Nearest-rank percentiles of the finite values (null when there are none). */
export function percentiles(values: readonly number[]): Percentiles {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const at = (p: number) => (v.length === 0 ? null : v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))]!);
  return { n: v.length, p50: at(50), p90: at(90), p99: at(99), max: v.length === 0 ? null : v[v.length - 1]! };
}

export interface LoadtestInterview {
  id: string;
  ref: string;
  /** Join API round trip (ms), NaN when the join failed. */
  joinMs: number;
  firstAudioMs: number;
  gapsMs: number[];
  /** The interview's status when the test stopped waiting. */
  status: string;
  endReason: string | null;
  /** Size of the recording in storage, or null when there is none. */
  recordingBytes: number | null;
  /** What went wrong from the candidate's side, or with the interview, if anything. */
  error: string | null;
}

export interface LoadtestSummary {
  candidates: number;
  completed: number;
  recorded: number;
  failed: number;
  joinMs: Percentiles;
  firstAudioMs: Percentiles;
  gapMs: Percentiles;
  /** Both p50 targets held and every interview completed with its recording. */
  held: boolean;
}

/** A failure is anything short of: completed, with a recording in storage, candidate without error. */
export function isFailure(i: LoadtestInterview): boolean {
  return i.status !== 'completed' || i.recordingBytes === null || i.recordingBytes === 0 || i.error !== null;
}

export function summarize(rows: readonly LoadtestInterview[]): LoadtestSummary {
  const firstAudioMs = percentiles(rows.map((r) => r.firstAudioMs));
  const gapMs = percentiles(rows.flatMap((r) => r.gapsMs));
  const recorded = rows.filter((r) => r.status === 'completed' && (r.recordingBytes ?? 0) > 0).length;
  const failed = rows.filter(isFailure).length;
  return {
    candidates: rows.length,
    completed: rows.filter((r) => r.status === 'completed').length,
    recorded,
    failed,
    joinMs: percentiles(rows.map((r) => r.joinMs)),
    firstAudioMs,
    gapMs,
    held: failed === 0 && firstAudioMs.p50 !== null && firstAudioMs.p50 <= TARGET_FIRST_AUDIO_MS && (gapMs.p50 === null || gapMs.p50 <= TARGET_GAP_MS),
  };
}

/** "1.23 s", or "-" when unknown. */
export function secs(ms: number | null | undefined): string {
  return ms === null || ms === undefined || !Number.isFinite(ms) ? '-' : `${(ms / 1000).toFixed(2)} s`;
}

/** Whether a LiveKit URL points at this machine (a load test elsewhere needs --yes). */
export function isLocalUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return false;
  }
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** One row per interview for people: ref, join, first audio, gap p50, status, recording, problem. */
export function formatInterviewTable(rows: readonly LoadtestInterview[]): string {
  const head = ['interview', 'join', 'first audio', 'gap p50', 'status', 'recording', 'problem'];
  const body = rows.map((r) => [r.ref, secs(r.joinMs), secs(r.firstAudioMs), secs(percentiles(r.gapsMs).p50), r.status, r.recordingBytes ? `${(r.recordingBytes / 1e6).toFixed(1)} MB` : '-', r.error ?? '']);
  // A problem can carry text from the network (a join's error code): printable ASCII only, short.
  const clean = (s: string) => s.replace(/[^\x20-\x7e]/g, '?').slice(0, 80);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => clean(b[i]!).length)));
  return [head, ...body].map((cells) => cells.map((c, i) => clean(c).padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** "first audio  p50 0.81 s  p90 …  (n=2)  target p50 ≤ 1.50 s". */
export function formatPercentiles(label: string, p: Percentiles, targetMs?: number): string {
  return `${label.padEnd(12)} p50 ${secs(p.p50)}  p90 ${secs(p.p90)}  p99 ${secs(p.p99)}  max ${secs(p.max)}  (n=${p.n})${targetMs ? `  target p50 ≤ ${secs(targetMs)}` : ''}`;
}

/**
 * The generating side's event loops running their timers this late at the median (5 % of the gap
 * target) put their own delay into the p50 figures. Their p99 is no such sign: on a full 2-core
 * machine it was 150-210 ms (bench:agent, 6 at once) whichever way the candidates were spread.
 */
export const GENERATOR_LAG_MS = 50;

/** Processes for `n` candidates: one per CANDIDATES_PER_PROCESS, never more than there are candidates. */
export function candidateProcesses(n: number, perProcess: number): number {
  return Math.max(1, Math.min(n, Math.ceil(n / perProcess)));
}

export interface GeneratorFigures {
  processes: number;
  /** The candidate processes' CPU over the run, in cores. */
  cpuCores: number;
  /** The worst process's event-loop lateness. */
  loopDelayP50Ms: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** Its loops lagged past GENERATOR_LAG_MS at the median: the figures include the generator's own delay. */
  behind: boolean;
}

/** How the load generator (the synthetic candidates' processes) fared over `wallMs`. */
export function generatorFigures(processes: { cpuMs: number; loopDelay: { p50Ms: number; p99Ms: number; maxMs: number } }[], wallMs: number): GeneratorFigures {
  const p50 = Math.max(0, ...processes.map((p) => p.loopDelay.p50Ms));
  return {
    processes: processes.length,
    cpuCores: wallMs > 0 ? processes.reduce((s, p) => s + p.cpuMs, 0) / wallMs : 0,
    loopDelayP50Ms: p50,
    loopDelayP99Ms: Math.max(0, ...processes.map((p) => p.loopDelay.p99Ms)),
    loopDelayMaxMs: Math.max(0, ...processes.map((p) => p.loopDelay.maxMs)),
    behind: p50 > GENERATOR_LAG_MS,
  };
}

export function formatGenerator(g: GeneratorFigures): string {
  const line = `generator    ${g.processes} candidate process${g.processes === 1 ? '' : 'es'}, ${g.cpuCores.toFixed(2)} cores, event loop late p50 ${Math.round(g.loopDelayP50Ms)} ms, p99 ${Math.round(g.loopDelayP99Ms)} ms (max ${Math.round(g.loopDelayMaxMs)} ms)`;
  return g.behind ? `${line}\n             behind: these figures include the generator's own delay; use more --procs, or run it from another machine` : line;
}
