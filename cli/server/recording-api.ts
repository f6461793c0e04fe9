import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InterviewRepo } from '../adapters/db/interviews.js';
import type { ObjectStorage } from '../adapters/storage/storage.js';
import {
  awaitsPartsJoin,
  BROWSER_MAX_PARTS,
  BROWSER_MAX_SEGMENTS,
  BROWSER_PART_MAX_BYTES,
  contiguousParts,
  isRecordableMime,
  readSegments,
  takesPartsAfterFailure,
  type SegmentManifest,
} from '../core/browser-recording.js';
import type { Interview } from '../core/interview.js';
import { browserPartsPrefix, browserSegmentKeys } from '../core/keys.js';
import type { Logger } from '../log.js';
import { keyMatches } from './candidate-api.js';
import { HttpError, readJsonObject, sendJson } from './http-utils.js';
import { createRateLimiter } from './rate-limit.js';

export interface RecordingApiDeps {
  interviews: InterviewRepo;
  /** Opened on first use (the S3 SDK loads in seconds on a busy machine). */
  storage: () => Promise<ObjectStorage>;
  log: Logger;
  /** Requests per interview per minute (a part every 3 s is 20; retries after an outage come in a burst). */
  perMinute?: number;
  now?: () => number;
}

/** How long a page may have recorded a segment before serve hears of it (a network cut's rejoin). */
const MAX_RECORDED_BEFORE_START_MS = 10 * 60_000;

/**
 * Where a live interview's page may still store parts: `ending` too, for the parts after its End
 * (and a `failed` one for a few seconds after its failure: see FAILED_PARTS_GRACE_MS).
 */
const TAKES_PARTS = ['used', 'recording', 'ending'];

/**
 * RECORDER=browser: the candidate's page stores its own recording through serve, part by part.
 *
 * serve takes each part and writes it to storage itself (rather than handing out presigned
 * UploadPart URLs): the size cap is then exact (serve reads at most the cap), the bucket needs no
 * CORS rule and never answers a browser at all, and RECORDINGS_DIR works the same as a bucket.
 * Parts are separate objects, not S3 multipart parts: a part is a few seconds of recording, far
 * below multipart's 5 MiB minimum, and buffering 5 MiB in the page would lose ~30 s to a reload.
 * The interviewer joins them into the MP4 at the end.
 *
 * Every request needs the interview's resumeKey (the part's in an `x-resume-key` header, which a
 * cross-site form cannot send) and a live interview; the state of an upload lives in storage
 * (manifest, parts, end mark), so any serve replica answers any request.
 */
export function createRecordingApi(deps: RecordingApiDeps) {
  const limiter = createRateLimiter(deps.perMinute ?? 240, 60_000, deps.now);
  const now = deps.now ?? Date.now;

  /**
   * The interview, when the request's resumeKey is its own and its status is one of `statuses`;
   * with `afterFailure`, also a `failed` one within FAILED_PARTS_GRACE_MS of its failure (the
   * parts the page had in flight then). The answer says which: `failedAt` is set for the latter.
   */
  async function authorised(id: string, resumeKey: unknown, statuses: string[], afterFailure = false): Promise<{ interview: Interview; failedAt?: Date }> {
    if (limiter.hit(id) > 0) throw new HttpError(429, 'rate_limited', 'too many recording requests for this interview; slow down');
    const interview = await deps.interviews.findExact(id);
    if (!interview) throw new HttpError(404, 'not_found', 'no interview at this link');
    if (!keyMatches(resumeKey, interview.resumeKeyHash)) throw new HttpError(403, 'forbidden', 'only the candidate who joined can record this interview');
    if (statuses.includes(interview.status)) return { interview };
    if (afterFailure && awaitsPartsJoin(interview)) {
      const failedAt = await deps.interviews.failedAt(id);
      if (takesPartsAfterFailure(failedAt, now())) return { interview, failedAt };
    }
    throw notLive(interview.status);
  }

  const notLive = (status: string) => new HttpError(410, 'not_live', `this interview is ${status}: it takes no more recording`);

  const segmentOf = (raw: unknown): number => {
    const n = typeof raw === 'string' ? Number(raw) : raw;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > BROWSER_MAX_SEGMENTS) throw new HttpError(400, 'invalid_segment', `segment must be a whole number from 1 to ${BROWSER_MAX_SEGMENTS}`);
    return n;
  };

  return {
    /**
     * Opens the page's next segment, or with `segment` of one still open, answers it again with
     * the parts already stored (idempotent: a page that lost its answer, or rejoined, goes on).
     * Opening a new one closes the ones left open: their page is gone (a reload starts a new
     * container, which cannot continue the old one's bytes). All but `keepOpen`: a page that
     * rejoined the room without a reload still stores the rest of its previous segment (the parts
     * a network cut held back) and completes it itself; if it goes away first, the interviewer
     * closes it when its wait for the page runs out. `recordedMs` is how long the page has
     * recorded this segment already (its request waited out the cut): the segment is dated back.
     */
    async start(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
      // The page starts its recorder as it sends this: the segment begins now, not after the
      // lookups below (the interviewer places the segment, and the words in it, by this time).
      const receivedAt = now();
      const body = await readJsonObject(req);
      await authorised(id, body.resumeKey, ['used', 'recording']);
      const storage = await deps.storage();
      const prefix = browserPartsPrefix(id);
      const segments = readSegments(await storage.list(prefix), prefix);
      if (body.segment !== undefined && body.segment !== null) {
        const want = segmentOf(body.segment);
        const open = segments.find((s) => s.segment === want && s.hasManifest && !s.done);
        if (open) {
          const parts = contiguousParts(open.parts);
          return sendJson(res, 200, { segment: want, parts, bytes: open.bytes, maxPartBytes: BROWSER_PART_MAX_BYTES, resumed: true });
        }
      }
      if (!isRecordableMime(body.mimeType)) throw new HttpError(400, 'invalid_mime_type', 'mimeType must be a video/mp4 or video/webm MediaRecorder type');
      const keepOpen = body.keepOpen === undefined || body.keepOpen === null ? undefined : segmentOf(body.keepOpen);
      const recordedMs = body.recordedMs ?? 0;
      if (typeof recordedMs !== 'number' || !Number.isFinite(recordedMs) || recordedMs < 0 || recordedMs > MAX_RECORDED_BEFORE_START_MS) {
        throw new HttpError(400, 'invalid_recorded_ms', `recordedMs must be a number of ms from 0 to ${MAX_RECORDED_BEFORE_START_MS}`);
      }
      const next = (segments.at(-1)?.segment ?? 0) + 1;
      if (next > BROWSER_MAX_SEGMENTS) throw new HttpError(409, 'too_many_segments', `this interview already has ${BROWSER_MAX_SEGMENTS} recording segments`);
      for (const s of segments) {
        if (!s.done && s.hasManifest && s.segment !== keepOpen) await storage.put(browserSegmentKeys(id, s.segment).done, JSON.stringify({ parts: contiguousParts(s.parts).length, closedAt: new Date(now()).toISOString(), closedBy: 'next segment' }), 'application/json');
      }
      const manifest: SegmentManifest = { mimeType: body.mimeType, startedAt: new Date(receivedAt - recordedMs).toISOString() };
      await storage.put(browserSegmentKeys(id, next).manifest, JSON.stringify(manifest), 'application/json');
      deps.log.info('browser recording segment opened', { interview: id, segment: next, mime: body.mimeType, recorded_ms: Math.round(recordedMs), ...(keepOpen ? { kept_open: keepOpen } : {}) });
      sendJson(res, 200, { segment: next, parts: [], bytes: 0, maxPartBytes: BROWSER_PART_MAX_BYTES, resumed: false });
    },

    /** Stores part `n` of an open segment: in order (part n-1 stored first), at most the cap. */
    async part(req: IncomingMessage, res: ServerResponse, id: string, segmentText: string, partText: string): Promise<void> {
      const segment = segmentOf(segmentText);
      const n = Number(partText);
      if (!Number.isInteger(n) || n < 1 || n > BROWSER_MAX_PARTS) throw new HttpError(400, 'invalid_part', `part must be a whole number from 1 to ${BROWSER_MAX_PARTS}`);
      const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/octet-stream') throw new HttpError(415, 'unsupported_media_type', 'send a part as application/octet-stream');
      const declared = Number(req.headers['content-length'] ?? NaN);
      if (!Number.isFinite(declared)) throw new HttpError(411, 'length_required', 'a part needs a Content-Length');
      if (declared > BROWSER_PART_MAX_BYTES) {
        res.setHeader('connection', 'close');
        throw new HttpError(413, 'part_too_large', `a part may be at most ${BROWSER_PART_MAX_BYTES} bytes`);
      }
      if (declared === 0) throw new HttpError(400, 'empty_part', 'a part cannot be empty');
      const { failedAt } = await authorised(id, req.headers['x-resume-key'], TAKES_PARTS, true);
      const storage = await deps.storage();
      const keys = browserSegmentKeys(id, segment);
      if ((await storage.size(keys.manifest)) === undefined) throw new HttpError(404, 'no_such_segment', `segment ${segment} was never started`);
      const closed = async () => (await storage.size(keys.done)) !== undefined;
      const complete = () => new HttpError(409, 'upload_completed', `segment ${segment} is complete; it takes no more parts`);
      if (await closed()) throw complete();
      if (n > 1 && (await storage.size(keys.part(n - 1))) === undefined) throw new HttpError(409, 'out_of_order', `part ${n - 1} of segment ${segment} is not stored yet; send it first`);
      const bytes = await readExactly(req, declared);
      // A slow body may outlast the window: past it, reconcile may be joining the parts already.
      if (failedAt && !takesPartsAfterFailure(failedAt, now())) throw notLive('failed');
      // Or the segment was closed meanwhile (the interviewer stopped waiting and joins what it holds).
      if (await closed()) throw complete();
      await storage.put(keys.part(n), bytes, 'application/octet-stream');
      sendJson(res, 201, { segment, part: n, bytes: bytes.length });
    },

    /** Marks a segment complete (the page stopped its recorder and stored every part). */
    async complete(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
      const body = await readJsonObject(req);
      const segment = segmentOf(body.segment);
      await authorised(id, body.resumeKey, TAKES_PARTS, true);
      const storage = await deps.storage();
      const prefix = browserPartsPrefix(id);
      const found = readSegments(await storage.list(prefix), prefix).find((s) => s.segment === segment && s.hasManifest);
      if (!found) throw new HttpError(404, 'no_such_segment', `segment ${segment} was never started`);
      if (found.done) throw new HttpError(409, 'upload_completed', `segment ${segment} is already complete`);
      const parts = contiguousParts(found.parts).length;
      await storage.put(browserSegmentKeys(id, segment).done, JSON.stringify({ parts, closedAt: new Date(now()).toISOString(), closedBy: 'page' }), 'application/json');
      deps.log.info('browser recording segment complete', { interview: id, segment, parts, bytes: found.bytes });
      sendJson(res, 200, { segment, parts, bytes: found.bytes });
    },
  };
}

/** The body of a request whose length was declared (Node holds the body to it). */
function readExactly(req: IncomingMessage, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      chunks.push(c);
    });
    req.once('end', () => (size === length ? resolve(Buffer.concat(chunks)) : reject(new HttpError(400, 'incomplete_part', 'the part ended before its Content-Length'))));
    req.once('error', reject);
    req.once('aborted', () => reject(new Error('request aborted')));
  });
}
