import { availableParallelism, totalmem } from 'node:os';
import { defaultIdleProcesses, defaultMaxInterviews } from '../cli/core/capacity.js';
import { parseDuration } from '../cli/core/duration.js';
import { ConfigError } from '../cli/core/errors.js';

/**
 * Tunables of the interviewer. `interviewctl agent` resolves them from flags and the environment
 * and hands them to its job processes through the environment (they are forked from it).
 */
export interface AgentOptions {
  /** How long to wait for the candidate to join before the interview fails as a no-show. */
  candidateWaitMs: number;
  /** How long a candidate who left may take to come back. */
  graceMs: number;
  /** Silence that ends a candidate's turn. */
  endOfTurnSilenceMs: number;
  /**
   * Interviews one worker takes at once (its load is counted in interviews, not CPU). Default:
   * the measured figure per core (cli/core/capacity.ts) times this machine's cores.
   */
  maxInterviews: number;
  /**
   * Job processes kept started and warm. A job process takes seconds to start (Silero VAD, the
   * voice, the storage SDK) and the framework starts them one at a time, so interviews that begin
   * together wait in line for one unless enough are warm already; each costs ~200-350 MB.
   * Default: one per interview the worker takes, as memory allows (defaultIdleProcesses).
   */
  idleProcesses: number;
  /** How often a running worker stores recordings kept in its spool (dead jobs, failed storage). */
  spoolRetryMs: number;
  /** Port of the worker's /metrics listener (0: any free port), or undefined when turned off. */
  metricsPort: number | undefined;
  /**
   * With speech-to-text, what judges that an answer is over: LiveKit's local `v1-mini` model
   * (it may hold a turn that sounds unfinished up to 1.5 s), or `off` (the VAD's silence and the
   * final transcript alone end it: quicker replies, more cut-in on candidates who pause).
   */
  turnDetector: TurnDetectorChoice;
}

export const TURN_DETECTORS = ['v1-mini', 'off'] as const;
export type TurnDetectorChoice = (typeof TURN_DETECTORS)[number];

/**
 * What ends a candidate's turn on the AgentSession: LiveKit's local model when it is chosen and
 * has text to weigh (speech-to-text) and a silence long enough for it (it predicts at 200 ms),
 * else the VAD's silence (and, with text, the final transcript).
 */
export function turnDetectionOf(o: { withText: boolean; choice: TurnDetectorChoice; silenceMs: number }): 'v1-mini' | 'vad' {
  return o.withText && o.choice === 'v1-mini' && o.silenceMs >= 250 ? 'v1-mini' : 'vad';
}

export const AGENT_ENV = {
  candidateWait: 'AGENT_CANDIDATE_WAIT',
  grace: 'AGENT_RECONNECT_GRACE',
  silence: 'AGENT_END_OF_TURN_SILENCE',
  maxInterviews: 'AGENT_MAX_INTERVIEWS',
  idleProcesses: 'AGENT_IDLE_PROCESSES',
  spoolRetry: 'AGENT_SPOOL_RETRY',
  metricsPort: 'AGENT_METRICS_PORT',
  turnDetector: 'AGENT_TURN_DETECTOR',
} as const;

export const AGENT_DEFAULTS = { candidateWait: '3m', grace: '60s', silence: '600ms', maxInterviews: defaultMaxInterviews(availableParallelism()), spoolRetry: '1m', metricsPort: 9464, turnDetector: 'v1-mini' } as const;

/** Reads the tunables from an environment; loadSettings() calls it with the environment over .env. */
export function agentOptionsFromEnv(env: NodeJS.ProcessEnv | Record<string, string> = process.env): AgentOptions {
  const problems: string[] = [];
  const read = (key: string, fallback: string, min: number) => {
    const text = env[key] || fallback;
    const ms = parseDuration(text);
    if (ms === undefined || ms < min) {
      problems.push(`${key}: ${JSON.stringify(text)} is not a duration of at least ${min} ms (e.g. ${fallback})`);
      return parseDuration(fallback)!;
    }
    return ms;
  };
  const count = (key: string, fallback: number, min: number, max: number) => {
    const text = env[key];
    if (text === undefined || text === '') return fallback;
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || n < min || n > max) {
      problems.push(`${key}: ${JSON.stringify(text)} is not a whole number from ${min} to ${max} (e.g. ${fallback})`);
      return fallback;
    }
    return n;
  };
  const choice = (env[AGENT_ENV.turnDetector] || AGENT_DEFAULTS.turnDetector).trim();
  const turnDetector = TURN_DETECTORS.find((t) => t === choice);
  if (!turnDetector) problems.push(`${AGENT_ENV.turnDetector}: ${JSON.stringify(choice)} is not one of ${TURN_DETECTORS.join(', ')}`);
  const maxInterviews = count(AGENT_ENV.maxInterviews, AGENT_DEFAULTS.maxInterviews, 1, 100);
  const out = {
    candidateWaitMs: read(AGENT_ENV.candidateWait, AGENT_DEFAULTS.candidateWait, 1000),
    graceMs: read(AGENT_ENV.grace, AGENT_DEFAULTS.grace, 0),
    endOfTurnSilenceMs: read(AGENT_ENV.silence, AGENT_DEFAULTS.silence, 200),
    maxInterviews,
    idleProcesses: count(AGENT_ENV.idleProcesses, defaultIdleProcesses(maxInterviews, totalmem()), 0, 16),
    spoolRetryMs: read(AGENT_ENV.spoolRetry, AGENT_DEFAULTS.spoolRetry, 10_000),
    metricsPort: env[AGENT_ENV.metricsPort] === 'off' ? undefined : count(AGENT_ENV.metricsPort, AGENT_DEFAULTS.metricsPort, 0, 65535),
    turnDetector: turnDetector ?? AGENT_DEFAULTS.turnDetector,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}
