/** `YYYYMMDDTHHMMSSZ` in UTC. */
export function compactUtc(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** Storage keys for one recording (SPEC.md section 6). */
export function recordingKeys(interviewId: string, roomName: string, startedAt: Date) {
  const base = `recordings/${interviewId}/${compactUtc(startedAt)}_${roomName}`;
  return { video: `${base}.mp4`, transcript: `${base}.transcript.json`, vtt: `${base}.vtt`, evaluation: `${base}.evaluation.json` };
}

/**
 * The evaluation's key beside the transcript (same timestamp and room, SPEC.md section 12), or
 * null for a transcript key of another shape.
 */
export function evaluationKeyFor(transcriptKey: string | null): string | null {
  if (!transcriptKey || !transcriptKey.endsWith('.transcript.json')) return null;
  return `${transcriptKey.slice(0, -'.transcript.json'.length)}.evaluation.json`;
}
