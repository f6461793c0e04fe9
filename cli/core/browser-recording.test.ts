import { describe, expect, it } from 'vitest';
import { compareWithWitness, contiguousParts, isRecordableMime, readSegments } from './browser-recording.js';

/** Levels per 500 ms window from a pattern: `#` speech (-20 dBFS), `.` silence (-70 dBFS). */
const levels = (pattern: string) => [...pattern].map((c) => (c === '#' ? -20 : -70));

describe('readSegments', () => {
  it('reads segments, parts and end marks from a listing, ignoring other keys', () => {
    const p = 'recordings/abc/browser/';
    const segs = readSegments(
      [
        { key: `${p}s0002.json`, size: 50 },
        { key: `${p}s0001.json`, size: 50 },
        { key: `${p}s0001/p000002.bin`, size: 200 },
        { key: `${p}s0001/p000001.bin`, size: 100 },
        { key: `${p}s0001.done.json`, size: 30 },
        { key: `${p}s0002/p000003.bin`, size: 10 },
        { key: 'recordings/abc/x.mp4', size: 1 },
        { key: `${p}s0001/../evil.bin`, size: 1 },
      ],
      p,
    );
    expect(segs).toEqual([
      { segment: 1, hasManifest: true, done: true, parts: [1, 2], bytes: 300 },
      { segment: 2, hasManifest: true, done: false, parts: [3], bytes: 10 },
    ]);
    expect(contiguousParts([1, 2, 4])).toEqual([1, 2]);
    expect(contiguousParts([3])).toEqual([]);
  });

  it('takes only MediaRecorder video types', () => {
    expect(isRecordableMime('video/mp4;codecs=avc1,opus')).toBe(true);
    expect(isRecordableMime('video/webm;codecs=vp8,opus')).toBe(true);
    expect(isRecordableMime('video/webm')).toBe(true);
    expect(isRecordableMime('text/html')).toBe(false);
    expect(isRecordableMime('video/mp4;codecs=<script>')).toBe(false);
  });
});

describe('compareWithWitness', () => {
  const talk = '....####....######......###....#####.....####....'.repeat(4);

  it('agrees with the same speech, started a moment apart', () => {
    const c = compareWithWitness({ segments: [{ atMs: -1500, levels: levels(`...${talk}`) }], witness: { levels: levels(talk) }, gapMs: 0 });
    expect(c.agrees).toBe(true);
    expect(c.detail).toMatch(/^matches its audio witness/);
  });

  it('agrees across a reload: two segments placed on the witness clock, the gap allowed for', () => {
    const half = talk.length / 2;
    const c = compareWithWitness({
      segments: [
        { atMs: 0, levels: levels(talk.slice(0, half)) },
        { atMs: (half + 10) * 500, levels: levels(talk.slice(half + 10)) },
      ],
      witness: { levels: levels(talk) },
      gapMs: 10 * 500,
    });
    expect(c.agrees, c.detail).toBe(true);
  });

  it('flags speech the witness never heard (a dubbed answer)', () => {
    const forged = talk.replace(/\.{6}/g, '######');
    const c = compareWithWitness({ segments: [{ atMs: 0, levels: levels(forged) }], witness: { levels: levels(talk) }, gapMs: 0 });
    expect(c.agrees).toBe(false);
    expect(c.detail).toMatch(/s of speech where the witness heard silence \(from \d\d:\d\d/);
  });

  it('flags a recording much shorter than its witness (a part cut out)', () => {
    const c = compareWithWitness({ segments: [{ atMs: 0, levels: levels(talk.slice(0, talk.length - 40)) }], witness: { levels: levels(talk) }, gapMs: 0 });
    expect(c.agrees).toBe(false);
    expect(c.detail).toMatch(/the recording is 20\.0 s shorter than the witness/);
  });
});

describe('compareWithWitness: a witness with holes', () => {
  it('does not count windows the witness never heard (digital zero) against the recording', () => {
    const rec = '##########..########'.repeat(3);
    const wit = [...rec].map((c, i) => (i >= 5 && i < 15 ? -120 : c === '#' ? -20 : -70));
    const c = compareWithWitness({ segments: [{ atMs: 0, levels: levels(rec) }], witness: { levels: wit }, gapMs: 0 });
    expect(c.agrees, c.detail).toBe(true);
    expect(c.detail).toMatch(/the witness heard nothing at all for 5\.0 s, not compared/);
  });
});
