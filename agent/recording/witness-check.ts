import { compareWithWitness, LEVEL_WINDOW_MS, type WitnessCheck } from '../../cli/core/browser-recording.js';
import { audioLevels } from './browser-media.js';

/**
 * Compares the page's segment files with the interviewer's audio witness file, as the
 * interviewer's own join does: each segment placed on the witness's clock (`clockStart`, the
 * recording's start) where its manifest says it began, the time between segments allowed for.
 */
export async function compareFilesWithWitness(
  segments: { file: string; startedAt: string }[],
  clockStart: Date,
  witnessFile: string,
  opts: { partial?: boolean } = {},
): Promise<WitnessCheck> {
  const placed: { atMs: number; levels: number[] }[] = [];
  let gapMs = 0;
  let prevEnd: number | undefined;
  for (const s of segments) {
    const levels = await audioLevels(s.file);
    const atMs = Date.parse(s.startedAt) - clockStart.getTime();
    if (prevEnd !== undefined) gapMs += Math.max(0, atMs - prevEnd);
    prevEnd = atMs + levels.length * LEVEL_WINDOW_MS;
    placed.push({ atMs, levels });
  }
  return compareWithWitness({ segments: placed, witness: { levels: await audioLevels(witnessFile) }, gapMs, partial: opts.partial });
}
