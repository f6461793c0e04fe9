import { describe, expect, it } from 'vitest';
import { checkReply, cleanForSpeech, forbiddenTopic, inLanguage } from './guardrails.js';

describe('cleanForSpeech', () => {
  it('removes markdown, links, URLs and emoji, keeping the words', () => {
    expect(cleanForSpeech('**Great** — see [our docs](https://x.example/y) 🚀\n\n- What did *you* decide?')).toBe('Great — see our docs What did you decide?');
    expect(cleanForSpeech('Visit https://evil.example/now or www.evil.example today.')).toBe('Visit or today.');
    expect(cleanForSpeech('## Heading\n1. `code` and __bold__ 👍🏽🇯🇵')).toBe('Heading code and bold');
    expect(cleanForSpeech('Write to me at ada@example.com please.')).toBe('Write to me at please.');
  });
});

describe('inLanguage', () => {
  it('tells English from Japanese and from other languages', () => {
    expect(inLanguage('You mentioned the ledger. Why Postgres rather than a queue?', 'en')).toBe(true);
    expect(inLanguage('Thank you.', 'en')).toBe(true);
    expect(inLanguage('ありがとうございます。', 'en')).toBe(false);
    expect(inLanguage('¿Podría contarme más sobre la migración que dirigió usted?', 'en')).toBe(false);
    expect(inLanguage('Расскажите подробнее о миграции.', 'en')).toBe(false);
    expect(inLanguage('移行を主導したとおっしゃいましたが、どのような判断をされましたか。', 'ja')).toBe(true);
    expect(inLanguage('Could you tell me more about the migration?', 'ja')).toBe(false);
  });
});

describe('forbiddenTopic', () => {
  it.each([
    ['How old are you, if I may ask?', 'age'],
    ['Do you have children at home?', 'family'],
    ['Are you planning a pregnancy soon?', 'pregnancy'],
    ['Which church do you go to?', 'religion'],
    ['Do you have any health conditions we should know about?', 'health'],
    ['Where are you really from?', 'nationality'],
    ['Are you a trade union member?', 'union membership'],
    ['You seem nervous, is everything fine?', 'appearance, voice or emotion'],
    ['Your accent is lovely, where is it from?', 'appearance, voice or emotion'],
  ])('finds %j', (text, topic) => {
    expect(forbiddenTopic(text, 'en')).toBe(topic);
  });

  it('leaves ordinary technical follow-ups alone', () => {
    for (const t of ['How did you find the race condition?', 'Why did you disable the cache?', 'What did you do when the union of both result sets was wrong?', 'What went wrong in that rollout?']) {
      expect(forbiddenTopic(t, 'en')).toBeUndefined();
    }
    expect(forbiddenTopic('ご結婚はされていますか。', 'ja')).toBe('family');
  });
});

describe('checkReply', () => {
  it('passes a follow-up that refers to the answer, cleaned', () => {
    expect(checkReply('You mentioned *payments* — what did you decide there, and why?', 'en', 'follow_up')).toEqual({ ok: true, text: 'You mentioned payments — what did you decide there, and why?' });
  });

  it('names the problem of each bad reply', () => {
    expect(checkReply('  🙂 ', 'en', 'acknowledgment')).toMatchObject({ ok: false, problem: 'empty' });
    expect(checkReply(Array(60).fill('word').join(' '), 'en', 'follow_up')).toMatchObject({ ok: false, problem: 'too_long' });
    expect(checkReply('Merci beaucoup pour cette réponse très détaillée sur votre projet.', 'en', 'acknowledgment')).toMatchObject({ ok: false, problem: 'wrong_language' });
    expect(checkReply('Are you married, by the way?', 'en', 'follow_up')).toMatchObject({ ok: false, problem: 'unsafe', detail: 'raises family' });
    expect(checkReply('Great answer!', 'en', 'acknowledgment')).toMatchObject({ ok: false, problem: 'judgement' });
    expect(checkReply('あ'.repeat(130), 'ja', 'follow_up')).toMatchObject({ ok: false, problem: 'too_long' });
  });
});
