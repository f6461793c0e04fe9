import { describe, expect, it } from 'vitest';
import { isRecordableMime } from '../../cli/core/browser-recording';
import { RECORDING_TYPES } from './page-recorder';
import { canRecordInterview } from './support';

/** A window whose MediaRecorder makes these types. */
const browserMaking = (types: string[]) => ({ MediaRecorder: { isTypeSupported: (t: string) => types.includes(t) } });

describe('canRecordInterview (RECORDER=browser preflight)', () => {
  it('passes the browsers the README lists: Chrome/Edge (MP4 H.264 + Opus), Safari (MP4 H.264 + AAC), Firefox (WebM VP8)', () => {
    expect(canRecordInterview(browserMaking(['video/mp4;codecs=avc1,opus', 'video/webm']))).toBe(true);
    expect(canRecordInterview(browserMaking(['video/mp4;codecs=avc1.42E01E,mp4a.40.2']))).toBe(true);
    expect(canRecordInterview(browserMaking(['video/webm;codecs=vp8,opus', 'video/webm']))).toBe(true);
  });

  it('stops a browser that records none of our types, has no MediaRecorder, or throws when asked', () => {
    expect(canRecordInterview(browserMaking([]))).toBe(false);
    expect(canRecordInterview(browserMaking(['video/x-matroska;codecs=avc1', 'audio/webm']))).toBe(false);
    expect(canRecordInterview({})).toBe(false);
    expect(canRecordInterview({ MediaRecorder: {} })).toBe(false);
    expect(canRecordInterview({ MediaRecorder: { isTypeSupported: () => { throw new Error('NotSupportedError'); } } })).toBe(false);
  });

  it('every type the page may pick is one serve accepts for a segment', () => {
    for (const type of RECORDING_TYPES) expect(isRecordableMime(type), type).toBe(true);
  });
});
