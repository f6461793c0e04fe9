import type { Lang } from '../cli/core/invite-rows.js';

/** Everything the interviewer says besides the questions, per language. */
export interface Lines {
  greeting: string;
  followUp: string;
  moveOn: string;
  timeWarning: string;
  welcomeBack: string;
  closing: string;
}

/** The candidate's first name only, for a friendlier greeting. Spoken, never logged. */
export function firstName(fullName: string): string {
  return fullName.trim().split(/\s+/)[0] ?? '';
}

export function linesFor(lang: Lang, candidateName: string): Lines {
  const name = firstName(candidateName);
  if (lang === 'ja') {
    return {
      greeting: `${name}さん、こんにちは。私はAIの面接官です。この面接は録画・録音されます。それでは質問を始めます。`,
      followUp: 'ありがとうございます。もう少し詳しく教えていただけますか。',
      moveOn: 'ありがとうございます。次の質問に進みます。',
      timeWarning: '残り時間はあと1分ほどです。',
      welcomeBack: 'おかえりなさい。先ほどの質問をもう一度お伝えします。',
      closing: 'お時間をいただきありがとうございました。面接はこれで終了です。',
    };
  }
  return {
    greeting: `Hello${name ? ` ${name}` : ''}. I am an AI interviewer, and this session is being recorded. Let's begin.`,
    followUp: 'Thank you. Could you tell me a little more about that?',
    moveOn: "Thank you. Let's move on to the next question.",
    timeWarning: 'We have about one minute left.',
    welcomeBack: 'Welcome back. Let me repeat the question.',
    closing: 'Thank you for your time. This is the end of the interview. Goodbye.',
  };
}
