import type { Lang } from './invite-rows.js';
import { followUpsOf, type Question } from './questions.js';

/**
 * The plan of an interview is ours, never a model's (SPEC section 11): which question comes next,
 * whether a follow-up may be asked, what the candidate's own questions get. Pure functions; the
 * interviewer loop (agent/interviewer.ts) calls them and a model only words what they allow.
 */

/** What the candidate's turn was: an answer, or one of their own questions. */
export type CandidateIntent = 'answer' | 'repeat' | 'time_left' | 'role' | 'hiring_team';

/** One pattern from several, each kept on its own line below. */
const oneOf = (...parts: RegExp[]) => new RegExp(parts.map((p) => `(?:${p.source})`).join('|'));
const wholeTurn = (re: RegExp) => new RegExp(`^(?:${re.source})\\??$`);

// Patterns see a sentence as plainEn/plainJa leave it: lower case, no punctuation but a closing "?",
// no leading "sorry," / "um," / "please" and no trailing "please" / "sorry".
const OBJ = /(?:that|it|this|the question|your question|what you (?:just )?said|the last (?:part|bit)|the (?:first|second) part)/.source;
/** The end of a request for the question again: "could you repeat that", "…say the question again". */
const AGAIN_EN = oneOf(
  new RegExp(`(?:repeat|repeating|rephrase|rephrasing|reword|restate|clarify|explain)(?: ${OBJ}| yourself)?(?: again| once more| one more time)?`),
  new RegExp(`(?:say|saying|ask|asking|read|reading|hear|get|have|go over|run through)(?: ${OBJ})? (?:again|once more|one more time)`),
  /what(?: was| is|'s) (?:that|the question|your question|the (?:first|second|last) (?:part|bit)(?: of (?:the|your) question)?)(?: again)?|what(?: was| is|'s) it again|what did you (?:just )?(?:say|ask)|what do you mean(?: by that| exactly)?/,
  /(?:speak|talk|say it) (?:more )?(?:slowly|slower|louder|up)/,
);
/** A whole turn that asks for it without asking: "Sorry?", "Once more.", "I missed that.", "You cut out." */
const NOT_HEARD_EN = oneOf(
  /(?:sorry|what|huh|eh|excuse me|pardon)\?|pardon(?: me)?|come again|again|once more|(?:one )?more time/,
  new RegExp(`(?:i )?(?:did not|didn't|couldn't|could not|can't|cannot|don't|do not) (?:quite |really |fully |properly )?(?:catch|hear|get|understand|follow|make out)(?: ${OBJ}| you| all of that| the end)?`),
  /i (?:missed|lost) (?:that|the question|what you said|the last (?:part|bit)|you|the end)/,
  /(?:you|it|the (?:audio|sound|connection|line|call)) (?:cut out|cut off|broke up|dropped(?: out)?|froze|went quiet)(?: there| for a (?:second|moment)| a bit)?/,
  /you(?:'re| are) breaking up|i can(?:'t|not) hear you|i couldn't hear (?:you|that|the question)/,
);
const AGAIN_JA = oneOf(
  /もう(?:一|1|いち)(?:度|回)(?:だけ)?(?:お願い|言って|おっしゃって|仰って|聞かせて|読んで|読み上げて|繰り返して|いただけ|頂け|もらえ|ください|下さい|(?:いい|よろしい)(?:です|でしょう)か|質問|$)/,
  /(?:ご)?質問(?:を|は)?(?:もう(?:一|1)(?:度|回)|再度|繰り返)|(?:ご)?質問(?:は|が)?(?:何|なん)(?:でした|です|だった|でしょう)/,
  /(?:繰り返し|言い直し|言い換え|読み直し)て(?:いただけ|頂け|もらえ|ください|下さい|くれ)|(?:ゆっくり|大きな声で|大きい声で)(?:話して|言って|お願い|おっしゃって)/,
  /(?:何|なん)(?:と|て)(?:おっしゃい|仰い|言い|いい)ました/,
);
const NOT_HEARD_JA = oneOf(
  /(?:え|えっ|はい|すみません|すいません|何|なに|(?:何|なん)(?:です|でしょう)か)\?/,
  /(?:今の|さっきの|先ほどの|最後の)?(?:ご?質問|お声|声|音声|音|ところ|部分|お話)?(?:が|は|を)?(?:よく|ちょっと|うまく|少し|全然)?(?:聞き取れ|聞こえ)(?:ませんでした|ません|なかった|ない|にくかった|にくい)(?:です|ので|のですが|んですが|んですけど|んです)?/,
  /(?:ご?質問|質問の意味)(?:が|は)?(?:よく)?(?:わかり|分かり)ません(?:でした)?|(?:音声|声|音|接続|回線)?(?:が)?途切れ(?:ました|てしまいました|ていました)/,
);

/**
 * How a rule must be put. 'said': the whole turn is the request, in any form ("Sorry?", "I missed
 * that."). 'asked': one of the turn's sentences is a question or a request (not one about how to
 * answer: "Should I talk about the team?") and names it. So a statement that merely mentions the
 * pay, the team or "repeat" ("we would repeat the load test every release") stays an answer.
 */
type Form = 'said' | 'asked';

/**
 * What the candidate's own questions sound like, first match wins: the hiring team before time
 * ("how long until I hear back?") and the role ("the pay for this role?").
 */
const INTENTS: readonly { intent: Exclude<CandidateIntent, 'answer'>; form: Form; en: RegExp; ja: RegExp }[] = [
  { intent: 'repeat', form: 'said', en: wholeTurn(oneOf(AGAIN_EN, NOT_HEARD_EN)), ja: oneOf(new RegExp(`^(?:${AGAIN_JA.source})`), wholeTurn(NOT_HEARD_JA)) },
  // End-anchored in English: "could you repeat that?" asks, "could we repeat the load test?" does not.
  { intent: 'repeat', form: 'asked', en: new RegExp(`(?:^|\\s)(?:${AGAIN_EN.source})\\??$`), ja: AGAIN_JA },
  {
    intent: 'hiring_team',
    form: 'asked',
    en: oneOf(
      /\b(?:salary|salaries|pay|paid|paying|pays|compensation|wages?|benefits?(?! of)|bonus(?:es)?|equity|stock options?|rsus?|pension|401k|insurance|health ?care|perks)\b/,
      /\b(?:vacation|holidays?|pto|time off|(?:annual|parental|maternity|paternity|sick|paid) leave|notice period|start date|relocation (?:package|bonus|support|assistance))\b/,
      /\b(?:next steps?|(?:next|second|final|another) (?:stage|round|interview)|hiring process|interview process|the process|hear back|hear from (?:you|them|someone)|get back to me|(?:an|the|a job|any) offer|feedback)\b/,
      /\b(?:when (?:will|would|do|can|should) (?:i|we)|how long (?:until|before|till) i) (?:hear|know|find out|get)\b/,
      /\bmy (?:score|results?|outcome|rating|chances)\b|\bhow (?:did|am|was) i (?:do|doing)(?: so far| today| in (?:the|this) interview)?\??$/,
      /\bdid i (?:pass|do (?:well|ok|okay|alright|good)|get (?:it|the (?:job|role|position|offer))|make it)\b|\bam i (?:hired|through|getting (?:it|the job|an offer))\b/,
    ),
    ja: /給与|給料|年収|月給|報酬|待遇|福利厚生|ボーナス|賞与|休暇|有給|手当|昇給|選考|結果|合否|次の(?:ステップ|面接)|今後の(?:流れ|予定|進め方)|連絡|返事|返答|内定|入社日|採用(?:され|になり|になる|です|でしょう|の可能性)|合格|通過|評価|点数|スコア/,
  },
  {
    intent: 'time_left',
    form: 'asked',
    en: oneOf(
      /\bhow (?:much|many) (?:more )?(?:time|minutes|mins)\b|\bhow much longer\b/,
      /\bhow long (?:do we have|have we got|do i have|have i got|is left|are we|is the rest|is (?:this|the) interview)\b/,
      /\bhow long (?:(?:is|will|does) (?:this|it|the interview) (?:going to |gonna )?(?:take|last|go|run|be)|(?:until|till|before) (?:we|this|it|the interview) (?:finish|end|wrap|are done|is over))\b/,
      /\b(?:out of|short on|low on|over) time\b|\b(?:time|minutes|mins) (?:left|remaining|to go)\b|\btime (?:check|limit)\b/,
      /\b(?:enough|much|any|more|still) time\b(?! (?:pressure|zones?|off|to market))|\b(?:do|have) (?:we|i) (?:still )?(?:got |have )?time\b|\bis there (?:still )?time\b/,
      /\bwhat time (?:is it|do we|does (?:this|it|the interview))\b|\bwhen (?:do|does|will|are) (?:we|this|it|the interview) (?:finish|end|wrap|stop|be done|done)\b/,
      /\bhow (?:are|am) (?:we|i) (?:doing )?(?:on|for) time\b|\b(?:almost|nearly) (?:done|over|finished)\b/,
    ),
    ja: /残り(?:時間|の時間|何分)|あと(?:何分|なんぷん|どれ(?:くらい|ぐらい)|どの(?:くらい|ぐらい)|何時間)|何分(?:残|ある|あり)|時間(?:は|が)?(?:あと|まだ|残り)?(?:どれ|どの)(?:くらい|ぐらい)|時間(?:は|が)?(?:まだ)?(?:あり|大丈夫|足り)|何時まで|いつまで|(?:何時|いつ)(?:に|ごろ|頃)?終わ|(?:終了|終わり)の?(?:時間|時刻|予定)|(?:もう|そろそろ)(?:時間|終わり)/,
  },
  {
    intent: 'role',
    form: 'asked',
    en: oneOf(
      /\b(?:the|this|that) (?:role|job|position|opening|vacancy)\b/,
      /\b(?:remote(?:ly)?|hybrid|on-?site|in[- ]office|in the office|from home|wfh|relocat\w*|visa|sponsor\w*|time ?zones?|full[- ]time|part[- ]time|contract|permanent)\b/,
      /\b(?:(?:tech(?:nology)? )?stack|responsibilit\w*|day[- ]to[- ]day|typical day|reports? to|reporting to|manager|on[- ]?call)\b/,
      /\bwhat (?:does|do|would|will|is) (?:the|this|your) (?:team|company|group|product|department)\b|\babout (?:the|this|your) (?:team|company|product)\b/,
      /\b(?:the|this|your) (?:team|company|group|department)(?:'s)? (?:like|size|work|working|do|doing|build|building|own|focus|products?|culture)\b/,
      /\bhow (?:big|large) (?:is )?(?:the|this|your) (?:team|company)\b|\bwho(?:'s| is| are| would| will)? (?:be )?(?:on|in) (?:the|this|your) team\b/,
      /\bwho would i (?:be )?(?:work(?:ing)? with|report(?:ing)? to)\b|\bwhat (?:would|will) i (?:be )?(?:do|doing|work(?:ing)? on|build(?:ing)?|own(?:ing)?)\b/,
      /\bwhere (?:is|are|would) (?:the|this|i|you) (?:office|team|be based|based|work)\b|\bwhat kind of (?:work|projects?|team)\b/,
    ),
    ja: /仕事内容|業務内容|職務|ポジション|チーム|部署|部門|リモート|在宅|テレワーク|出社|勤務地|勤務形態|勤務時間|働き方|配属|上司|技術スタック|使用(?:言語|技術)|開発環境|(?:どんな|どのような)(?:仕事|業務|プロジェクト|製品|サービス|技術|役割)|役割|担当|この(?:職|仕事|役職)|会社|職場|オフィス|残業|フレックス|転勤|出張/,
  },
];

const EN_FILLERS = /^(?:(?:um+|uh+|erm?|oh|ah|hmm+|so|okay|ok|right|well|wait|yeah|yes|sorry|i'm sorry|i am sorry|excuse me|apologies|actually|and|but|please)\s+)+/;
const EN_POLITE_TAIL = /(?:\s+(?:sorry|please|thanks|thank you|for me|if you (?:could|can|would|don't mind)))+(\??)$/;
/** A question by its form: a wh-word that does not open a clause ("what I did was…"), an inverted auxiliary, or a way into one. */
const EN_ASKS = oneOf(
  /^(?:what|how|when|where|who|which|why)(?:'s|'re|'d|'ll)?\b(?! (?:i|i'm|i've|i'd|we|we're|you|they|he|she|it)\b)/,
  /^(?:is|are|was|were|am|do|does|did|will|would|can|could|may|might|should|have|has|isn't|aren't|don't|doesn't|won't|wouldn't|can't|couldn't)\s+(?:i|we|you|it|there|the|this|that|my|our|your|they|someone|anyone|a|an|any)\b/,
  /^(?:tell me|please tell me|i was wondering|i'm wondering|i wonder|i'd like to know|i would like to know|i want to know|can i ask|could i ask|may i ask|any idea|just to check|quick question|one question|i'm curious|out of curiosity|mind|any chance)\b/,
);
/** A "?" on a sentence that opens like a statement ("I worked remote?") is intonation, not a question. */
const EN_STATES = /^(?:i|i'm|i've|i'd|i'll|we|we're|we've|we'd|my|our)\b/;
/** About the interview's question, not the candidate's own: part of the answer. */
const EN_HOW_TO_ANSWER = oneOf(
  /^(?:should i|shall i|do you want me|would you like me|do you mean|you mean|did you mean|are you asking|is the question|was the question|as in|like|for example|meaning)\b/,
  /^(?:is (?:that|this|it) (?:a question|the question|about|what you|related|relevant|okay|ok|alright|fine|enough)|does (?:that|this|it) (?:count|mean|matter|need|have to|work|make sense|answer)|is it (?:ok|okay|alright|fine) if)\b/,
  /^(?:can|may) i (?:talk|answer|use|give|describe|pick|choose|focus|speak|mention|start)\b/,
);

const JA_FILLERS = /^(?:(?:すみません|すいません|申し訳(?:ありません|ございません)が?|失礼(?:しました|いたしました)|ごめんなさい|恐れ入ります(?:が)?)[、,。!！\s]*|(?:え|えっ|えー|ええと|えっと|えーと|あの|あのう|あのー|はい|うーん)[、,。!！\s]+)+/;
const JA_ASKS = /(?:か|かね|かな|ください|下さい|お願いします|お願いいたします|お願い致します|(?:知り|伺い|聞き|お聞きし|お伺いし)たい(?:です|のですが|んですが)?|\?)$/;
/** "…ではないでしょうか" gives an opinion and "…とか" ends a list: neither asks. */
const JA_STATES = /(?:とか|かどうか|何か|なにか|(?:ではない|じゃない)(?:でしょう|です)?か)\??$/;
const JA_HOW_TO_ANSWER = /(?:話せば|答えれば|話したら|答えたら|すれば|したら|述べれば)(?:よい|いい|よろしい)|(?:話して|答えて|述べて)も(?:よい|いい|よろしい)|(?:という|って)(?:こと|意味)(?:です|でしょう)?か|の(?:こと|話)(?:です|でしょう)か|(?:についての|に関する)ご?質問|どちらを|どれを(?:話|答)/;

function plainEn(text: string): string {
  const t = text.toLowerCase().replace(/[‘’`]/g, "'").replace(/(?<!\p{L})-|-(?!\p{L})/gu, ' ').replace(/[^\p{L}\p{N}'\s-]+/gu, ' ').replace(/\s+/g, ' ').trim();
  return `${t.replace(EN_FILLERS, '')}${/\?\s*$/.test(text) ? '?' : ''}`.replace(EN_POLITE_TAIL, '$1');
}

function plainJa(text: string): string {
  const stripped = text.replace(JA_FILLERS, '');
  // "すみません？" alone is the request itself, not a filler before one.
  const t = (/[^\s?、,。!！]/.test(stripped) ? stripped : text).replace(/[\s?、，,。．.!！…「」『』()（）・~〜]+/g, '').replace(/(.)(?:すみません|すいません)$/, '$1');
  return `${t}${/\?\s*$/.test(text) ? '?' : ''}`;
}

const READERS: Record<Lang, { plain: (text: string) => string; asks: (sentence: string) => boolean }> = {
  en: { plain: plainEn, asks: (s) => (EN_ASKS.test(s) || (s.endsWith('?') && !EN_STATES.test(s))) && !EN_HOW_TO_ANSWER.test(s) },
  ja: { plain: plainJa, asks: (s) => JA_ASKS.test(s) && !JA_STATES.test(s) && !JA_HOW_TO_ANSWER.test(s) },
};

/**
 * Recognises the candidate's own questions in a short turn; anything longer is an answer, even
 * if it mentions the role or asks something back. Deterministic, so "could you repeat the
 * question?" is never left to a model; table-driven (INTENTS), and a turn counts only when it is
 * put as a request. Japanese turns are read with the English rules too ("Sorry?" in a ja interview).
 */
export function candidateIntent(text: string | null, lang: Lang): CandidateIntent {
  if (!text) return 'answer';
  const raw = text.trim();
  const long = lang === 'ja' ? raw.length > 60 : raw.split(/\s+/).length > 18;
  if (long) return 'answer';
  // One spelling for the rules: full-width "？" and digits, half-width kana.
  const t = raw.normalize('NFKC');
  const heard = (lang === 'ja' ? (['ja', 'en'] as const) : (['en'] as const)).map((l) => {
    const read = READERS[l];
    // A sentence, or its last clause: "My connection dropped, could you repeat that?"
    const parts = t.split(/(?<=[.!?。])\s*/).flatMap((s) => [s, s.split(/[,、]\s*/).at(-1) ?? s]);
    const asked = parts.map(read.plain).filter(read.asks);
    return { l, whole: read.plain(t), asked };
  });
  for (const rule of INTENTS) {
    if (heard.some(({ l, whole, asked }) => (rule.form === 'said' ? rule[l].test(whole) : asked.some((s) => rule[l].test(s))))) return rule.intent;
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
