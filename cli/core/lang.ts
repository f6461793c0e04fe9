/** The languages an interview can be held in (question sets, the interviewer's lines and voice). */
export const LANGS = ['en', 'ja'] as const;
export type Lang = (typeof LANGS)[number];

/** Whether `text` names a language interviewctl speaks. */
export function isLang(text: string): text is Lang {
  return (LANGS as readonly string[]).includes(text);
}
