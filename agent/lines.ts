import type { Lang } from '../cli/core/lang.js';

/** Everything the interviewer says besides the questions, per language. */
export interface Lines {
  greeting: string;
  followUp: string;
  moveOn: string;
  timeWarning: string;
  welcomeBack: string;
  closing: string;
  /** The neutral acknowledgment before the next question (LLM mode, or when a model's reply is replaced). */
  acknowledgment: string;
  /** Salary, benefits, outcomes, anything not in the set's context: never invented. */
  hiringTeam: string;
  /** After answering the candidate's own question: back to the current one. */
  goOn: string;
}

/** The candidate's first name only, for a friendlier greeting. Spoken, never logged. */
export function firstName(fullName: string): string {
  return fullName.trim().split(/\s+/)[0] ?? '';
}

/**
 * `recorded` is false under RECORDER=off: the disclosure then says that only a transcript is kept,
 * so the candidate is told what actually happens.
 */
export function linesFor(lang: Lang, candidateName: string, recorded = true): Lines {
  const name = firstName(candidateName);
  if (lang === 'ja') {
    return {
      greeting: `${name}さん、こんにちは。私はAIの面接官です。${recorded ? 'この面接は録画・録音されます。' : 'この面接は録画されませんが、会話の記録が保存されます。'}それでは質問を始めます。`,
      followUp: 'ありがとうございます。もう少し詳しく教えていただけますか。',
      moveOn: 'ありがとうございます。次の質問に進みます。',
      timeWarning: '残り時間はあと1分ほどです。',
      welcomeBack: 'おかえりなさい。先ほどの質問をもう一度お伝えします。',
      closing: 'お時間をいただきありがとうございました。面接はこれで終了です。',
      acknowledgment: 'ありがとうございます。',
      hiringTeam: 'その点については、採用担当者から改めてご連絡いたします。',
      goOn: 'それでは、先ほどの質問への回答をお願いします。',
    };
  }
  return {
    greeting: `Hello${name ? ` ${name}` : ''}. I am an AI interviewer, and ${recorded ? 'this session is being recorded' : 'a transcript of this session is kept, but it is not recorded'}. Let's begin.`,
    followUp: 'Thank you. Could you tell me a little more about that?',
    moveOn: "Thank you. Let's move on to the next question.",
    timeWarning: 'We have about one minute left.',
    welcomeBack: 'Welcome back. Let me repeat the question.',
    closing: 'Thank you for your time. This is the end of the interview. Goodbye.',
    acknowledgment: 'Thank you.',
    hiringTeam: 'The hiring team will follow up with you on that.',
    goOn: 'Please go ahead with your answer.',
  };
}

/**
 * What the interviewer says, prepared ahead, the greeting and the closing first. A line that
 * names the candidate is `personal`: made for this interview only, never kept beyond it (the
 * offline voice's cache keeps the others, shared by every interview of a question set).
 */
export function preparedLines(lines: Lines, questions: string[], candidateName: string): { text: string; personal: boolean }[] {
  const texts = [lines.greeting, lines.closing, ...questions, lines.followUp, lines.moveOn, lines.timeWarning, lines.welcomeBack, lines.acknowledgment, `${lines.hiringTeam} ${lines.goOn}`];
  const name = firstName(candidateName);
  return [...new Set(texts)].map((text) => ({ text, personal: text === lines.greeting || (name !== '' && text.includes(name)) }));
}
