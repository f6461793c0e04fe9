// Every string the candidate can see, one table per language. The Japanese table is typed
// against the English one, so a missing or extra key is a type error (and a unit test).

export type Lang = 'en' | 'ja';

/** The product name is a brand: the same in every language. */
export const PRODUCT_NAME = 'Interview Room';

const en = {
  'doc.title': 'Your interview · {product}',
  'lang.toggle': '日本語',
  'brand.tagline': 'Video interview',

  'loading.title': 'Opening your interview…',

  'preflight.title': 'Let’s get you ready',
  'preflight.titleNamed': 'Hi {name}, let’s get you ready',
  'preflight.lead':
    'Check your camera and microphone, read how the interview works, then join when you are ready.',
  'preflight.duration': 'The interview takes about {minutes} minutes.',
  'preflight.expires': 'This link is valid until {date}.',
  'preflight.devicesTitle': 'Camera and microphone',
  'preflight.camera': 'Camera',
  'preflight.mic': 'Microphone',
  'preflight.micLevel': 'Microphone level',
  'preflight.micHint': 'Say a few words: the bar should move as you speak.',
  'preflight.previewLabel': 'Your camera preview',
  'preflight.previewStarting': 'Starting your camera…',
  'preflight.check.browser.pending': 'Checking your browser…',
  'preflight.check.browser.ok': 'Browser supports video calls',
  'preflight.check.browser.fail': 'Browser cannot make video calls',
  'preflight.check.browser.noRecording': 'Browser cannot record this interview',
  'preflight.cannotRecord.title': 'This browser can’t record the interview',
  'preflight.cannotRecord.body':
    'This interview is recorded in your browser, and this one can’t record video. Please open the same link in a current version of Chrome, Edge, Firefox or Safari.',
  'preflight.check.camera.pending': 'Starting your camera…',
  'preflight.check.camera.ok': 'Camera is working',
  'preflight.check.camera.fail': 'Camera is not working',
  'preflight.check.mic.pending': 'Starting your microphone…',
  'preflight.check.mic.ok': 'Microphone is working',
  'preflight.check.mic.fail': 'Microphone is not working',
  'preflight.noLabel': '{kind} {n}',
  'preflight.aboutTitle': 'Before you start',
  'preflight.aboutAi':
    'Your interviewer is an AI, not a person. It will ask you the interview questions one by one and listen to your answers.',
  'preflight.aboutRecording':
    'The whole session is recorded: your video, your voice and a written transcript of what is said are stored and shared with the hiring team that invited you. The page also notes when this tab is hidden or the window is not in focus, for the team to see beside the recording; it is never scored.',
  'preflight.aboutTips':
    'Find a quiet place, look at the camera, and take your time. You can end the interview at any point with the End button.',
  'preflight.consent':
    'I understand that the interviewer is an AI, and I agree that my video, my voice and a transcript of the session are recorded and stored.',
  'preflight.join': 'Join interview',
  'preflight.joining': 'Joining…',
  'preflight.needConsent': 'Tick the box above to continue.',
  'preflight.needDevices': 'Waiting for your camera and microphone.',
  'preflight.ready': 'You are ready. The interview starts as soon as you join.',
  'preflight.rateLimited': 'Too many attempts in a short time. Please wait a moment and try again.',
  'preflight.audioSuspended': 'Click anywhere on the page to start the microphone test.',

  'interview.title': 'Interview in progress',
  'interview.interviewer': 'AI interviewer',
  'interview.you': 'You',
  'interview.selfViewLabel': 'Your camera',
  'interview.timeLeft': 'Time left',
  'interview.timeUp': 'Wrapping up',
  'interview.end': 'End interview',
  'interview.state.connecting': 'Connecting…',
  'interview.state.waiting': 'Waiting for the interviewer to join…',
  'interview.state.initializing': 'Getting ready…',
  'interview.state.idle': 'Ready',
  'interview.state.listening': 'Listening',
  'interview.state.thinking': 'Thinking',
  'interview.state.speaking': 'Speaking',
  'interview.captionsTitle': 'Live captions',
  'interview.captionsEmpty': 'What you and the interviewer say will appear here.',
  'interview.reconnecting': 'Connection lost. Reconnecting… Please stay on this page.',
  'interview.rejoining': 'Reconnecting to the interview (attempt {attempt} of {max})… Please stay on this page.',
  'interview.startAudio': 'Your browser paused the sound. Select this to hear the interviewer.',
  'interview.startAudioButton': 'Turn on sound',
  'interview.minutesLeft': '{minutes} minutes left.',
  'interview.oneMinuteLeft': 'One minute left.',

  'end.title': 'End the interview?',
  'end.body': 'If you end it now, you will not be able to rejoin. Your answers so far are kept.',
  'end.cancel': 'Keep going',
  'end.confirm': 'End interview',
  'end.ending': 'Ending…',
  'end.failed': 'We could not end the interview. Check your connection and try again.',

  'done.title': 'Thank you',
  'done.titleNamed': 'Thank you, {name}',
  'done.body': 'Your interview has ended. Thank you for your time.',
  'done.next': 'The hiring team will review your interview and contact you about the next steps. You can close this page now.',

  'error.not_found.title': 'We can’t find this interview',
  'error.not_found.body':
    'The link may be incomplete or mistyped. Open it again from your invitation, and make sure you copy the whole address. If it still does not work, contact the person who invited you.',
  'error.already_used.title': 'This link is already in use',
  'error.already_used.body':
    'This interview is already open on another device, in another browser or in another tab. For your privacy, a link works in one place only. If that was you, go back to it there. Otherwise, contact the person who invited you.',
  'error.expired.title': 'This link has expired',
  'error.expired.body':
    'Interview links are valid for a limited time. Ask the person who invited you to send you a new link.',
  'error.revoked.title': 'This interview was cancelled',
  'error.revoked.body':
    'The person who invited you has cancelled this link. If you think this is a mistake, please contact them.',
  'error.ended.title': 'This interview has ended',
  'error.ended.body':
    'This interview is over and cannot be joined again. If you think this is a mistake, contact the person who invited you.',
  'error.devices_denied.title': 'We need your camera and microphone',
  'error.devices_denied.body':
    'Your browser is blocking the camera or the microphone, so the interview cannot start.',
  'error.devices_denied.step1':
    'Select the camera or lock icon at the left of the address bar, and choose Allow for the camera and the microphone.',
  'error.devices_denied.step2':
    'On a phone, open the browser’s settings for this site, or your phone’s privacy settings, and allow the camera and microphone.',
  'error.devices_denied.step3': 'Then select Try again.',
  'error.devices_unavailable.title': 'We can’t start your camera or microphone',
  'error.devices_unavailable.body':
    'We could not start your camera or microphone. Check that they are connected and not being used by another app (such as another video call), then try again.',
  'error.unsupported.title': 'This browser can’t run the interview',
  'error.unsupported.body':
    'Please open the same link in a current version of Chrome, Edge, Firefox or Safari, on a computer or a phone.',
  'error.network.title': 'Connection problem',
  'error.network.body':
    'We could not reach the interview service. Check your internet connection, then try again. If you were in the interview, you will rejoin where you left off.',
  'error.retry': 'Try again',
  'footer.help': 'Questions about your interview? Contact the person who sent you this link.',
} as const;

export type MessageKey = keyof typeof en;

const ja: Record<MessageKey, string> = {
  'doc.title': '面接 · {product}',
  'lang.toggle': 'English',
  'brand.tagline': 'ビデオ面接',

  'loading.title': '面接を開いています…',

  'preflight.title': '面接の準備をしましょう',
  'preflight.titleNamed': '{name}さん、面接の準備をしましょう',
  'preflight.lead': 'カメラとマイクを確認し、面接の流れをお読みになってから、準備ができたら参加してください。',
  'preflight.duration': '面接の所要時間は約{minutes}分です。',
  'preflight.expires': 'このリンクの有効期限は{date}までです。',
  'preflight.devicesTitle': 'カメラとマイク',
  'preflight.camera': 'カメラ',
  'preflight.mic': 'マイク',
  'preflight.micLevel': 'マイクの音量',
  'preflight.micHint': '何か話してみてください。声に合わせてバーが動けば大丈夫です。',
  'preflight.previewLabel': 'カメラのプレビュー',
  'preflight.previewStarting': 'カメラを起動しています…',
  'preflight.check.browser.pending': 'ブラウザーを確認しています…',
  'preflight.check.browser.ok': 'ブラウザーはビデオ通話に対応しています',
  'preflight.check.browser.fail': 'このブラウザーではビデオ通話ができません',
  'preflight.check.browser.noRecording': 'このブラウザーではこの面接を録画できません',
  'preflight.cannotRecord.title': 'このブラウザーでは面接を録画できません',
  'preflight.cannotRecord.body':
    'この面接はブラウザーで録画しますが、このブラウザーは映像を録画できません。最新版の Chrome、Edge、Firefox、Safari のいずれかで、同じリンクを開いてください。',
  'preflight.check.camera.pending': 'カメラを起動しています…',
  'preflight.check.camera.ok': 'カメラは正常です',
  'preflight.check.camera.fail': 'カメラが動作していません',
  'preflight.check.mic.pending': 'マイクを起動しています…',
  'preflight.check.mic.ok': 'マイクは正常です',
  'preflight.check.mic.fail': 'マイクが動作していません',
  'preflight.noLabel': '{kind} {n}',
  'preflight.aboutTitle': '始める前に',
  'preflight.aboutAi':
    '面接官は人ではなく AI です。面接の質問を順番にお聞きし、あなたの回答を聞き取ります。',
  'preflight.aboutRecording':
    '面接は最初から最後まで記録されます。あなたの映像と音声、そして会話の文字起こしが保存され、あなたを招待した採用チームに共有されます。また、このタブが非表示になった時間やウィンドウが選択されていなかった時間も記録し、録画と併せて採用チームに示します（評価には使われません）。',
  'preflight.aboutTips':
    '静かな場所で、カメラを見ながら、落ち着いてお話しください。「面接を終了」ボタンでいつでも面接を終えられます。',
  'preflight.consent':
    '面接官が AI であることを理解し、私の映像・音声・会話の文字起こしが記録・保存されることに同意します。',
  'preflight.join': '面接に参加',
  'preflight.joining': '参加しています…',
  'preflight.needConsent': '続けるには、上のチェックボックスにチェックを入れてください。',
  'preflight.needDevices': 'カメラとマイクの準備を待っています。',
  'preflight.ready': '準備ができました。参加するとすぐに面接が始まります。',
  'preflight.rateLimited': '短い時間に何度も試行されました。少し待ってからもう一度お試しください。',
  'preflight.audioSuspended': 'マイクのテストを始めるには、ページのどこかをクリックしてください。',

  'interview.title': '面接中',
  'interview.interviewer': 'AI 面接官',
  'interview.you': 'あなた',
  'interview.selfViewLabel': 'あなたのカメラ',
  'interview.timeLeft': '残り時間',
  'interview.timeUp': 'まもなく終了',
  'interview.end': '面接を終了',
  'interview.state.connecting': '接続しています…',
  'interview.state.waiting': '面接官の参加を待っています…',
  'interview.state.initializing': '準備しています…',
  'interview.state.idle': '待機中',
  'interview.state.listening': '聞いています',
  'interview.state.thinking': '考えています',
  'interview.state.speaking': '話しています',
  'interview.captionsTitle': 'リアルタイム字幕',
  'interview.captionsEmpty': 'あなたと面接官の発言がここに表示されます。',
  'interview.reconnecting': '接続が切れました。再接続しています… このページを開いたままお待ちください。',
  'interview.rejoining': '面接に再接続しています（{attempt}/{max}回目）… このページを開いたままお待ちください。',
  'interview.startAudio': 'ブラウザーが音声を一時停止しました。面接官の声を聞くには、こちらを選択してください。',
  'interview.startAudioButton': '音声をオンにする',
  'interview.minutesLeft': '残り{minutes}分です。',
  'interview.oneMinuteLeft': '残り1分です。',

  'end.title': '面接を終了しますか？',
  'end.body': '今終了すると、再び参加することはできません。これまでの回答は保存されます。',
  'end.cancel': '面接を続ける',
  'end.confirm': '面接を終了',
  'end.ending': '終了しています…',
  'end.failed': '面接を終了できませんでした。接続を確認して、もう一度お試しください。',

  'done.title': 'ありがとうございました',
  'done.titleNamed': '{name}さん、ありがとうございました',
  'done.body': '面接は終了しました。お時間をいただき、ありがとうございました。',
  'done.next': '採用チームが面接の内容を確認し、今後の流れについてご連絡します。このページは閉じていただいて構いません。',

  'error.not_found.title': 'この面接が見つかりません',
  'error.not_found.body':
    'リンクが途中で切れているか、間違っている可能性があります。招待メールからもう一度開き、アドレス全体がコピーされているかご確認ください。それでも開けない場合は、招待した担当者にお問い合わせください。',
  'error.already_used.title': 'このリンクはすでに使用されています',
  'error.already_used.body':
    'この面接は、別の端末、別のブラウザー、または別のタブですでに開かれています。プライバシー保護のため、リンクは1か所でしか使えません。ご自身で開いた場合は、そちらに戻ってください。心当たりがない場合は、招待した担当者にお問い合わせください。',
  'error.expired.title': 'このリンクは有効期限が切れています',
  'error.expired.body': '面接のリンクには有効期限があります。招待した担当者に新しいリンクをご依頼ください。',
  'error.revoked.title': 'この面接は取り消されました',
  'error.revoked.body':
    '招待した担当者がこのリンクを取り消しました。お心当たりがない場合は、担当者にお問い合わせください。',
  'error.ended.title': 'この面接は終了しています',
  'error.ended.body':
    'この面接はすでに終了しているため、再び参加することはできません。お心当たりがない場合は、招待した担当者にお問い合わせください。',
  'error.devices_denied.title': 'カメラとマイクの許可が必要です',
  'error.devices_denied.body': 'ブラウザーがカメラまたはマイクをブロックしているため、面接を始められません。',
  'error.devices_denied.step1':
    'アドレスバーの左にあるカメラまたは鍵のアイコンを選び、カメラとマイクを「許可」にしてください。',
  'error.devices_denied.step2':
    'スマートフォンの場合は、ブラウザーのサイト設定、または端末のプライバシー設定で、カメラとマイクを許可してください。',
  'error.devices_denied.step3': 'そのあと「もう一度試す」を選んでください。',
  'error.devices_unavailable.title': 'カメラまたはマイクを起動できません',
  'error.devices_unavailable.body':
    'カメラまたはマイクを起動できませんでした。接続されているか、ほかのアプリ（別のビデオ通話など）で使用中でないかをご確認のうえ、もう一度お試しください。',
  'error.unsupported.title': 'このブラウザーでは面接を行えません',
  'error.unsupported.body':
    'パソコンまたはスマートフォンで、最新版の Chrome、Edge、Firefox、Safari のいずれかを使って、同じリンクを開いてください。',
  'error.network.title': '接続に問題があります',
  'error.network.body':
    '面接サービスに接続できませんでした。インターネット接続を確認してから、もう一度お試しください。面接の途中だった場合は、続きから再参加できます。',
  'error.retry': 'もう一度試す',
  'footer.help': '面接についてご不明な点は、このリンクを送った担当者にお問い合わせください。',
};

/** Both tables, exported for the key-parity test. */
export const MESSAGES: Readonly<Record<Lang, Readonly<Record<MessageKey, string>>>> = { en, ja };

let current: Lang = 'en';
const listeners = new Set<(lang: Lang) => void>();

export function isLang(value: unknown): value is Lang {
  return value === 'en' || value === 'ja';
}

export function getLang(): Lang {
  return current;
}

/** Switches the language and lets every registered view re-render its text. */
export function setLang(lang: Lang): void {
  current = lang;
  for (const listener of listeners) listener(lang);
}

export function onLangChange(listener: (lang: Lang) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Looks a message up in the current language and fills `{placeholders}`. */
export function t(key: MessageKey, vars: Record<string, string | number> = {}, lang: Lang = current): string {
  const template = MESSAGES[lang][key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : whole,
  );
}

/** Best guess before the interview's own language is known. */
export function guessLang(languages: readonly string[]): Lang {
  return languages.some((l) => l.toLowerCase().startsWith('ja')) ? 'ja' : 'en';
}
