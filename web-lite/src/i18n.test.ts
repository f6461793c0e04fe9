import { describe, expect, it } from 'vitest';
import { guessLang, MESSAGES, t } from './i18n';

describe('message tables', () => {
  it('has the same keys in English and Japanese, none empty', () => {
    expect(Object.keys(MESSAGES.ja).sort()).toEqual(Object.keys(MESSAGES.en).sort());
    for (const table of Object.values(MESSAGES)) {
      for (const [key, text] of Object.entries(table)) expect(text.trim(), key).not.toBe('');
    }
  });

  it('uses the same placeholders in both languages', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(MESSAGES.en) as Array<keyof typeof MESSAGES.en>) {
      expect(placeholders(MESSAGES.ja[key]), key).toEqual(placeholders(MESSAGES.en[key]));
    }
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(t('preflight.duration', { minutes: 20 }, 'en')).toBe('The interview takes about 20 minutes.');
    expect(t('preflight.duration', { minutes: 20 }, 'ja')).toBe('面接の所要時間は約20分です。');
    expect(t('preflight.duration', {}, 'en')).toContain('{minutes}');
  });

  it('tells the candidate in both languages that the interviewer is an AI and the session is recorded', () => {
    expect(MESSAGES.en['preflight.aboutAi']).toMatch(/AI/);
    expect(MESSAGES.en['preflight.aboutRecording']).toMatch(/recorded/);
    expect(MESSAGES.ja['preflight.aboutAi']).toMatch(/AI/);
    expect(MESSAGES.ja['preflight.aboutRecording']).toMatch(/記録/);
  });
});

describe('guessLang', () => {
  it('picks Japanese for a Japanese browser and English otherwise', () => {
    expect(guessLang(['ja-JP', 'en-US'])).toBe('ja');
    expect(guessLang(['en-GB', 'ja'])).toBe('ja');
    expect(guessLang(['de-DE'])).toBe('en');
    expect(guessLang([])).toBe('en');
  });
});
