import type { Lang } from './invite-rows.js';
import { followUpsOf, type Question } from './questions.js';

/**
 * The plan of an interview is ours, never a model's (SPEC section 11): which question comes next,
 * whether a follow-up may be asked, what the candidate's own questions get. Pure functions; the
 * interviewer loop (agent/interviewer.ts) calls them and a model only words what they allow.
 */

/** What the candidate's turn was: an answer, or one of their own questions. */
export type CandidateIntent = 'answer' | 'repeat' | 'time_left' | 'role' | 'hiring_team';

const INTENTS: readonly [CandidateIntent, RegExp, RegExp][] = [
  [
    'repeat',
    /\b(repeat|say (?:that|it) again|come again|once more|didn'?t (?:catch|hear|get) (?:that|it|the question)|what was the question|pardon)\b/i,
    /(もう一度|もう1度|繰り返して|聞き取れ|質問は何)/,
  ],
  ['time_left', /\b(how (?:much|many) (?:time|minutes)|time (?:is )?left|minutes left|how long (?:do we have|is left|are we))\b/i, /(残り時間|あと何分|時間はどのくらい|あとどれくらい)/],
  [
    'hiring_team',
    /\b(salary|pay|paid|compensation|benefits?|bonus|equity|stock options?|vacation|holidays?|when will i (?:hear|know)|next steps?|did i (?:pass|get)|how did i do|my (?:score|result)|offer)\b/i,
    /(給与|給料|年収|待遇|福利厚生|ボーナス|休暇|結果|合否|次のステップ|いつ連絡)/,
  ],
  ['role', /\b(the (?:role|job|position|team)|this (?:role|job|position)|what (?:would|will) i (?:be )?(?:do|doing|work on)|responsibilit\w*|remote|on-?site|office|reporting to)\b/i, /(仕事内容|職務|ポジション|チーム|リモート|勤務地|担当)/],
];

/**
 * Recognises the candidate's own questions in a short turn; anything longer is an answer, even
 * if it mentions the role or asks something back. Deterministic, so "could you repeat the
 * question?" is never left to a model.
 */
export function candidateIntent(text: string | null, lang: Lang): CandidateIntent {
  if (!text) return 'answer';
  const t = text.trim();
  const long = lang === 'ja' ? t.length > 60 : t.split(/\s+/).length > 18;
  if (long) return 'answer';
  const asks = lang === 'ja' ? /[?？]|(ですか|ますか|でしょうか|ください|か。?$)/.test(t) : /[?]|^(could|can|would|will|what|how|when|where|is|are|do|does|sorry|pardon)\b/i.test(t);
  for (const [intent, en, ja] of INTENTS) {
    if (!(lang === 'ja' ? ja.test(t) || en.test(t) : en.test(t))) continue;
    // "Pardon?" or "Once more, please" need no question form; the rest must be asked.
    if (intent === 'repeat' || asks) return intent;
  }
  return 'answer';
}

/** Whether another follow-up may be asked on a question: under its cap, and time for it. */
export function mayFollowUp(q: Pick<Question, 'followUps'>, used: number, timeLeftMs: number, minWindowMs: number): boolean {
  return used < followUpsOf(q) && timeLeftMs >= 2 * minWindowMs;
}

/** Candidate turns that are their own questions, per must-ask question, before we move on anyway. */
export const MAX_SIDE_TURNS = 3;

/** "About N minutes left", from our clock: rounded to whole minutes, "less than a minute" under one. */
export function timeLeftLine(lang: Lang, msLeft: number): string {
  const minutes = Math.round(Math.max(0, msLeft) / 60_000);
  if (lang === 'ja') return minutes < 1 ? '残り時間は1分を切りました。' : `残り時間はあと${minutes}分ほどです。`;
  if (minutes < 1) return 'We have less than a minute left.';
  return `We have about ${minutes} minute${minutes === 1 ? '' : 's'} left.`;
}
