import type { UtteranceRepo } from '../../cli/adapters/db/utterances.js';

/**
 * Moves every utterance of an interview with `at` (the interviewer's clock → where it is heard in
 * the stored recording, e.g. toRecordingTime). Resolves with the largest move (ms).
 */
export async function retimeUtterances(utterances: Pick<UtteranceRepo, 'list' | 'setTimes'>, interviewId: string, at: (ms: number) => number): Promise<number> {
  let moved = 0;
  for (const u of await utterances.list(interviewId)) {
    const startMs = at(u.startMs);
    const endMs = at(u.endMs);
    if (Math.round(startMs) === u.startMs && Math.round(endMs) === u.endMs) continue;
    await utterances.setTimes(interviewId, u.seq, startMs, endMs);
    moved = Math.max(moved, Math.abs(u.startMs - startMs), Math.abs(u.endMs - endMs));
  }
  return moved;
}
