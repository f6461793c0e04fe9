// The synthetic candidate's speech, without rtc-node: a process that only prepares the answer
// (loadtest's, before its candidate processes start) need not load the native library.

export const CANDIDATE_SAMPLE_RATE = 48_000;
const FRAME_SAMPLES = CANDIDATE_SAMPLE_RATE / 100; // 10 ms, what a browser microphone sends
/** A received 10 ms frame louder than this is the interviewer speaking (espeak speaks near -20 dBFS). */
export const LOUD_DBFS = -40;

export function dbfs(samples: Int16Array, from = 0, to = samples.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += samples[i]! * samples[i]!;
  return 10 * Math.log10(sum / Math.max(1, to - from) / 32768 ** 2 + 1e-12);
}

/** 48 kHz mono PCM cut to its voiced part, so "the end of the answer" is the last voiced sample. */
export function voicedPart(all: Int16Array): Int16Array {
  let first = -1;
  let last = -1;
  for (let at = 0; at + FRAME_SAMPLES <= all.length; at += FRAME_SAMPLES) {
    if (dbfs(all, at, at + FRAME_SAMPLES) > LOUD_DBFS) {
      if (first < 0) first = at;
      last = at + FRAME_SAMPLES;
    }
  }
  if (first < 0) throw new Error('the synthetic answer is silent');
  return all.slice(first, last);
}

