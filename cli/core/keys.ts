/** `YYYYMMDDTHHMMSSZ` in UTC. */
export function compactUtc(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** Storage keys for one recording (SPEC.md section 6). */
export function recordingKeys(interviewId: string, roomName: string, startedAt: Date) {
  const base = `recordings/${interviewId}/${compactUtc(startedAt)}_${roomName}`;
  return { video: `${base}.mp4`, transcript: `${base}.transcript.json`, vtt: `${base}.vtt` };
}
