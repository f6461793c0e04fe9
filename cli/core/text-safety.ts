/**
 * Characters no stored text may hold, and no terminal may be sent from data: C0 and C1 controls
 * (ESC starts a terminal escape sequence, U+009B is a one-character CSI, a line break forges a
 * table row) and the bidirectional formatting characters (U+202E and friends reorder what an
 * operator reads).
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex
const UNSAFE_ALL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// The same, but keeping the line breaks and tabs our own output is laid out with.
// eslint-disable-next-line no-control-regex
const UNSAFE_INLINE_ALL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const codePoint = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Why `value` cannot be stored in `field`, or undefined when it can. Names the character and its
 * position, never the value (it may be personal data).
 */
export function unsafeTextProblem(field: string, value: string): string | undefined {
  const m = UNSAFE.exec(value);
  if (!m) return undefined;
  const what = m[0] === '\n' || m[0] === '\r' ? 'a line break' : /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(m[0]) ? 'a bidirectional formatting character' : 'a control character';
  return `${field}: contains ${what} (${codePoint(m[0])} at character ${[...value.slice(0, m.index)].length + 1})`;
}

/** `s` with every unsafe character as a space: for one cell or one line of terminal output. */
export function terminalSafe(s: string): string {
  return UNSAFE.test(s) ? s.replace(UNSAFE_ALL, ' ') : s;
}

/** Like terminalSafe, but keeps line breaks and tabs: for whole blocks of our own output. */
export function terminalSafeBlock(s: string): string {
  return s.replace(UNSAFE_INLINE_ALL, ' ');
}
