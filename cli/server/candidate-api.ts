import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InterviewRepo } from '../adapters/db/interviews.js';
import type { JoinClaim, JoinRequest, SessionRepo } from '../adapters/db/sessions.js';
import { SESSION_ROOM_TIMEOUTS, type LiveKit } from '../adapters/livekit/client.js';
import type { IntegrityRepo } from '../adapters/db/reviews.js';
import { ConflictError } from '../core/errors.js';
import { readIntegrityReport } from '../core/integrity.js';
import { candidateIdentityFor, newResumeKey, roomNameFor } from '../core/ids.js';
import { endsAt, type Interview } from '../core/interview.js';
import { BUSY_RETRY_MS, JOIN_DEADLINE_MS } from '../core/join-timing.js';
import { HttpError, readJsonObject, sendJson } from './http-utils.js';
import type { Disclosure } from '../adapters/db/consents.js';
import { createBatchQueue } from './batch-queue.js';
import { checkDisclosure, trimUserAgent } from './disclosures.js';
import { joinMetrics } from '../metrics/serve-metrics.js';
import type { Logger } from '../log.js';

export interface CandidateApiDeps {
  interviews: InterviewRepo;
  sessions: SessionRepo;
  livekit: LiveKit;
  log: Logger;
  /** Extra life of a candidate token past the interview's end. */
  tokenGraceSeconds?: number;
  /** Room timeouts: long enough that a reload or a network drop finds the room still there. */
  room?: { emptySeconds: number; departureSeconds: number };
  /** Join batches at once; each holds a database connection across its LiveKit calls. */
  joinSlots?: number;
  /** Where the page's integrity notes go (tab hidden, window not focused). */
  integrity?: IntegrityRepo;
  /** How long one join may take before it is answered 503 and given up (see join-timing.ts). */
  joinDeadlineMs?: number;
  /** The disclosure versions the served page shows; a join must name one of them. */
  disclosures: Map<string, Disclosure>;
  /** RECORDER=browser: the join answer tells the page to record itself. */
  pageRecords?: boolean;
}

/** A claim, and for a winner how long it waited on LiveKit (room + dispatch, its batch's). */
type JoinOutcome = JoinClaim & { livekitMs?: number };

export function hashResumeKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The resumeKey sent against the stored hash, in constant time. */
export function keyMatches(key: unknown, hash: string | null): boolean {
  if (typeof key !== 'string' || key.length === 0 || key.length > 200 || !hash) return false;
  const a = Buffer.from(hashResumeKey(key), 'hex');
  const b = Buffer.from(hash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

const GONE: Record<string, string> = {
  expired: 'this interview link has expired',
  revoked: 'this interview link was cancelled',
  ended: 'this interview has ended',
};

function gone(status: string): HttpError | undefined {
  if (status === 'expired' || status === 'revoked') return new HttpError(410, status, GONE[status]!);
  if (status === 'ending' || status === 'completed' || status === 'failed') return new HttpError(410, 'ended', GONE.ended!);
  return undefined;
}

export function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] ?? '';
}

export function createCandidateApi(deps: CandidateApiDeps) {
  const grace = deps.tokenGraceSeconds ?? 300;
  const room = deps.room ?? SESSION_ROOM_TIMEOUTS;
  const joins = createBatchQueue<JoinRequest, JoinOutcome>({
    // Few slots, big batches: on a busy machine a join waiting for the next batch costs less than
    // the round-trips and wake-ups of more transactions (bench:join: 2-4 slots beat 8 and 16).
    slots: deps.joinSlots ?? 4,
    maxBatch: 64,
    async run(batch, settle) {
      // The LiveKit round-trips alone (room + agent dispatch), apart from our own work around them.
      let phaseStart = 0;
      let phaseEnd = 0;
      const start = async (id: string) => {
        if (phaseStart === 0) phaseStart = performance.now();
        try {
          return await deps.livekit.startSession(roomNameFor(id), { interviewId: id }, room);
        } finally {
          phaseEnd = Math.max(phaseEnd, performance.now());
        }
      };
      joinMetrics.batchSize.observe(batch.length);
      await deps.sessions.claimForJoins(batch, start, (i, claim) => settle(i, claim.outcome === 'claimed' ? { ...claim, livekitMs: phaseEnd - phaseStart } : claim));
    },
  });

  const deadlineMs = deps.joinDeadlineMs ?? JOIN_DEADLINE_MS;
  const tryAgain = () => new HttpError(503, 'join_timeout', 'the interview could not be started in time; try again');

  /**
   * The claim, bounded in time and by the client: once the client has gone or the deadline has
   * passed, a claim not yet being written is given up (it never commits: the retry finds the link
   * unused). A link another join is claiming at this moment is tried again until that one is over.
   */
  async function claimWithin(id: string, resumeKeyHash: string, consent: JoinRequest['consent'], res: ServerResponse): Promise<Exclude<JoinOutcome, { outcome: 'abandoned' }>> {
    const until = performance.now() + deadlineMs;
    const join = { state: 'waiting' as 'waiting' | 'writing' | 'given_up' };
    const giveUp = () => {
      if (join.state === 'waiting') join.state = 'given_up';
    };
    res.once('close', giveUp);
    const commit = () => {
      if (join.state === 'given_up') return false;
      join.state = 'writing';
      return true;
    };
    try {
      for (;;) {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), Math.max(0, until - performance.now()))));
        const submitted = joins.submit({ id, resumeKeyHash, commit, consent });
        let claim = await Promise.race([submitted, late]).finally(() => clearTimeout(timer));
        if (claim === 'late') {
          giveUp();
          // Being written already: its outcome is the answer, whichever way it goes.
          if (join.state !== 'writing') {
            submitted.catch(() => {});
            throw tryAgain();
          }
          claim = await submitted;
        }
        if (claim.outcome === 'abandoned') throw tryAgain();
        const heldElsewhere = claim.outcome === 'seen' && claim.busy;
        if (!heldElsewhere || join.state !== 'waiting') return claim;
        if (performance.now() + BUSY_RETRY_MS >= until) throw tryAgain();
        await new Promise((r) => setTimeout(r, BUSY_RETRY_MS));
        if (join.state !== 'waiting') throw tryAgain();
      }
    } finally {
      res.off('close', giveUp);
    }
  }

  async function load(id: string): Promise<Interview> {
    const interview = await deps.interviews.findExact(id);
    if (!interview) throw new HttpError(404, 'not_found', 'no interview at this link');
    return interview;
  }

  async function tokenFor(interview: Interview, resumeKey: string) {
    const end = endsAt(interview)!;
    const ttlSeconds = Math.max(60, Math.ceil((end.getTime() - Date.now()) / 1000) + grace);
    const token = await deps.livekit.candidateToken({
      roomName: roomNameFor(interview.id),
      identity: candidateIdentityFor(interview.id),
      name: firstName(interview.candidateName),
      ttlSeconds,
    });
    return { token, livekitUrl: deps.livekit.url, roomName: roomNameFor(interview.id), endsAt: end.toISOString(), resumeKey, ...(deps.pageRecords ? { recorder: 'browser' } : {}) };
  }

  return {
    async status(res: ServerResponse, id: string): Promise<void> {
      const i = await load(id);
      sendJson(res, 200, {
        id: i.id,
        status: i.status,
        durationSeconds: Math.round(i.durationMs / 1000),
        expiresAt: i.expiresAt.toISOString(),
        endsAt: endsAt(i)?.toISOString() ?? null,
        lang: i.lang,
        firstName: firstName(i.candidateName),
        // The preflight checks the browser can record before the candidate may join.
        ...(deps.pageRecords ? { recorder: 'browser' } : {}),
      });
    },

    /** Answers a join; returns its outcome for the metrics (a refusal throws an HttpError). */
    async join(req: IncomingMessage, res: ServerResponse, id: string): Promise<{ outcome: 'joined' | 'resumed'; livekitMs?: number }> {
      const body = await readJsonObject(req);
      if (body.consent !== true) throw new HttpError(400, 'consent_required', 'the candidate must agree to the AI interviewer and the recording first');
      const disclosure = checkDisclosure(body, deps.disclosures);
      const resumeKey = newResumeKey();
      const consent = { version: disclosure.version, lang: disclosure.lang, userAgent: trimUserAgent(req.headers['user-agent']) };
      const claim = await claimWithin(id, hashResumeKey(resumeKey), consent, res);
      if (claim.outcome === 'not_found') throw new HttpError(404, 'not_found', 'no interview at this link');
      if (claim.outcome === 'dispatch_failed') throw claim.error;
      if (claim.outcome === 'claimed') {
        deps.log.info('candidate joined', { interview: id, dispatch: claim.interview.dispatchId });
        sendJson(res, 200, await tokenFor(claim.interview, resumeKey));
        return { outcome: 'joined', livekitMs: claim.livekitMs };
      }
      // Past its expiry: reading it again writes it as expired. Held by another join: it may have
      // expired or been revoked a moment ago, which says more than "already used".
      const interview = claim.expired || claim.busy ? await load(id) : claim.interview;
      const isGone = gone(interview.status);
      if (isGone) throw isGone;
      if ((interview.status === 'used' || interview.status === 'recording') && keyMatches(body.resumeKey, interview.resumeKeyHash)) {
        deps.log.info('candidate resumed', { interview: id });
        sendJson(res, 200, await tokenFor(interview, body.resumeKey as string));
        return { outcome: 'resumed' };
      }
      throw new HttpError(409, 'already_used', 'this link has already been used on another device');
    },

    /**
     * The page's integrity notes (spans when its tab was hidden or its window not focused), for
     * a person reading the report; only the candidate who joined (the resumeKey), only during the
     * interview and shortly after its end. Stored, never scored.
     */
    async integrity(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
      const body = await readJsonObject(req);
      const interview = await load(id);
      if (!keyMatches(body.resumeKey, interview.resumeKeyHash)) throw new HttpError(403, 'forbidden', 'only the candidate who joined can report for this interview');
      const lateMs = interview.endedAt ? Date.now() - interview.endedAt.getTime() : 0;
      if (!['used', 'recording', 'ending', 'completed', 'failed'].includes(interview.status) || lateMs > 10 * 60_000) throw new HttpError(410, 'ended', GONE.ended!);
      const read = readIntegrityReport(body, Date.now(), interview.durationMs + 10 * 60_000);
      if ('problem' in read) throw new HttpError(400, 'invalid_body', read.problem);
      const since = interview.usedAt?.getTime() ?? Date.now();
      const notes = read.notes.filter((n) => n.endedAt.getTime() >= since - 60_000);
      const stored = deps.integrity ? await deps.integrity.add(id, notes) : 0;
      deps.log.info('integrity notes', { interview: id, received: read.notes.length, stored });
      sendJson(res, 202, { stored });
    },

    async end(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
      const body = await readJsonObject(req);
      const interview = await load(id);
      if (!keyMatches(body.resumeKey, interview.resumeKeyHash)) throw new HttpError(403, 'forbidden', 'only the candidate who joined can end this interview');
      if (interview.status === 'ending') {
        sendJson(res, 202, { status: 'ending' });
        return;
      }
      try {
        await deps.interviews.applyEvent(id, 'end', { actor: 'candidate', reason: 'end button', patch: { end_reason: 'candidate_ended' } });
      } catch (err) {
        if (err instanceof ConflictError) throw gone((await load(id)).status) ?? new HttpError(409, 'conflict', 'this interview cannot be ended now');
        throw err;
      }
      deps.log.info('candidate ended the interview', { interview: id });
      sendJson(res, 202, { status: 'ending' });
    },
  };
}
