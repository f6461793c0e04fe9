// The recorder's MP4 carries three audio tracks: both voices mixed (first, the default), the
// interviewer alone and the candidate alone, labelled. Real ffmpeg; levels by ffmpeg's
// volumedetect over the times each voice spoke.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Recorder } from '../../agent/recorder/recorder.js';
import { createLocalStorage } from '../../cli/adapters/storage/storage.js';
// @ts-expect-error plain JavaScript test helper
import { audioTracks, trackLevel } from '../stack/audio-tracks.mjs';

const dir = mkdtempSync(join(tmpdir(), 'ivc-recorder-tracks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tone = (hz: number) => new Int16Array(960).map((_, i) => Math.round(8000 * Math.sin((i / 48_000) * hz * 2 * Math.PI)));

describe('Recorder audio tracks', () => {
  it('writes the mix first, then each voice alone, each loud only in its own turns', async () => {
    const storage = createLocalStorage(join(dir, 'store'));
    const spoolFile = join(dir, 'spool', 'rec.mp4');
    const rec = new Recorder({ storage, key: 'recordings/id/rec.mp4', spoolFile, onError: (e) => { throw e; } });
    rec.start();
    // The interviewer speaks for the first 1.2 s, the candidate from 1.6 s to 2.8 s. Frames are
    // pushed as they are due, the way the room delivers them.
    // The levels are read over where each voice actually went in (the recording's own clock).
    const spans = { agent: [Infinity, 0], candidate: [Infinity, 0] };
    const note = (who: 'agent' | 'candidate') => {
      const at = rec.offsetMs();
      spans[who] = [Math.min(spans[who][0]!, at), at + 20];
    };
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      const feed = setInterval(() => {
        const at = performance.now() - t0;
        if (at < 1200) {
          note('agent');
          rec.pushAgentAudio(tone(220));
        } else if (at >= 1600 && at < 2800) {
          note('candidate');
          rec.pushCandidateAudio(tone(440));
        }
        if (at >= 3200) {
          clearInterval(feed);
          resolve();
        }
      }, 20);
    });
    rec.markEnd();
    await rec.stop();

    const tracks = audioTracks(spoolFile);
    expect(tracks.map((t: { label: string; codec: string; default: boolean }) => [t.label, t.codec, t.default])).toEqual([
      ['mix', 'aac', true],
      ['interviewer', 'aac', false],
      ['candidate', 'aac', false],
    ]);
    // Inner parts of each turn (frames queue behind one another, so the edges may shift a little).
    const inner = ([a, b]: number[]) => [a! + 150, b! - 150] as const;
    const agentTurn = inner(spans.agent);
    const candidateTurn = inner(spans.candidate);
    const level = (track: number, [a, b]: readonly [number, number]) => trackLevel(spoolFile, track, a, b).meanDb;
    expect(level(0, agentTurn)).toBeGreaterThan(-30);
    expect(level(0, candidateTurn)).toBeGreaterThan(-30);
    expect(level(1, agentTurn)).toBeGreaterThan(-30);
    expect(level(1, candidateTurn)).toBeLessThan(-60);
    expect(level(2, candidateTurn)).toBeGreaterThan(-30);
    expect(level(2, agentTurn)).toBeLessThan(-60);
  }, 30_000);
});
