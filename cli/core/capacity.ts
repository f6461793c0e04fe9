// How many interviews one agent worker takes, and the load it reports to LiveKit for them.
// Pure: the worker (cli/commands/agent.ts) feeds it counts, the tests feed it numbers.

/**
 * Recorded interviews one core sustains with both latency targets held (first audio p50 ≤ 1.5 s,
 * end of answer → speech p50 ≤ 1.0 s). Source: `npm run bench:agent -- --quick` on the 2-core
 * machine (shared with other work), 2026-11: 2 at once held both targets; at 4 every interview was
 * still recorded but first audio went to p50 2.18 s, p99 10.1 s. So 2 per 2 cores = 1 per core.
 * Re-measure with bench:agent on your own machine and set AGENT_MAX_INTERVIEWS.
 */
export const INTERVIEWS_PER_CORE = 1;

/** AGENT_MAX_INTERVIEWS when unset: the measured figure per core, at least one. */
export function defaultMaxInterviews(cores: number): number {
  return Math.max(1, Math.floor(cores * INTERVIEWS_PER_CORE));
}

/** What one warm job process is budgeted in memory (measured idle: ~150 MB each, up to ~350 MB once it has run an interview). */
export const IDLE_PROCESS_BYTES = 350 * 1024 * 1024;
/** The most warm job processes a worker keeps unless told otherwise. */
export const MAX_DEFAULT_IDLE_PROCESSES = 16;

/**
 * AGENT_IDLE_PROCESSES when unset: one warm job process per interview the worker takes, so
 * interviews that start together do not wait in line for a process (agents-js starts them one at
 * a time, seconds each). Measured with `bench:agent -- --steps 4`, 2-core machine: 4 interviews
 * joining within 3 s waited up to 29.5 s for a process with 2 warm, at most 2.6 s with 6 warm.
 * Bounded by a quarter of the machine's memory at IDLE_PROCESS_BYTES each; at least 1.
 */
export function defaultIdleProcesses(maxInterviews: number, totalMemoryBytes: number): number {
  const byMemory = Math.floor(totalMemoryBytes / 4 / IDLE_PROCESS_BYTES);
  return Math.max(1, Math.min(maxInterviews, byMemory, MAX_DEFAULT_IDLE_PROCESSES));
}

/**
 * The load a worker reports (0..1): the share of its interview capacity in use. It reports itself
 * full, and LiveKit stops offering it jobs, at FULL_LOAD, i.e. when `running` reaches `max`.
 * LiveKit picks among available workers at random weighted by 1 - load, so a half-busy worker
 * gets half the share of an idle one.
 */
export function interviewLoad(running: number, max: number): number {
  if (max <= 0) return 1;
  return Math.min(1, Math.max(0, running) / max);
}

/** The load at which the worker reports WS_FULL (agents-js compares load >= threshold). */
export const FULL_LOAD = 1;

/**
 * Whether a job offered now may be accepted: the worker's load reaches LiveKit only every 2.5 s,
 * so offers that arrive in between are checked against what is running and already accepted.
 */
export function hasRoomFor(runningOrAccepted: number, max: number): boolean {
  return runningOrAccepted < max;
}
