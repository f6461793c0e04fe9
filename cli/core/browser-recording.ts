/**
 * RECORDER=browser, the pure parts: what the page stored (segments of parts, read from a storage
 * listing), the limits serve enforces, and the comparison of the page's recording with the
 * interviewer's audio witness.
 */

import type { Interview } from './interview.js';

/**
 * The largest part serve takes: the page sends a part every few seconds (MediaRecorder timeslice
 * 3 s; at the 1.5 Mbit/s the page asks for that is ~600 KB), so 4 MiB leaves room for a browser that
 * ignores the bitrate and still bounds what one request can write.
 */
export const BROWSER_PART_MAX_BYTES = 4 * 1024 * 1024;
/** Parts per segment and segments per interview (a 2-hour interview at 3 s a part is 2,400 parts). */
export const BROWSER_MAX_PARTS = 10_000;
export const BROWSER_MAX_SEGMENTS = 500;

/**
 * How long after its interview failed serve still takes a page's parts. The page records on until
 * it hears of the failure, and the part it was recording then (a 3 s timeslice, plus its upload
 * and a retry or two) holds the last seconds from before it: refused, they would be lost. Parts
 * recorded later in the window (the candidate alone) are kept too; they are the page's own.
 */
export const FAILED_PARTS_GRACE_MS = 10_000;
/** reconcile joins a failed interview's parts only this long after the failure: the window, and a part's write. */
export const FAILED_PARTS_SETTLE_MS = FAILED_PARTS_GRACE_MS + 5_000;

/**
 * A `failed` interview whose recording is still to be made from its page's parts: none stored yet
 * (every recorder stores the transcript with the recording) and its candidate's data not deleted.
 * serve takes its last parts, and reconcile joins them, only then.
 */
export function awaitsPartsJoin(i: Pick<Interview, 'status' | 'transcriptKey' | 'deletedAt'>): boolean {
  return i.status === 'failed' && !i.transcriptKey && !i.deletedAt;
}

/** Whether a page may still store parts of an interview that failed at `failedAt` (undefined: not known, no). */
export function takesPartsAfterFailure(failedAt: Date | undefined, nowMs: number): boolean {
  return failedAt !== undefined && nowMs - failedAt.getTime() <= FAILED_PARTS_GRACE_MS;
}

/** When the parts of an interview that failed at `failedAt` are all in (none come later): ms since the epoch. */
export function partsSettledAt(failedAt: Date | undefined): number {
  return failedAt === undefined ? 0 : failedAt.getTime() + FAILED_PARTS_SETTLE_MS;
}

/** One MediaRecorder session of the page (from a connect to a stop or a reload): its own container. */
export interface StoredSegment {
  segment: number;
  /** The manifest the start wrote: mime type and when it began (serve's clock). */
  hasManifest: boolean;
  /** The page said it is complete (or the interviewer closed it). */
  done: boolean;
  /** Part numbers stored, ascending. */
  parts: number[];
  bytes: number;
}

const SEGMENT_KEY = /^s(\d{4})(\.json|\.done\.json|\/p(\d{6})\.bin)$/;

/** The segments under `prefix` (browserPartsPrefix) in a listing, ascending; other keys are ignored. */
export function readSegments(listing: { key: string; size: number }[], prefix: string): StoredSegment[] {
  const byNumber = new Map<number, StoredSegment>();
  for (const { key, size } of listing) {
    if (!key.startsWith(prefix)) continue;
    const m = SEGMENT_KEY.exec(key.slice(prefix.length));
    if (!m) continue;
    const n = Number(m[1]);
    let s = byNumber.get(n);
    if (!s) byNumber.set(n, (s = { segment: n, hasManifest: false, done: false, parts: [], bytes: 0 }));
    if (m[2] === '.json') s.hasManifest = true;
    else if (m[2] === '.done.json') s.done = true;
    else {
      s.parts.push(Number(m[3]));
      s.bytes += size;
    }
  }
  const out = [...byNumber.values()].sort((a, b) => a.segment - b.segment);
  for (const s of out) s.parts.sort((a, b) => a - b);
  return out;
}

/** The parts 1..k of a segment that follow one another from 1: what makes a playable stream. */
export function contiguousParts(parts: number[]): number[] {
  const out: number[] = [];
  for (const p of parts) {
    if (p !== out.length + 1) break;
    out.push(p);
  }
  return out;
}

/** What the page wrote when it opened a segment. */
export interface SegmentManifest {
  mimeType: string;
  startedAt: string;
}

/** The container types the page may record in (what the remux can read). */
export function isRecordableMime(mime: unknown): mime is string {
  return typeof mime === 'string' && mime.length <= 100 && /^video\/(mp4|webm)(;\s*codecs="?[a-zA-Z0-9.,\s]+"?)?$/.test(mime);
}

/** Level windows of the witness comparison. */
export const LEVEL_WINDOW_MS = 500;
/** What audioLevels gives a window of zeros. */
export const DIGITAL_SILENCE_DBFS = -119;
/** A window louder than this (dBFS RMS) has someone speaking in it. */
export const SPEECH_DBFS = -42;

export interface WitnessInput {
  /** The page's recording, per segment: where it starts on the witness's clock (ms) and its levels (dBFS per window). */
  segments: { atMs: number; levels: number[] }[];
  witness: { levels: number[] };
  /** Ms of the witness the page's recording is missing by design (reloads between segments). */
  gapMs: number;
  /**
   * A partial recording (reconcile's, from the parts a crash left): the page or the witness may
   * have stopped before the other by design (the candidate vanished, the interviewer's job died),
   * so the lengths are not compared; speech the witness never heard still is.
   */
  partial?: boolean;
}

export interface WitnessCheck {
  agrees: boolean;
  /** For a person: what differs, or that it matches. */
  detail: string;
  recordingMs: number;
  witnessMs: number;
  /** Seconds of the recording with speech where the witness has none. */
  speechWithoutWitnessS: number;
}

const mmss = (ms: number) => `${String(Math.floor(ms / 60_000)).padStart(2, '0')}:${String(Math.floor(ms / 1000) % 60).padStart(2, '0')}`;

/**
 * Compares the page's recording with the interviewer's witness: the length (after the gaps the
 * reloads explain) and where there is speech. Both are reduced to speech/silence per 500 ms window;
 * each segment of the recording is placed on the witness's clock and shifted (±10 s) to where it
 * agrees best. Speech in the
 * recording where the witness heard silence (with one window of slack either side) for more than
 * 3 s, or a length off by more than max(5 s, 3 %), is a disagreement for a person to look at.
 */
export function compareWithWitness(w: WitnessInput): WitnessCheck {
  const win = LEVEL_WINDOW_MS;
  // A window of digital zero is one the witness did not hear (its job was starved of CPU and the
  // frames were dropped, or nobody was connected), not silence: a microphone's silence is never 0.
  const witnessSpeech = w.witness.levels.map((l) => (l <= DIGITAL_SILENCE_DBFS ? undefined : l > SPEECH_DBFS));
  const unheardS = (witnessSpeech.filter((v) => v === undefined).length * win) / 1000;
  const witnessMs = w.witness.levels.length * win;
  // What the stored MP4 keeps: the page's windows from the witness's start on (a lead before it is cut).
  const recordingMs = w.segments.reduce((t, s) => t + Math.min(s.levels.length, s.levels.length + Math.round(s.atMs / win)) * win, 0);
  // Each segment on the witness clock where its manifest puts it, then shifted (±10 s: the
  // page's and the agent's clocks and starts differ by a moment, and more after a reload) to
  // where it agrees best with the witness.
  const maxShift = Math.round(10_000 / win);
  const unmatched: number[] = [];
  for (const seg of w.segments) {
    const first = Math.round(seg.atMs / win);
    const speech = seg.levels.map((l) => l > SPEECH_DBFS);
    let best = { shift: 0, score: -Infinity };
    for (let shift = -maxShift; shift <= maxShift; shift++) {
      let score = 0;
      for (let i = 0; i < speech.length; i++) {
        const k = first + i + shift;
        // Past either end of the witness nothing vouches for speech: sliding a recording off the
        // witness must never look better than laying it on a witness that heard silence.
        if (k < 0 || k >= witnessSpeech.length) {
          if (speech[i]) score -= 1;
          continue;
        }
        const v = witnessSpeech[k];
        if (v === undefined) continue;
        if (speech[i] && v) score += 1;
        else if (speech[i] !== v) score -= 1;
      }
      if (score > best.score || (score === best.score && Math.abs(shift) < Math.abs(best.shift))) best = { shift, score };
    }
    for (let i = 0; i < speech.length; i++) {
      if (!speech[i]) continue;
      const j = first + i + best.shift;
      const around = [j - 1, j, j + 1].map((k) => witnessSpeech[k]);
      if (around.every((v) => v === undefined)) continue;
      if (!around.some((v) => v === true)) unmatched.push(j * win);
    }
  }
  const problems: string[] = [];
  const speechWithoutWitnessS = (unmatched.length * win) / 1000;
  if (speechWithoutWitnessS > 3) {
    const at = unmatched.slice(0, 3).map((ms) => mmss(Math.max(0, ms)));
    problems.push(`${speechWithoutWitnessS.toFixed(1)} s of speech where the witness heard silence (from ${at.join(', ')}${unmatched.length > 3 ? ', …' : ''})`);
  }
  const expectedMs = Math.max(0, witnessMs - w.gapMs);
  const offBy = recordingMs - expectedMs;
  if (!w.partial && Math.abs(offBy) > Math.max(5_000, expectedMs * 0.03)) {
    problems.push(`the recording is ${(Math.abs(offBy) / 1000).toFixed(1)} s ${offBy < 0 ? 'shorter' : 'longer'} than the witness (${mmss(recordingMs)} against ${mmss(witnessMs)}${w.gapMs > 0 ? `, ${(w.gapMs / 1000).toFixed(1)} s of reloads allowed for` : ''})`);
  }
  return {
    agrees: problems.length === 0,
    detail:
      (problems.length === 0 ? `matches its audio witness (${mmss(recordingMs)} against ${mmss(witnessMs)}${w.partial ? '; a partial recording: speech compared, not the lengths' : ''})` : problems.join('; ')) +
      (unheardS >= 1 ? `; the witness heard nothing at all for ${unheardS.toFixed(1)} s, not compared` : ''),
    recordingMs,
    witnessMs,
    speechWithoutWitnessS,
  };
}

/** One of the page's segments as the joined MP4 keeps it. */
export interface JoinedSegment {
  /** Where it begins on the interviewer's clock (ms; its manifest's start, negative when before the clock's zero). */
  atMs: number;
  /** Its length in the joined file (ms; after the lead cut from the first one). */
  lengthMs: number;
}

/**
 * The interviewer's clock (utterance offsets, the witness) → the joined MP4's time. The segments
 * play back to back in the file, so each is moved up by the time the page was away before it
 * (a reload, a tab that lost its last part); a moment in such a gap goes to where the recording
 * resumes, one before the first segment to 0, one after the last to its end. The first segment's
 * lead (before the clock's zero) is cut from the file, so its moments keep their offsets.
 */
export function toRecordingTime(segments: JoinedSegment[]): (ms: number) => number {
  const placed: { fromMs: number; posMs: number; lengthMs: number }[] = [];
  let posMs = 0;
  for (const [i, s] of segments.entries()) {
    const fromMs = i === 0 ? Math.max(0, s.atMs) : s.atMs;
    placed.push({ fromMs, posMs, lengthMs: s.lengthMs });
    posMs += s.lengthMs;
  }
  return (ms) => {
    let at: (typeof placed)[number] | undefined;
    for (const p of placed) if (p.fromMs <= ms) at = p;
    if (!at) return 0;
    return at.posMs + Math.min(ms - at.fromMs, at.lengthMs);
  };
}
