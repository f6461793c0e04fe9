// A local STAND-IN for an OpenAI-compatible Chat Completions endpoint, so tests exercise
// interviewctl's LLM integration (the interviewer through @livekit/agents-plugin-openai, the
// evaluator through the `openai` package) without reaching a model. It is not a model: each test
// scripts what it answers. It speaks the real wire protocol:
//
//   POST /v1/chat/completions  {model, messages, stream?, tools?, response_format?, ...}
//     stream: false → one `chat.completion` JSON body (choices[0].message.content / tool_calls, usage)
//     stream: true  → `text/event-stream`: `data: {chat.completion.chunk}` lines (a role delta, content
//                     deltas, tool_call deltas, a finish_reason chunk, a usage chunk when
//                     stream_options.include_usage), then `data: [DONE]`
//   GET  /v1/models            the configured model ids
//
// A reply is chosen by `respond(request, index)` (or taken in turn from `replies`), and may be:
//   'text'                                  the content, streamed in word-sized chunks
//   { text, firstTokenMs, chunkMs }         with a delay before the first token and between chunks
//   { toolCalls: [{ name, arguments }] }    function calls (arguments an object or a raw string)
//   { stall: true }                         headers sent, then nothing until the client gives up
//   { hang: true }                          not even headers: the request just hangs
//   { status, body }                        an HTTP error (body: object → JSON, string → as is)
//   { raw: 'not json' }                     a 200 whose body (or stream) is garbage
//   { empty: true }                         a completion with empty content
// Every request is recorded (headers, parsed body, when it arrived, whether the client hung up) so
// tests can assert what the model was given, e.g. that a candidate's email never reached it.
import { createServer } from 'node:http';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @typedef {string | { text?: string, firstTokenMs?: number, chunkMs?: number, toolCalls?: {name: string, arguments: unknown}[],
 *   stall?: boolean, hang?: boolean, status?: number, body?: unknown, raw?: string, empty?: boolean }} StandInReply
 * @param {{ port?: number, host?: string, models?: string[], apiKey?: string,
 *   replies?: StandInReply[], respond?: (req: {body: any, headers: object}, index: number) => StandInReply | Promise<StandInReply> }} [opts]
 */
export async function startLlmStandIn({ port = 0, host = '127.0.0.1', models = ['stand-in-model'], apiKey, replies = [], respond } = {}) {
  /** @type {{ at: number, headers: object, body: any, aborted: boolean, reply?: StandInReply }[]} */
  const requests = [];
  const sockets = new Set();
  let fallback = 0;

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    if (apiKey !== undefined && req.headers.authorization !== `Bearer ${apiKey}`) {
      return json(res, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } });
    }
    if (req.method === 'GET' && url.pathname.replace(/^\/v1/, '') === '/models') {
      return json(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'stand-in' })) });
    }
    if (req.method !== 'POST' || url.pathname.replace(/^\/v1/, '') !== '/chat/completions') {
      return json(res, 404, { error: { message: `the LLM stand-in serves POST /v1/chat/completions and GET /v1/models, not ${req.method} ${url.pathname}` } });
    }
    let body;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return json(res, 400, { error: { message: 'body is not JSON', type: 'invalid_request_error' } });
    }
    const record = { at: Date.now(), headers: req.headers, body, aborted: false };
    requests.push(record);
    res.on('close', () => {
      if (!res.writableFinished) record.aborted = true;
    });
    const index = requests.length - 1;
    const reply = respond ? await respond({ body, headers: req.headers }, index) : replies[fallback++] ?? replies[replies.length - 1] ?? 'OK.';
    record.reply = reply;
    await answer(res, body, normalise(reply), () => record.aborted);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    /** Base URL as OpenAI clients take it (`…/v1`). */
    url: `http://${host}:${address.port}/v1`,
    port: address.port,
    requests,
    /** The user-visible text of every message sent to the model, joined, for "never saw X" checks. */
    seenText: () => requests.map((r) => JSON.stringify(r.body.messages ?? [])).join('\n'),
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}

function normalise(reply) {
  return typeof reply === 'string' ? { text: reply } : reply ?? { text: '' };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res, status, obj) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(typeof obj === 'string' ? obj : JSON.stringify(obj));
}

async function answer(res, body, reply, gone) {
  const id = `chatcmpl-standin-${Math.random().toString(36).slice(2, 10)}`;
  const created = Math.floor(Date.now() / 1000);
  const model = body.model ?? 'stand-in-model';
  if (reply.status !== undefined) return json(res, reply.status, reply.body ?? { error: { message: 'stand-in error', type: 'server_error' } });
  if (reply.hang) return; // the client's timeout or abort ends it
  if (reply.stall) {
    res.writeHead(200, { 'content-type': body.stream ? 'text/event-stream' : 'application/json' });
    res.flushHeaders();
    return; // never answers; the client's timeout or abort ends it
  }
  const text = reply.empty ? '' : reply.text ?? '';
  const toolCalls = (reply.toolCalls ?? []).map((t, i) => ({
    index: i,
    id: `call_standin_${i}`,
    type: 'function',
    function: { name: t.name, arguments: typeof t.arguments === 'string' ? t.arguments : JSON.stringify(t.arguments ?? {}) },
  }));
  const usage = { prompt_tokens: JSON.stringify(body.messages ?? []).length >> 2, completion_tokens: text.length >> 2, total_tokens: 0 };
  usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
  if (reply.firstTokenMs) await sleep(reply.firstTokenMs);
  if (gone()) return;

  if (!body.stream) {
    if (reply.raw !== undefined) return json(res, 200, reply.raw);
    const message = { role: 'assistant', content: toolCalls.length ? null : text };
    if (toolCalls.length) message.tool_calls = toolCalls.map(({ index, ...t }) => t);
    return json(res, 200, {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [{ index: 0, message, finish_reason: toolCalls.length ? 'tool_calls' : 'stop', logprobs: null }],
      usage,
    });
  }

  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const send = (obj) => res.write(`data: ${typeof obj === 'string' ? obj : JSON.stringify(obj)}\n\n`);
  const chunk = (delta, finish = null) => ({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] });
  if (reply.raw !== undefined) {
    send(reply.raw);
    return res.end();
  }
  send(chunk({ role: 'assistant', content: '' }));
  // Word-sized pieces, the way real servers stream tokens.
  for (const piece of text.match(/\S+\s*|\s+/g) ?? []) {
    if (gone()) return;
    send(chunk({ content: piece }));
    if (reply.chunkMs) await sleep(reply.chunkMs);
  }
  for (const call of toolCalls) send(chunk({ tool_calls: [call] }));
  send(chunk({}, toolCalls.length ? 'tool_calls' : 'stop'));
  if (body.stream_options?.include_usage) send({ id, object: 'chat.completion.chunk', created, model, choices: [], usage });
  send('[DONE]');
  res.end();
}
