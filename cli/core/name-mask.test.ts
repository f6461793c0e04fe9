import { describe, expect, it } from 'vitest';
import { maskCandidateName, NAME_PLACEHOLDER } from './name-mask.js';
import type { Utterance } from './transcript.js';

const u = (seq: number, speaker: Utterance['speaker'], text: string | null): Utterance => ({ seq, speaker, kind: 'answer', questionIndex: 0, text, startMs: seq * 1000, endMs: seq * 1000 + 500 });

describe('maskCandidateName', () => {
  it('takes first and last name out of the greeting and the answers, whole words only', () => {
    const out = maskCandidateName([u(0, 'agent', 'Hello Grace. I am an AI interviewer.'), u(1, 'candidate', 'I am grace hopper; Gracefully, HOPPER said so.')], 'Grace Hopper');
    expect(out.map((x) => x.text)).toEqual([`Hello ${NAME_PLACEHOLDER}. I am an AI interviewer.`, `I am ${NAME_PLACEHOLDER} ${NAME_PLACEHOLDER}; Gracefully, ${NAME_PLACEHOLDER} said so.`]);
  });

  it('masks names with accents (composed or not), hyphens and apostrophes', () => {
    const out = maskCandidateName([u(0, 'agent', 'Hello Zoé. Anna-Lena and O’Brien too.')], 'Zoe\u0301 Anna-Lena O’Brien');
    expect(out[0]!.text).toBe(`Hello ${NAME_PLACEHOLDER}. ${NAME_PLACEHOLDER} and ${NAME_PLACEHOLDER} too.`);
  });

  it('masks a Japanese name inside text written without spaces', () => {
    const out = maskCandidateName([u(0, 'agent', 'こんにちは、山田さん。'), u(1, 'candidate', '山田太郎です。')], '山田 太郎');
    expect(out.map((x) => x.text)).toEqual([`こんにちは、${NAME_PLACEHOLDER}さん。`, `${NAME_PLACEHOLDER}${NAME_PLACEHOLDER}です。`]);
  });

  it('leaves texts without the name, audio-only answers and one-letter parts alone; regex characters are literal', () => {
    const input = [u(0, 'candidate', 'I rebuilt the ledger, J said.'), u(1, 'candidate', null), u(2, 'agent', 'Hi (Bo).')];
    const out = maskCandidateName(input, 'J. (Bo)');
    expect(out[0]).toBe(input[0]);
    expect(out[1]).toBe(input[1]);
    expect(out[2]!.text).toBe(`Hi ${NAME_PLACEHOLDER}.`);
    expect(maskCandidateName(input, '')).toEqual(input);
  });
});
