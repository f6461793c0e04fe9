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
 * LiveKit's default `agents.target_load` (livekit-server pkg/agent/config.go). A node offers a
 * room's job only if one of its workers is below it: its psrpc affinity is the sum of
 * max(0, target_load - load) over available workers, and a node whose affinity is 0 is never
 * picked, so the dispatch fails once and is not retried (logged at info as "failed to send job
 * request"; the room never gets its interviewer). agents-js's production threshold is the same 0.7.
 */
export const LIVEKIT_TARGET_LOAD = 0.7;

/**
 * The load a worker reports: the share of its interview capacity in use, scaled onto
 * 0..LIVEKIT_TARGET_LOAD, so a worker with room for one more interview still draws LiveKit's
 * offer and one at `max` reports full. Measured with `bench:agent -- --steps 12` before this scale
 * (load = running / max, max 14): every dispatch past the 10th running interview was dropped.
 * LiveKit picks among available workers at random weighted by 1 - load, so a busier worker gets
 * a smaller share.
 */
export function interviewLoad(running: number, max: number): number {
  if (max <= 0) return FULL_LOAD;
  return (Math.min(max, Math.max(0, running)) / max) * LIVEKIT_TARGET_LOAD;
}

/** The load at which the worker reports WS_FULL (agents-js compares load >= threshold). */
export const FULL_LOAD = LIVEKIT_TARGET_LOAD;

/**
 * Whether a job offered now may be accepted: the worker's load reaches LiveKit only every 2.5 s,
 * so offers that arrive in between are checked against what is running and already accepted.
 */
export function hasRoomFor(runningOrAccepted: number, max: number): boolean {
  return runningOrAccepted < max;
}

/**
 * Whether the worker should start another warm job process now. agents-js replaces a warm
 * process as soon as a job takes it, so when interviews start together their replacements start
 * with them (each ~1.1-1.2 CPU-s of imports and warm-up, measured) and take the CPU the new
 * interviews need for their first words. A process nobody can use yet waits: while the running
 * interviews and the processes already started fill AGENT_MAX_INTERVIEWS, no further job can be
 * accepted (hasRoomFor), so no job can find the pool empty; once an interview ends, one starts.
 * Measured (bench:agent, 6 at once, 7 warm, 2-core machine, runs alternated): first audio p50
 * 1.14 / 1.15 s and gap 1.00 / 1.01 s with the replacements started at once; 0.83 / 0.69 s and
 * 0.97 / 0.99 s with them held back; the agent's CPU 137 → 117 % of a core.
 */
export function mayStartWarmProcess(running: number, notRunning: number, maxInterviews: number): boolean {
  return running + notRunning < maxInterviews;
}
