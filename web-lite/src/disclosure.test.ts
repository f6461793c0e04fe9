import { describe, expect, it } from 'vitest';
import { DISCLOSURE_KEYS, disclosureHashInput, disclosureText, disclosureVersion } from './disclosure';
import { MESSAGES } from './i18n';

describe('the disclosure a consent refers to', () => {
  it('is the exact texts shown above the consent box, in order, per language', () => {
    expect(disclosureText('en')).toBe(DISCLOSURE_KEYS.map((k) => MESSAGES.en[k]).join('\n\n'));
    expect(disclosureText('en')).toContain('Your interviewer is an AI');
    expect(disclosureText('ja')).toContain('AI');
    expect(disclosureText('ja')).toContain('記録');
    expect(disclosureHashInput('ja').startsWith('ja\n')).toBe(true);
  });

  it('has no version outside a built page (the build defines it)', () => {
    expect(disclosureVersion('en')).toBeNull();
  });
});
