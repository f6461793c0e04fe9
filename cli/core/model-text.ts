/**
 * What a model wrote for us, without its reasoning. Reasoning models served through
 * OpenAI-compatible endpoints (Ollama, llama.cpp, vLLM without a reasoning parser, LM Studio)
 * write their thinking into the reply's content, inside `<think>…</think>` (or `<thinking>`,
 * `<reasoning>`); some chat templates open the block themselves, so the reply starts inside it and
 * only its `</think>` shows. None of it is ever spoken, stored as an answer or parsed as JSON.
 * agents-js's LLM stream (the interviewer's) drops exact `<think>…</think>` blocks itself; this
 * covers the forms it lets through and the evaluator's replies, which do not go through it.
 */
const TAG_NAMES = ['think', 'thinking', 'reasoning', 'thought'];
const TAGS = TAG_NAMES.join('|');
const OPEN = new RegExp(`<(${TAGS})\\s*>`, 'i');
const STRAY_CLOSE = new RegExp(`^[\\s\\S]*?</(?:${TAGS})\\s*>`, 'i');

/**
 * The reply without its reasoning blocks. A block still open at the end (a stream in the middle
 * of its thinking) hides everything after its tag. An opening tag cut in the middle by the stream
 * ("<thi") is held back too, so that no piece of it is spoken.
 */
export function visibleText(raw: string): string {
  let text = raw;
  // A template that opened the block itself: everything up to the first closing tag is thinking,
  // unless an opening tag comes first.
  const stray = STRAY_CLOSE.exec(text);
  if (stray && !OPEN.test(stray[0])) {
    text = text.slice(stray[0].length);
  }
  for (;;) {
    const open = OPEN.exec(text);
    if (!open) break;
    const closeRe = new RegExp(`</${open[1]}\\s*>`, 'i');
    const rest = text.slice(open.index + open[0].length);
    const close = closeRe.exec(rest);
    if (!close) return text.slice(0, open.index);
    text = text.slice(0, open.index) + rest.slice(close.index + close[0].length);
  }
  // "<", "<th", "</thin" at the very end may be a tag the next piece completes.
  const lt = text.lastIndexOf('<');
  if (lt >= 0) {
    const tail = text.slice(lt).toLowerCase();
    if (TAG_NAMES.some((t) => `<${t}>`.startsWith(tail) || `</${t}>`.startsWith(tail))) text = text.slice(0, lt);
  }
  return text;
}

/**
 * The JSON object in a model's reply to a structured-output request, for endpoints that ignore
 * `response_format`: reasoning removed, a markdown code fence or prose around the object dropped.
 * Undefined when there is no object to parse; the caller's schema still decides whether it fits.
 */
export function jsonFromModel(raw: string): unknown {
  // A reply that is JSON as it stands is taken as it stands: a "<think>" inside one of its strings
  // (a rationale naming the tag) is text, not a block to cut out of it.
  for (const text of [raw.trim(), visibleText(raw).trim()]) {
    try {
      return JSON.parse(text);
    } catch {
      // Fall through: reasoning, a fence or a sentence around the object.
    }
  }
  const text = visibleText(raw).trim();
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
  const candidates = [fenced?.[1], text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)];
  for (const c of candidates) {
    if (!c || !c.trim().startsWith('{')) continue;
    try {
      return JSON.parse(c);
    } catch {
      // Try the next reading.
    }
  }
  return undefined;
}
