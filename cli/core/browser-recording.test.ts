import { describe, expect, it } from 'vitest';
import { awaitsPartsJoin, compareWithWitness, contiguousParts, FAILED_PARTS_GRACE_MS, isRecordableMime, partsSettledAt, readSegments, takesPartsAfterFailure, toRecordingTime } from './browser-recording.js';

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

  it('flags a short partial recording of speech against a silent witness (it cannot slide off the witness to hide)', () => {
    const speech = '#####.#####.#####.#####.'; // 12 s of talking
    const c = compareWithWitness({ segments: [{ atMs: 0, levels: levels(speech) }], witness: { levels: levels('.'.repeat(24)) }, gapMs: 0, partial: true });
    expect(c.agrees).toBe(false);
    expect(c.detail).toMatch(/s of speech where the witness heard silence/);
  });

  it('flags a recording much shorter than its witness (a part cut out)', () => {
    const c = compareWithWitness({ segments: [{ atMs: 0, levels: levels(talk.slice(0, talk.length - 40)) }], witness: { levels: levels(talk) }, gapMs: 0 });
    expect(c.agrees).toBe(false);
    expect(c.detail).toMatch(/the recording is 20\.0 s shorter than the witness/);
  });

  it('a partial recording (a crash cut the page or the witness short): the lengths are not compared, speech still is', () => {
    const cut = { segments: [{ atMs: 0, levels: levels(talk.slice(0, talk.length - 40)) }], witness: { levels: levels(talk) }, gapMs: 0, partial: true };
    expect(compareWithWitness(cut)).toMatchObject({ agrees: true, detail: expect.stringMatching(/matches .*partial recording/) });
    const forged = compareWithWitness({ ...cut, segments: [{ atMs: 0, levels: levels(talk.replace(/\.{6}/g, '######')) }] });
    expect(forged.agrees).toBe(false);
    expect(forged.detail).toMatch(/speech where the witness heard silence/);
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

describe('toRecordingTime', () => {
  it('keeps offsets in the first segment, its lead before the clock cut from the file', () => {
    const at = toRecordingTime([{ atMs: -1200, lengthMs: 20_000 }]);
    expect([0, 5000, 19_999].map(at)).toEqual([0, 5000, 19_999]);
  });

  it('moves a word after a reload up by the time the page was away', () => {
    // The page stored 0–20 s, was away 6.5 s, then recorded from 26.5 s on the interviewer's clock.
    const at = toRecordingTime([
      { atMs: -800, lengthMs: 20_000 },
      { atMs: 26_500, lengthMs: 30_000 },
    ]);
    expect(at(30_000)).toBe(23_500);
    expect(at(56_000)).toBe(49_500);
    // Said while the page was away: shown where the recording resumes.
    expect(at(22_000)).toBe(20_000);
    expect(at(26_499)).toBe(20_000);
    // After the page's last part: the end of the file.
    expect(at(70_000)).toBe(50_000);
  });

  it('adds up the gaps of several reloads', () => {
    const at = toRecordingTime([
      { atMs: 0, lengthMs: 10_000 },
      { atMs: 14_000, lengthMs: 10_000 },
      { atMs: 27_000, lengthMs: 10_000 },
    ]);
    expect(at(15_000)).toBe(11_000);
    expect(at(30_000)).toBe(23_000);
  });

  it('a page that began after the clock: its first moment is the file zero', () => {
    const at = toRecordingTime([{ atMs: 1500, lengthMs: 10_000 }]);
    expect(at(1000)).toBe(0);
    expect(at(4000)).toBe(2500);
  });
});

describe('parts after a failure', () => {
  const failedAt = new Date('2026-12-03T10:00:00Z');
  it('takes parts for FAILED_PARTS_GRACE_MS after the failure, and none when the failure time is unknown', () => {
    expect(takesPartsAfterFailure(failedAt, failedAt.getTime() + 1)).toBe(true);
    expect(takesPartsAfterFailure(failedAt, failedAt.getTime() + FAILED_PARTS_GRACE_MS)).toBe(true);
    expect(takesPartsAfterFailure(failedAt, failedAt.getTime() + FAILED_PARTS_GRACE_MS + 1)).toBe(false);
    expect(takesPartsAfterFailure(undefined, failedAt.getTime())).toBe(false);
  });
  it('settles after the window has closed, so no part is written while the parts are joined', () => {
    expect(partsSettledAt(failedAt)).toBeGreaterThan(failedAt.getTime() + FAILED_PARTS_GRACE_MS);
    expect(takesPartsAfterFailure(failedAt, partsSettledAt(failedAt))).toBe(false);
    expect(partsSettledAt(undefined)).toBe(0);
  });
});

describe('awaitsPartsJoin', () => {
  it('is a failed interview with no recording stored and its data kept', () => {
    expect(awaitsPartsJoin({ status: 'failed', transcriptKey: null, deletedAt: null })).toBe(true);
    expect(awaitsPartsJoin({ status: 'failed', transcriptKey: 'recordings/x.transcript.json', deletedAt: null })).toBe(false);
    expect(awaitsPartsJoin({ status: 'failed', transcriptKey: null, deletedAt: new Date() })).toBe(false);
    expect(awaitsPartsJoin({ status: 'completed', transcriptKey: null, deletedAt: null })).toBe(false);
  });
});
