import type { Lang } from './invite-rows.js';

/**
 * What a model may say aloud (SPEC section 11), checked in code: cleaned of what speech cannot
 * carry (markdown, URLs, emoji), capped in length, in the interview's language, and free of
 * questions about protected characteristics, comments on appearance, voice or emotion, and
 * praise or judgement. A reply that fails is replaced by the scripted line by the caller.
 */
export type ReplyProblem = 'empty' | 'too_long' | 'wrong_language' | 'unsafe' | 'judgement';

export type ReplyCheck = { ok: true; text: string } | { ok: false; problem: ReplyProblem; detail: string };

/** Spoken-turn caps (INTERVIEWER.md: a follow-up under ~25 words, an acknowledgment under ~8). */
export const REPLY_LIMITS = {
  follow_up: { words: 40, jaChars: 120 },
  acknowledgment: { words: 15, jaChars: 40 },
  answer: { words: 60, jaChars: 180 },
} as const;
export type ReplyKind = keyof typeof REPLY_LIMITS;

const URL_RE = /\b(?:https?:\/\/|www\.)\S+/gi;
const EMAIL_RE = /\b[\w.+-]+@[\w-]+\.[\w.-]+\b/g;
// Pictographs, dingbats, flags, variation selectors and joiners: nothing a voice can say.
const EMOJI_RE = /[\p{Extended_Pictographic}\u{1F1E6}-\u{1F1FF}\u{1F3FB}-\u{1F3FF}\u{E0020}-\u{E007F}\u{FE0E}\u{FE0F}\u{200D}\u{20E3}]/gu;

/** Text as it should be spoken: markdown, links, URLs and emoji removed, whitespace collapsed. */
export function cleanForSpeech(text: string): string {
  return text
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(URL_RE, ' ')
    .replace(EMAIL_RE, ' ')
    .replace(EMOJI_RE, '')
    .replace(/^\s{0,3}(?:#{1,6}\s+|[-*+•]\s+|\d+[.)]\s+|>\s?)/gm, '')
    .replace(/(\*\*|__|\*|_|~~|`)(?=\S)([\s\S]*?\S)\1/g, '$2')
    .replace(/[*_`#~|<>]/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/\s+([,.!?;:。、？！])/g, '$1')
    .trim();
}

const JA_CHAR = /[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]/gu;
const LETTER = /\p{L}/gu;
const EN_WORDS = new Set('the a an and or to of in on for with you your that this what how why did was were is are it i we they can could would tell me about more there which when one'.split(' '));

/** Whether the text is in the interview's language (en or ja), by script and, for English, common words. */
export function inLanguage(text: string, lang: Lang): boolean {
  const letters = text.match(LETTER)?.length ?? 0;
  if (letters === 0) return false;
  const ja = text.match(JA_CHAR)?.length ?? 0;
  if (lang === 'ja') return ja / letters >= 0.5;
  const latin = text.match(/[a-z]/gi)?.length ?? 0;
  if (ja > 0 || latin / letters < 0.95) return false;
  const words = text.toLowerCase().match(/[a-z']+/g) ?? [];
  // A short line ("Thank you.") has few function words; longer English has many.
  if (words.length < 5) return true;
  const common = words.filter((w) => EN_WORDS.has(w)).length;
  return common / words.length >= 0.12;
}

/**
 * Topics an interviewer must not raise (protected characteristics), and remarks it must not make.
 * Matched on the model's words only: a candidate who mentions their family is answered neutrally,
 * but the interviewer never asks.
 */
const FORBIDDEN: readonly [topic: string, en: RegExp, ja: RegExp][] = [
  ['age', /\b(how old|your age|year (?:were you|you were) born|date of birth|birthday|too (?:old|young))\b/i, /(年齢|何歳|おいくつ|生年月日|生まれ年)/],
  ['family', /\b(married|marital|spouse|husband|wife|your (?:children|kids|family)|have (?:children|kids)|childcare|family plans?|start a family|boyfriend|girlfriend)\b/i, /(結婚|配偶者|ご主人|奥さん|お子さん|子供|子ども|家族構成|交際)/],
  ['pregnancy', /\b(pregnan\w*|maternity|expecting a baby)\b/i, /(妊娠|出産|産休)/],
  ['religion', /\b(religio\w*|church|mosque|synagogue|temple|pray\w*|faith|god)\b/i, /(宗教|信仰|教会|お寺|神社)/],
  ['health', /\b(your health|health (?:condition|problem|issue)s?|medical (?:condition|history)|illness|sick leave|medication|diagnos\w*|mental health)\b/i, /(健康状態|病気|持病|通院|病歴|服薬)/],
  ['disability', /\b(disability|disabilities|disabled (?:person|people)|handicap\w*|impairment)\b/i, /(障害|障がい)/],
  ['nationality', /\b(nationality|citizenship|citizen|where are you (?:really )?from|country of origin|native country|immigra\w*|visa status)\b/i, /(国籍|出身国|どちらのご出身|出身地|本籍)/],
  ['ethnicity', /\b(ethnic\w*|your race|racial|skin colou?r)\b/i, /(人種|民族)/],
  ['sexual orientation', /\b(sexual\w*|gay|lesbian|bisexual|transgender)\b/i, /(性的指向|同性愛|恋愛対象)/],
  ['union membership', /\b((?:trade |labou?r )?union (?:member\w*|activit\w*|dues)|a (?:trade |labou?r )?union|unioni[sz]\w*|collective bargaining)\b/i, /(労働組合|組合員)/],
  ['appearance, voice or emotion', /\b(you look|your (?:appearance|clothes|outfit|hair|face|voice|accent)|you (?:seem|sound|appear) (?:\w+ )?(?:nervous|anxious|stressed|upset|emotional|confident|tired|happy|sad|angry|excited))\b/i, /(外見|見た目|服装|髪型|声が|訛り|なまり|緊張されて|緊張して)/],
];
const PRAISE = /\b(great|excellent|perfect|amazing|awesome|fantastic|impressive|wonderful|brilliant|well done|good job|nice work|good answer|love that|bad answer|not a good answer)\b/i;
const PRAISE_JA = /(素晴らしい|すばらしい|完璧|見事|さすが|間違って|よくできました)/;

/** The protected topic a line raises, or undefined. */
export function forbiddenTopic(text: string, lang: Lang): string | undefined {
  for (const [topic, en, ja] of FORBIDDEN) if (en.test(text) || (lang === 'ja' && ja.test(text))) return topic;
  return undefined;
}

function tooLong(text: string, lang: Lang, kind: ReplyKind): boolean {
  const limit = REPLY_LIMITS[kind];
  if (lang === 'ja') return text.replace(/\s/g, '').length > limit.jaChars;
  return text.split(/\s+/).filter(Boolean).length > limit.words;
}

/** Cleans a model's line and checks it against every guardrail; the first problem found wins. */
export function checkReply(raw: string, lang: Lang, kind: ReplyKind): ReplyCheck {
  const text = cleanForSpeech(raw);
  if (!/\p{L}/u.test(text)) return { ok: false, problem: 'empty', detail: 'nothing to say after cleaning' };
  if (tooLong(text, lang, kind)) return { ok: false, problem: 'too_long', detail: `over the ${kind.replace('_', '-')} limit` };
  if (!inLanguage(text, lang)) return { ok: false, problem: 'wrong_language', detail: `not in ${lang}` };
  const topic = forbiddenTopic(text, lang);
  if (topic) return { ok: false, problem: 'unsafe', detail: `raises ${topic}` };
  if (PRAISE.test(text) || PRAISE_JA.test(text)) return { ok: false, problem: 'judgement', detail: 'praises or judges the answer' };
  return { ok: true, text };
}
