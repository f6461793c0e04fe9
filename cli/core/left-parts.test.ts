import { describe, expect, it } from 'vitest';
import type { StoredSegment } from './browser-recording.js';
import { planLeftParts, whyNotAsRecorded } from './left-parts.js';

const seg = (segment: number, parts: number[], more: Partial<StoredSegment> = {}): StoredSegment => ({ segment, hasManifest: true, done: false, parts, bytes: parts.length * 100, ...more });

describe('planLeftParts', () => {
  it('nothing stored: nothing to do', () => {
    expect(planLeftParts([])).toEqual({ kind: 'none' });
  });

  it('keeps the segments whose parts run from part 1, counting those left open', () => {
    const plan = planLeftParts([seg(1, [1, 2, 3], { done: true }), seg(2, [2, 3]), seg(3, [1, 2, 4])]);
    expect(plan).toMatchObject({ kind: 'store', parts: 5, open: 2 });
    expect(plan.kind === 'store' && plan.segments.map((s) => s.segment)).toEqual([1, 3]);
  });

  it('parts without their first part (the header), or segments with no part, make no recording', () => {
    expect(planLeftParts([seg(1, [2, 3])])).toEqual({ kind: 'drop', why: '2 part(s) without the first part of their segment (its header)' });
    expect(planLeftParts([seg(1, [])])).toEqual({ kind: 'drop', why: 'segments opened but no part was stored' });
    expect(planLeftParts([seg(1, [1], { hasManifest: false })]).kind, 'no manifest: its type is unknown').toBe('drop');
  });
});

describe('whyNotAsRecorded', () => {
  it('one MP4 segment plays byte for byte; several, or WebM, need ffmpeg', () => {
    expect(whyNotAsRecorded([{ mimeType: 'video/mp4;codecs=avc1,opus' }])).toBeUndefined();
    expect(whyNotAsRecorded([{ mimeType: 'video/mp4' }, { mimeType: 'video/mp4' }])).toBe('2 segments need ffmpeg to be joined');
    expect(whyNotAsRecorded([{ mimeType: 'video/webm;codecs=vp8,opus' }])).toBe('a video/webm recording needs ffmpeg to become an MP4');
  });
});
