import { describe, expect, it } from 'vitest';
import { linesFor, preparedLines } from './lines.js';

describe('the interviewer’s disclosure', () => {
  it('says the session is recorded when it is', () => {
    expect(linesFor('en', 'Ada Lovelace').greeting).toContain('this session is being recorded');
    expect(linesFor('ja', '山田 太郎').greeting).toContain('録画・録音されます');
  });

  it('says only a transcript is kept under RECORDER=off, never that it is recorded', () => {
    const en = linesFor('en', 'Ada Lovelace', false).greeting;
    expect(en).toContain('AI interviewer');
    expect(en).toContain('not recorded');
    expect(en).not.toContain('being recorded');
    expect(linesFor('ja', '山田 太郎', false).greeting).toContain('録画されません');
  });

  it('greets by first name only', () => {
    expect(linesFor('en', '  Ada   Lovelace ').greeting).toMatch(/^Hello Ada\. /);
  });
});

describe('the lines prepared ahead', () => {
  it('marks every line with the candidate’s name personal (never cached), in both languages, greeting and closing first', () => {
    for (const lang of ['en', 'ja'] as const) {
      const lines = linesFor(lang, 'Ada Lovelace');
      const prepared = preparedLines(lines, ['What is your current role?', 'What would you like to learn next?'], 'Ada Lovelace');
      expect(prepared.slice(0, 2).map((p) => p.text)).toEqual([lines.greeting, lines.closing]);
      expect(prepared.find((p) => p.text === lines.greeting)?.personal).toBe(true);
      expect(prepared.filter((p) => !p.personal).some((p) => p.text.includes('Ada'))).toBe(false);
      expect(prepared.filter((p) => !p.personal).map((p) => p.text)).toContain('What is your current role?');
    }
  });

  it('keeps a question that happens to say the candidate’s name out of the shared cache too', () => {
    const lines = linesFor('en', 'Will Smith');
    const prepared = preparedLines(lines, ['What will you build next, Will?'], 'Will Smith');
    expect(prepared.find((p) => p.text.startsWith('What will'))?.personal).toBe(true);
  });
});
