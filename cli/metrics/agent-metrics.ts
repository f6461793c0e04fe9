import { Counter, Histogram, Registry } from 'prom-client';

/**
 * The agent's Prometheus metrics (SPEC.md section 16). They are counted in job processes (each
 * interview runs in one) and in the worker; job processes send theirs to the worker
 * (agent-metrics-relay.ts), which serves the sum on AGENT_METRICS_PORT.
 */
export const agentRegistry = new Registry();
const registers = [agentRegistry];
const seconds = (msBuckets: number[]) => msBuckets.map((b) => b / 1000);
const TURN_BUCKETS = seconds([50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000]);

const turn = {
  eou: new Histogram({
    name: 'interviewctl_turn_end_of_utterance_seconds',
    help: "From the end of the candidate's speech to the interviewer deciding the turn is over (voice activity detection, transcript)",
    buckets: TURN_BUCKETS,
    registers,
  }),
  llmTtft: new Histogram({ name: 'interviewctl_turn_llm_first_token_seconds', help: "From the request to the model to its first token", buckets: TURN_BUCKETS, registers }),
  ttsTtfb: new Histogram({ name: 'interviewctl_turn_tts_first_byte_seconds', help: 'From the reply text being known to its first synthesized audio', buckets: TURN_BUCKETS, registers }),
  answerToAudio: new Histogram({
    name: 'interviewctl_turn_answer_to_audio_seconds',
    help: "From the end of the candidate's answer to the interviewer's first audio: the pause the candidate hears",
    buckets: TURN_BUCKETS,
    registers,
  }),
};

export interface TurnMetrics {
  eouMs?: number;
  llmTtftMs?: number;
  ttsTtfbMs?: number;
  answerToAudioMs?: number;
}

const observe = (h: Histogram, ms: number | undefined) => {
  if (ms !== undefined && Number.isFinite(ms) && ms >= 0) h.observe(ms / 1000);
};

export const agentMetrics = {
  /** One turn's latencies, each in ms; a part the turn did not have (no model in scripted mode) is left out. */
  observeTurn(t: TurnMetrics): void {
    observe(turn.eou, t.eouMs);
    observe(turn.llmTtft, t.llmTtftMs);
    observe(turn.ttsTtfb, t.ttsTtfbMs);
    observe(turn.answerToAudio, t.answerToAudioMs);
  },
  /** The candidate present in the room → the interviewer's first audio (the greeting). */
  firstAudio: new Histogram({
    name: 'interviewctl_interview_first_audio_seconds',
    help: "From the candidate being in the room to the interviewer's first audio",
    buckets: seconds([250, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000, 20000]),
    registers,
  }),
  /** A job's start-up: `phase` connected (job start → in the room), ready (candidate present → greeting and recorder ready). */
  startup: new Histogram({
    name: 'interviewctl_job_startup_seconds',
    help: 'Interview job start-up phases: connected (job start to room connected), ready (candidate present to greeting and recorder ready)',
    labelNames: ['phase'] as const,
    buckets: seconds([50, 100, 250, 500, 1000, 2000, 5000, 10000, 30000]),
    registers,
  }),
};

export const recorderMetrics = {
  /** A recording or transcript that could not be stored: `where` finalize (end of interview) or spool (a later retry). */
  uploadFailures: new Counter({ name: 'interviewctl_recorder_upload_failures_total', help: 'Recordings or transcripts that could not be stored, by where', labelNames: ['where'] as const, registers }),
  /** Media frames the recorder dropped because it could not keep up (`inc()`, or `inc(n)`). */
  framesDropped: new Counter({ name: 'interviewctl_recorder_frames_dropped_total', help: 'Media frames the recorder dropped because it could not keep up', registers }),
};
