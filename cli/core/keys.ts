/** `YYYYMMDDTHHMMSSZ` in UTC. */
export function compactUtc(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** Storage keys for one recording (SPEC.md section 6). */
export function recordingKeys(interviewId: string, roomName: string, startedAt: Date) {
  const base = `recordings/${interviewId}/${compactUtc(startedAt)}_${roomName}`;
  return { video: `${base}.mp4`, transcript: `${base}.transcript.json`, vtt: `${base}.vtt`, evaluation: `${base}.evaluation.json`, witness: `${base}.witness.m4a` };
}

/**
 * The evaluation's key beside the transcript (same timestamp and room, SPEC.md section 12), or
 * null for a transcript key of another shape.
 */
export function evaluationKeyFor(transcriptKey: string | null): string | null {
  if (!transcriptKey || !transcriptKey.endsWith('.transcript.json')) return null;
  return `${transcriptKey.slice(0, -'.transcript.json'.length)}.evaluation.json`;
}

/** RECORDER=browser: the interviewer's audio witness beside a recording's MP4 key, or null for a key of another shape. */
export function witnessKeyFor(recordingKey: string | null): string | null {
  if (!recordingKey || !recordingKey.endsWith('.mp4')) return null;
  return `${recordingKey.slice(0, -'.mp4'.length)}.witness.m4a`;
}

/**
 * RECORDER=browser: where the candidate's page stores its recording as it goes, before the
 * interviewer joins it into the MP4. Under the interview's own prefix, so purge, candidate delete
 * and export take it with everything else.
 */
export function browserPartsPrefix(interviewId: string): string {
  return `recordings/${interviewId}/browser/`;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** One page session's container (a MediaRecorder from start to stop): its manifest, parts and end mark. */
export function browserSegmentKeys(interviewId: string, segment: number) {
  const base = `${browserPartsPrefix(interviewId)}s${pad(segment, 4)}`;
  return { manifest: `${base}.json`, done: `${base}.done.json`, part: (n: number) => `${base}/p${pad(n, 6)}.bin` };
}

/** Every interview's storage lives under this prefix (`recordings/<interviewId>/…`). */
export const RECORDINGS_PREFIX = 'recordings/';

/** The interview a storage key belongs to (`recordings/<interviewId>/…`), or undefined for a key of another shape. */
export function interviewIdOfKey(key: string): string | undefined {
  return /^recordings\/([A-Za-z0-9_-]{22})\//.exec(key)?.[1];
}
