// The recorder when ffmpeg falls behind (real ffmpeg, held to a third of real time on its video
// input with -readrate): the raw frames queued for it stay bounded, the frames that could not be
// handed over in time are counted as dropped, audio is never dropped, and the file keeps its whole
// length (the late slots repeat a picture) so video and audio stay in sync.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Recorder } from '../../agent/recorder/recorder.js';
import { createLocalStorage } from '../../cli/adapters/storage/storage.js';

const dir = mkdtempSync(join(tmpdir(), 'ivc-recorder-bp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Recorder with a slow ffmpeg', () => {
  it('bounds the queue into ffmpeg, counts dropped video frames, keeps all the audio', async () => {
    const slow = join(dir, 'slow-ffmpeg');
    // -readrate applies to the first input, the raw video pipe.
    writeFileSync(slow, '#!/bin/sh\nexec ffmpeg -readrate 0.3 "$@"\n');
    chmodSync(slow, 0o755);
    const spoolFile = join(dir, 'spool', 'id', 'rec.mp4');
    const errors: Error[] = [];
    const rec = new Recorder({ storage: createLocalStorage(join(dir, 'store')), key: 'recordings/id/rec.mp4', spoolFile, ffmpeg: slow, onError: (e) => errors.push(e) });
    rec.start();
    const frame = { width: 640, height: 360, data: new Uint8Array(640 * 360 * 1.5).fill(128) };
    const tone = new Int16Array(960).map((_, i) => Math.round(8000 * Math.sin((i / 48) * 2 * Math.PI)));
    let maxQueued = 0;
    const stdin = (rec as unknown as { proc: { stdin: { writableLength: number } } }).proc.stdin;
    const feed = setInterval(() => {
      rec.pushCandidateAudio(tone);
      rec.pushCandidateVideo(frame);
      maxQueued = Math.max(maxQueued, stdin.writableLength);
    }, 20);
    await new Promise((r) => setTimeout(r, 3000));
    clearInterval(feed);
    rec.markEnd();
    const out = await rec.stop();
    expect(errors).toEqual([]);
    const frameBytes = 640 * 360 * 1.5;
    // Bounded: never more than the queue's frames (plus the one being written) waiting in memory.
    expect(maxQueued).toBeLessThanOrEqual((Recorder.VIDEO_QUEUE_FRAMES + 1) * frameBytes);
    expect(out.droppedFrames).toBeGreaterThan(0);
    const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', spoolFile], { encoding: 'utf8' })) as { streams: { codec_type: string; duration: string }[] };
    const audio = Number(probe.streams.find((s) => s.codec_type === 'audio')!.duration);
    const video = Number(probe.streams.find((s) => s.codec_type === 'video')!.duration);
    expect(audio).toBeGreaterThan(2.5);
    // Nothing lost from the timeline: the video is as long as the audio.
    expect(Math.abs(video - audio)).toBeLessThan(0.3);
    expect(Math.abs(out.durationMs / 1000 - audio)).toBeLessThan(0.3);
  }, 60_000);
});
