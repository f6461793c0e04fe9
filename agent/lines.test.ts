import { describe, expect, it } from 'vitest';
import { linesFor } from './lines.js';

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
