import { contiguousParts, type StoredSegment } from './browser-recording.js';

/**
 * RECORDER=browser: what to do with the page's parts of an interview that ended without its
 * recording (the interviewer's job died, or could not join them):
 * - `store`: the segments whose parts follow one another from part 1 (the part that carries the
 *   container's header) become a partial recording;
 * - `drop`: there are parts or manifests, but nothing that plays: they are deleted;
 * - `none`: the page stored nothing.
 */
export type LeftPartsPlan =
  | { kind: 'none' }
  | { kind: 'store'; segments: StoredSegment[]; parts: number; bytes: number; open: number }
  | { kind: 'drop'; why: string };

/** Decides from the segments (readSegments) alone; whether each one plays is for ffprobe to say. */
export function planLeftParts(segments: StoredSegment[]): LeftPartsPlan {
  if (segments.length === 0) return { kind: 'none' };
  const usable = segments.filter((s) => s.hasManifest && contiguousParts(s.parts).length > 0);
  if (usable.length === 0) {
    const parts = segments.reduce((n, s) => n + s.parts.length, 0);
    return { kind: 'drop', why: parts === 0 ? 'segments opened but no part was stored' : `${parts} part(s) without the first part of their segment (its header)` };
  }
  return {
    kind: 'store',
    segments: usable,
    parts: usable.reduce((n, s) => n + contiguousParts(s.parts).length, 0),
    bytes: usable.reduce((n, s) => n + s.bytes, 0),
    open: segments.filter((s) => s.hasManifest && !s.done).length,
  };
}

/**
 * Without ffmpeg the parts can only be stored as the page recorded them, byte for byte: one
 * segment of fragmented MP4 plays that way (measured: ffprobe reads H.264 + Opus and the full
 * length), two concatenated do not (the second's timestamps start over, and players stop at the
 * first's end), and WebM is not an MP4. Undefined when that works, else why not.
 */
export function whyNotAsRecorded(segments: { mimeType: string }[]): string | undefined {
  if (segments.length > 1) return `${segments.length} segments need ffmpeg to be joined`;
  if (!segments[0]!.mimeType.startsWith('video/mp4')) return `a ${segments[0]!.mimeType.split(';')[0]} recording needs ffmpeg to become an MP4`;
  return undefined;
}
