import { describe, expect, it } from 'vitest';
import { jsonFromModel, visibleText } from './model-text.js';

describe('visibleText: a reply without its reasoning', () => {
  it.each([
    ['ASK: Why Postgres?', 'ASK: Why Postgres?'],
    ['<think>The candidate mentioned payments.</think>\nASK: Why Postgres?', '\nASK: Why Postgres?'],
    ['<THINKING>\nhmm\n</THINKING>NEXT: Thank you.', 'NEXT: Thank you.'],
    ['<think>a</think>NEXT: Thank <reasoning>b</reasoning>you.', 'NEXT: Thank you.'],
    // A chat template that opened the block itself: only its end shows.
    ['the rubric wants a decision, so ask for one.</think>ASK: What did you decide?', 'ASK: What did you decide?'],
  ])('%j → %j', (raw, text) => {
    expect(visibleText(raw)).toBe(text);
  });

  it('hides everything after a block that is still open (a stream thinking)', () => {
    expect(visibleText('<think>The candidate said they led')).toBe('');
    expect(visibleText('NEXT: Thanks. <think>more')).toBe('NEXT: Thanks. ');
  });

  it('holds back a tag the stream has only begun', () => {
    for (const piece of ['<', '<th', '<think', '</thin']) expect(visibleText(`NEXT: Thanks.${piece}`)).toBe('NEXT: Thanks.');
    expect(visibleText('NEXT: 3 < 4 and <b>')).toBe('NEXT: 3 < 4 and <b>');
  });
});

describe('jsonFromModel: the object in a structured reply', () => {
  const obj = { questions: [{ index: 0, score: 3 }] };
  it.each([
    JSON.stringify(obj),
    `<think>Scoring each answer against its rubric…</think>\n${JSON.stringify(obj)}`,
    '```json\n' + JSON.stringify(obj, null, 2) + '\n```',
    `Here is the evaluation:\n${JSON.stringify(obj)}\nLet me know if you need more.`,
  ])('reads %j', (raw) => {
    expect(jsonFromModel(raw)).toEqual(obj);
  });

  it('keeps a tag inside one of the reply\'s strings', () => {
    const withTag = { questions: [{ index: 0, score: 3, rationale: 'Explains why the model emits <think> blocks' }] };
    expect(jsonFromModel(JSON.stringify(withTag))).toEqual(withTag);
  });

  it.each(['', 'no object here', '<think>{"questions": []}</think>', '{"questions": [', '```\nnot json\n```'])('finds nothing in %j', (raw) => {
    expect(jsonFromModel(raw)).toBeUndefined();
  });
});
