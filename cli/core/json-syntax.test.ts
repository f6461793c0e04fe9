import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError } from './json-syntax.js';

describe('findJsonSyntaxError', () => {
  it.each([
    ['{"name": "x", "questions": ["a",]}', 1, 33, 'a comma before "]" (JSON allows no trailing comma)'],
    ['{"name": "x",}', 1, 14, 'a comma before "}" (JSON allows no trailing comma)'],
    ['{\n  "name": "x"\n  "questions": []\n}', 3, 3, `expected "," or "}" but found '"' (is a comma missing?)`],
    ["{'name': 'x'}", 1, 2, `expected a property name in double quotes but found "'"`],
    ['{"name": \'x\'}', 1, 10, `expected a value but found "'" (JSON strings take double quotes)`],
    ['{name: "x"}', 1, 2, 'expected a property name in double quotes but found "n"'],
    ['{"name" "x"}', 1, 9, `expected ":" after the property name but found '"'`],
    ['{"name": "x', 1, 10, 'a string that is never closed'],
    ['{"name": "a\nb"}', 1, 12, 'a line break inside a string (write it as \\n)'],
    ['{"name": "a\tb"}', 1, 12, 'a control character (U+0009) inside a string'],
    ['{"name": "\\x"}', 1, 11, 'an unknown escape in a string ("\\" before "x")'],
    ['{"name": "\\u12"}', 1, 11, 'a "\\u" escape without four hex digits'],
    ['{"questions": [', 1, 16, 'the file ends before the closing "]"'],
    ['{"a": 1}}', 1, 9, 'unexpected "}" after the end of the JSON document'],
    ['{"a": tru}', 1, 7, 'expected a value but found "t"'],
    ['{"a": 01}', 1, 8, 'expected "," or "}" but found "1" (is a comma missing?)'],
    ['{"a": +1}', 1, 7, 'expected a value but found "+"'],
    ['{"a": NaN}', 1, 7, 'expected a value but found "N"'],
    ['{"a":\u00a01}', 1, 6, 'expected a value but found U+00A0'],
    ['name: backend\nquestions:\n  - a\n', 1, 1, 'expected a value but found "n"'],
    ['', 1, 1, 'no JSON value (the file is empty)'],
  ])('%j: line %i, column %i', (text, line, column, reason) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(findJsonSyntaxError(text)).toEqual({ line, column, reason });
  });

  it('counts lines at LF, with CRLF files the same, and columns in characters', () => {
    expect(findJsonSyntaxError('{\r\n  "a": 1\r\n  "b": 2\r\n}')).toMatchObject({ line: 3, column: 3 });
    expect(findJsonSyntaxError('{\n"質問": "自己紹介 🙂", ]')).toMatchObject({ line: 2, column: 17 });
  });

  it('accepts what JSON.parse accepts', () => {
    for (const text of ['{}', '[]', ' {"a": [1, -2.5e+3, true, false, null, "\\u00e9\\n\\"", {}, []]} ', '"x"', '0', '{"a":{"b":{"c":[[[]]]}}}']) {
      expect(findJsonSyntaxError(text)).toBeUndefined();
    }
  });

  it('survives nesting a million deep without a stack overflow', () => {
    expect(findJsonSyntaxError('['.repeat(1_000_000))).toMatchObject({ line: 1, column: 1_000_001 });
    expect(findJsonSyntaxError(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toBeUndefined();
  });

  it('agrees with JSON.parse on 20,000 mutations of a question set', () => {
    const base = JSON.stringify({ name: 'backend', lang: 'ja', followUps: 2, scale: { min: 0, max: 10 }, questions: ['自己紹介を', { text: 'Why "us"?\\', timeLimit: 90.5, rubric: null, ok: [true, false, -0.5e-3] }] }, null, 2);
    const alphabet = '{}[]",:\\ \n\r\t0123456789-+.eEtrufalsn\u00e9u\'x';
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    let invalid = 0;
    for (let k = 0; k < 20_000; k++) {
      let text = base;
      for (let m = 1 + rand(3); m > 0; m--) {
        const at = rand(text.length + 1);
        const ch = alphabet[rand(alphabet.length)]!;
        const op = rand(3);
        text = op === 0 ? text.slice(0, at) + text.slice(at + 1) : op === 1 ? text.slice(0, at) + ch + text.slice(at) : text.slice(0, at) + ch + text.slice(at + 1);
      }
      let parses = true;
      try {
        JSON.parse(text);
      } catch {
        parses = false;
        invalid++;
      }
      expect(findJsonSyntaxError(text) === undefined, JSON.stringify(text)).toBe(parses);
    }
    expect(invalid).toBeGreaterThan(10_000);
  });
});
