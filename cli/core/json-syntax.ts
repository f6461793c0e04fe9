/** Where a JSON text stops being JSON, for a person fixing it in an editor. */
export interface JsonSyntaxProblem {
  /** 1-based line (a line ends at LF; a CR before it belongs to that line). */
  line: number;
  /** 1-based column, in characters (code points) from the start of the line. */
  column: number;
  /** What is wrong there, naming at most one character of the text, never a stretch of it. */
  reason: string;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WS = new Set([' ', '\t', '\n', '\r']);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

/**
 * The first syntax error in `text` as JSON (RFC 8259), or undefined when JSON.parse accepts it.
 * JSON.parse's own messages give no line or column, and in Node 20 often no position at all but
 * an excerpt of the text (which may be anything); this scanner says where and what. It keeps its
 * own stack, so nesting a million deep costs memory, not the call stack.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxProblem | undefined {
  const at = scanJson(text);
  return at === undefined ? undefined : { ...lineAndColumn(text, at.offset), reason: at.reason };
}

function scanJson(text: string): { offset: number; reason: string } | undefined {
  const n = text.length;
  const open: string[] = [];
  let mode: 'value' | 'key' | 'after' = 'value';
  let i = 0;
  const skipSpace = () => {
    while (i < n && WS.has(text[i]!)) i++;
  };
  const found = (offset: number) => (offset >= n ? 'the end of the file' : describeChar(text, offset));
  for (;;) {
    skipSpace();
    if (mode === 'after' && open.length === 0) {
      return i < n ? { offset: i, reason: `unexpected ${found(i)} after the end of the JSON document` } : undefined;
    }
    if (i >= n) {
      if (open.length === 0) return { offset: i, reason: 'no JSON value (the file is empty)' };
      return { offset: i, reason: `the file ends before the closing "${open[open.length - 1] === '{' ? '}' : ']'}"` };
    }
    const c = text[i]!;
    if (mode === 'after') {
      const close = open[open.length - 1] === '{' ? '}' : ']';
      if (c === ',') {
        i++;
        mode = close === '}' ? 'key' : 'value';
      } else if (c === close) {
        open.pop();
        i++;
      } else return { offset: i, reason: `expected "," or "${close}" but found ${found(i)}${/["{[\d\-tfn]/.test(c) ? ' (is a comma missing?)' : ''}` };
      continue;
    }
    if (mode === 'key') {
      if (c === '}') return { offset: i, reason: 'a comma before "}" (JSON allows no trailing comma)' };
      if (c !== '"') return { offset: i, reason: `expected a property name in double quotes but found ${found(i)}` };
      const end = scanString(text, i);
      if (typeof end !== 'number') return end;
      i = end;
      skipSpace();
      if (text[i] !== ':') return { offset: i, reason: `expected ":" after the property name but found ${found(i)}` };
      i++;
      mode = 'value';
      continue;
    }
    if (c === '{' || c === '[') {
      i++;
      skipSpace();
      if (text[i] === (c === '{' ? '}' : ']')) {
        i++;
        mode = 'after';
      } else {
        open.push(c);
        mode = c === '{' ? 'key' : 'value';
      }
      continue;
    }
    mode = 'after';
    if (c === '"') {
      const end = scanString(text, i);
      if (typeof end !== 'number') return end;
      i = end;
      continue;
    }
    NUMBER.lastIndex = i;
    if (NUMBER.test(text)) {
      i = NUMBER.lastIndex;
      continue;
    }
    const literal = ['true', 'false', 'null'].find((l) => text.startsWith(l, i));
    if (literal) {
      i += literal.length;
      continue;
    }
    if (c === ']' && open[open.length - 1] === '[') return { offset: i, reason: 'a comma before "]" (JSON allows no trailing comma)' };
    return { offset: i, reason: `expected a value but found ${found(i)}${c === "'" ? ' (JSON strings take double quotes)' : ''}` };
  }
}

/** The offset just past the string opening at `start`, or what is wrong with it. */
function scanString(text: string, start: number): number | { offset: number; reason: string } {
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') return i + 1;
    if (c === '\\') {
      const e = text[i + 1];
      if (e === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return { offset: i, reason: 'a "\\u" escape without four hex digits' };
        i += 5;
      } else if (e !== undefined && ESCAPES.has(e)) i++;
      else return { offset: i, reason: `an unknown escape in a string ("\\" before ${e === undefined ? 'the end of the file' : describeChar(text, i + 1)})` };
    } else if (c < ' ') {
      return { offset: i, reason: c === '\n' || c === '\r' ? 'a line break inside a string (write it as \\n)' : `a control character (${codePoint(c)}) inside a string` };
    }
  }
  return { offset: start, reason: 'a string that is never closed' };
}

function describeChar(text: string, offset: number): string {
  const ch = String.fromCodePoint(text.codePointAt(offset)!);
  if (ch === '"') return `'"'`;
  return /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(ch) ? JSON.stringify(ch) : codePoint(ch);
}

const codePoint = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: [...text.slice(lineStart, offset)].length + 1 };
}
