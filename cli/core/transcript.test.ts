import { describe, expect, it } from 'vitest';
import { transcriptJson, transcriptVtt, vttTime, type Utterance } from './transcript.js';

const u = (over: Partial<Utterance>): Utterance => ({ seq: 0, speaker: 'agent', kind: 'question', questionIndex: 0, text: 'Hello', startMs: 0, endMs: 1000, ...over });

describe('transcript', () => {
  it('formats WebVTT times', () => {
    expect(vttTime(0)).toBe('00:00:00.000');
    expect(vttTime(3_723_004)).toBe('01:02:03.004');
  });

  it('writes one cue per utterance in time order, marking speech without text', () => {
    const vtt = transcriptVtt([u({ seq: 1, speaker: 'candidate', kind: 'answer', text: null, startMs: 2000, endMs: 5000 }), u({ seq: 0 })]);
    expect(vtt).toBe('WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.000\n<v Interviewer>Hello\n\n2\n00:00:02.000 --> 00:00:05.000\n<v Candidate>(speaking; no text recorded)\n');
  });

  it('keeps speakers and offsets in the JSON document', () => {
    const doc = JSON.parse(
      transcriptJson(
        { interviewId: 'x', roomName: 'interview-x', recordingStartedAt: new Date(0), durationMs: 1234.4, lang: 'en', speechMode: 'offline', recordingKey: 'k.mp4' },
        [u({ seq: 1, startMs: 10.6, endMs: 20 })],
      ),
    );
    expect(doc.durationMs).toBe(1234);
    expect(doc.utterances).toEqual([{ speaker: 'agent', kind: 'question', questionIndex: 0, startMs: 11, endMs: 20, text: 'Hello' }]);
  });
});
