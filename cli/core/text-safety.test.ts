import { describe, expect, it } from 'vitest';
import { terminalSafe, terminalSafeBlock, unsafeTextProblem } from './text-safety.js';

describe('text safety', () => {
  it('names the character and where it is, never the value', () => {
    expect(unsafeTextProblem('ref', 'a\u001b]0;pwned\u0007')).toBe('ref: contains a control character (U+001B at character 2)');
    expect(unsafeTextProblem('name', 'Ada \u202eecalevoL')).toBe('name: contains a bidirectional formatting character (U+202E at character 5)');
    expect(unsafeTextProblem('name', 'x\u009b31m')).toBe('name: contains a control character (U+009B at character 2)');
    expect(unsafeTextProblem('ref', 'r1\nid  status')).toBe('ref: contains a line break (U+000A at character 3)');
    expect(unsafeTextProblem('name', '山田 太郎 😀')).toBeUndefined();
    expect(unsafeTextProblem('email', 'x@\u2066y.z')).toMatch(/bidirectional/);
  });

  it('turns escapes, C1 controls, bidi overrides and line breaks into spaces', () => {
    expect(terminalSafe('a\u001b[2Jb\u009bc\u202ed\ne')).toBe('a [2Jb c d e');
    expect(terminalSafe('plain')).toBe('plain');
    expect(terminalSafeBlock('row 1\trow\u001b[31m\nrow 2\u202e')).toBe('row 1\trow [31m\nrow 2 ');
  });
});
