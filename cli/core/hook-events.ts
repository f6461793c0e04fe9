/**
 * Outbound webhooks (SPEC.md section 13): the event types we send, the body every delivery
 * carries, the payload builders for events other modules emit, and the retry rules. Pure.
 */

export const HOOK_EVENT_TYPES = [
  'interview.created',
  'interview.started',
  'interview.completed',
  'interview.failed',
  'interview.evaluated',
  'interview.reviewed',
  'candidate.deleted',
  'ping',
] as const;
export type HookEventType = (typeof HOOK_EVENT_TYPES)[number];

/** The body's `version`: bumped only when a field changes meaning or goes away. */
export const HOOK_BODY_VERSION = 1;

export function isHookEventType(value: string): value is HookEventType {
  return (HOOK_EVENT_TYPES as readonly string[]).includes(value);
}

/**
 * Event names from `--events a,b`: each known, none twice. Returns undefined for "every event"
 * (no list, or `*`), else the list; throws the names it does not know.
 */
export function parseEventList(text: string | undefined): HookEventType[] | undefined {
  if (text === undefined || text.trim() === '*' || text.trim() === '') return undefined;
  const names = [...new Set(text.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  const unknown = names.filter((n) => !isHookEventType(n));
  if (unknown.length > 0) throw new Error(`unknown event ${unknown.length === 1 ? 'type' : 'types'} ${unknown.map((u) => JSON.stringify(u)).join(', ')} (known: ${HOOK_EVENT_TYPES.join(', ')})`);
  return names as HookEventType[];
}

/**
 * Why a URL cannot be a webhook endpoint, or undefined when it can: http(s) only, a host, no
 * credentials inside it (they would be sent to every hop and printed by `hooks list`).
 */
export function hookUrlProblem(text: string): string | undefined {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return `${JSON.stringify(text)} is not a URL (expected e.g. https://ats.example.com/hooks/interviewctl)`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `${u.protocol.replace(/:$/, '')}:// is not supported: use an http:// or https:// URL`;
  if (u.username !== '' || u.password !== '') return 'the URL carries credentials (user:password@); use the signing secret to authenticate deliveries instead';
  if (u.hostname === '') return 'the URL has no host';
  return undefined;
}

/** What a receiver gets: the same `id` (and webhook-id header) on every attempt of one event. */
export interface HookBody {
  id: string;
  type: HookEventType;
  version: number;
  created_at: string;
  data: Record<string, unknown>;
}

export function hookBody(e: { id: string; type: HookEventType; createdAt: Date; data: object }): HookBody {
  return { id: e.id, type: e.type, version: HOOK_BODY_VERSION, created_at: e.createdAt.toISOString(), data: e.data as Record<string, unknown> };
}

/*
 * Payloads. interview.created/started/completed/failed are written by the database statement that
 * makes the change (cli/adapters/db/outbox.ts, from the row it changed); their shapes are these.
 * No candidate name or email in any of them: `ref` is the caller's own reference for the person.
 */

export interface InterviewCreatedData {
  interview_id: string;
  ref: string | null;
  lang: string;
  duration_s: number;
  question_set: string;
  created_at: string;
  expires_at: string;
}

export interface InterviewStartedData {
  interview_id: string;
  ref: string | null;
  /** When the candidate was first seen in the room (or the recorder started, if that came first). */
  joined_at: string;
}

export interface InterviewCompletedData {
  interview_id: string;
  ref: string | null;
  started_at: string | null;
  ended_at: string | null;
  completed_at: string;
  /** Seconds from the first join to the end. */
  duration_s: number | null;
  end_reason: string | null;
  recording_key: string | null;
  transcript_key: string | null;
  vtt_key: string | null;
  /** Presigned when each attempt is sent, so a retry a day later still carries working links. */
  recording_url?: string | null;
  transcript_url?: string | null;
  urls_expire_at?: string;
}

export interface InterviewFailedData {
  interview_id: string;
  ref: string | null;
  error: string | null;
  end_reason: string | null;
  failed_at: string;
}

/** One question's score, as the evaluation (issue 10) stores it. */
export interface ScoreSummary {
  question: number;
  competency: string | null;
  score: number | null;
  scale: [number, number];
  unsupported?: boolean;
}

export interface InterviewEvaluatedData {
  interview_id: string;
  ref: string | null;
  evaluated_at: string;
  model: string;
  scores: ScoreSummary[];
  /** The mean of the scores given, or null when none was. */
  overall: number | null;
  recommendation: 'advance' | 'hold' | 'decline';
  /** Always true: a person decides (`interview.reviewed`). */
  recommendation_advisory: true;
}

export interface InterviewReviewedData {
  interview_id: string;
  ref: string | null;
  reviewed_at: string;
  decision: 'advance' | 'hold' | 'decline';
  reviewer: string;
  /** Questions whose AI score the reviewer overrode; the notes themselves stay in interviewctl. */
  overridden_questions: number[];
}

export interface CandidateDeletedData {
  interview_id: string;
  ref: string | null;
  deleted_at: string;
  /** The deletion receipt's id (when, who, why, counts: no personal data). */
  receipt_id: string;
  objects_deleted: number;
}

export interface PingData {
  message: string;
  endpoint_id: string | null;
}

const iso = (d: Date) => d.toISOString();

/** interview.evaluated from an evaluation's figures (issue 10 calls this). */
export function evaluatedData(e: {
  interviewId: string;
  ref: string | null;
  evaluatedAt: Date;
  model: string;
  scores: ScoreSummary[];
  recommendation: InterviewEvaluatedData['recommendation'];
}): InterviewEvaluatedData {
  const given = e.scores.map((s) => s.score).filter((s): s is number => typeof s === 'number');
  const overall = given.length === 0 ? null : Math.round((given.reduce((a, b) => a + b, 0) / given.length) * 100) / 100;
  return {
    interview_id: e.interviewId,
    ref: e.ref,
    evaluated_at: iso(e.evaluatedAt),
    model: e.model,
    scores: e.scores.map((s) => ({ ...s })),
    overall,
    recommendation: e.recommendation,
    recommendation_advisory: true,
  };
}

/** interview.reviewed from a person's decision (issue 10 calls this). */
export function reviewedData(r: {
  interviewId: string;
  ref: string | null;
  reviewedAt: Date;
  decision: InterviewReviewedData['decision'];
  reviewer: string;
  overriddenQuestions?: number[];
}): InterviewReviewedData {
  return {
    interview_id: r.interviewId,
    ref: r.ref,
    reviewed_at: iso(r.reviewedAt),
    decision: r.decision,
    reviewer: r.reviewer,
    overridden_questions: [...(r.overriddenQuestions ?? [])].sort((a, b) => a - b),
  };
}

/** candidate.deleted from a deletion receipt (issue 12 calls this). */
export function candidateDeletedData(d: { interviewId: string; ref: string | null; deletedAt: Date; receiptId: string; objectsDeleted: number }): CandidateDeletedData {
  return { interview_id: d.interviewId, ref: d.ref, deleted_at: iso(d.deletedAt), receipt_id: d.receiptId, objects_deleted: d.objectsDeleted };
}

export function pingData(endpointId: string | null): PingData {
  return { message: 'ping from interviewctl: this endpoint is reachable and its signature checks out', endpoint_id: endpointId };
}

/* Retries. */

export const RETRY_FOR_MS = 24 * 60 * 60 * 1000;
export const SEND_TIMEOUT_MS = 10_000;
/** Bytes of a receiver's answer we read at most (the rest is dropped with the connection). */
export const RESPONSE_READ_LIMIT = 64 * 1024;

/**
 * Delay before attempt `attempts + 1`: exponential from `baseMs` (doubling, capped at an hour),
 * with equal jitter (half fixed, half random) so endpoints coming back are not hit in lockstep.
 */
export function retryDelayMs(attempts: number, baseMs: number, random: () => number = Math.random): number {
  const cap = 60 * 60 * 1000;
  const exp = Math.min(cap, baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30));
  return Math.round(exp / 2 + (exp / 2) * random());
}

/** What one attempt's answer means for the delivery. */
export type AttemptVerdict = 'delivered' | 'retry' | 'endpoint_gone';

export function verdictOf(status: number | null): AttemptVerdict {
  if (status !== null && status >= 200 && status < 300) return 'delivered';
  if (status === 410) return 'endpoint_gone';
  return 'retry';
}

/** After a failed attempt: the next try's time, or give up when it would fall past `retryUntil`. */
export function nextAttempt(attempts: number, now: Date, retryUntil: Date, baseMs: number, random?: () => number): Date | 'give_up' {
  const at = new Date(now.getTime() + retryDelayMs(attempts, baseMs, random));
  return at.getTime() > retryUntil.getTime() ? 'give_up' : at;
}
