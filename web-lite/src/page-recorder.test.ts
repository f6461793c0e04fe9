import { describe, expect, it } from 'vitest';
import { pickRecordingType, RECORDING_TYPES } from './page-recorder';

describe('pickRecordingType', () => {
  it('prefers H.264 (the server copies it) and falls back to what the browser has', () => {
    // Debian's Chromium: MP4 with H.264 and Opus, no AAC encoder.
    const chromium = new Set(['video/mp4;codecs=avc1,opus', 'video/webm;codecs=h264,opus', 'video/webm;codecs=vp8,opus', 'video/webm']);
    expect(pickRecordingType((t) => chromium.has(t))).toBe('video/mp4;codecs=avc1,opus');
    // Safari: MP4 with H.264 and AAC.
    expect(pickRecordingType((t) => t.startsWith('video/mp4'))).toBe(RECORDING_TYPES[0]);
    // Firefox: WebM with VP8 only.
    expect(pickRecordingType((t) => t === 'video/webm;codecs=vp8,opus' || t === 'video/webm')).toBe('video/webm;codecs=vp8,opus');
    expect(pickRecordingType(() => false)).toBeUndefined();
  });
});
