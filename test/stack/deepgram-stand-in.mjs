// A local STAND-IN for Deepgram's streaming APIs, so tests exercise interviewctl's Deepgram
// integration (through @livekit/agents-plugin-deepgram) without reaching Deepgram. It is not
// Deepgram: it speaks the same wire protocol, with canned words and a synthetic voice.
//
//   GET /v1/listen (WebSocket): binary linear16 audio in; JSON out — {"type":"SpeechStarted"} when
//     the audio gets loud, {"type":"Results", is_final, speech_final, channel.alternatives[0]
//     .transcript/words/confidence, metadata.request_id, start, duration} after ~600 ms (endpointingMs) of quiet
//     following speech, and on {"type":"Finalize"} / {"type":"CloseStream"}. KeepAlive is accepted.
//   GET /v1/speak (WebSocket): {"type":"Speak","text"} accumulates text; {"type":"Flush"} answers
//     with binary linear16 audio (a voiced buzz, 55 ms per character) then {"type":"Flushed"};
//     {"type":"Close"} closes.
//
// Every connection is recorded (path, query, Authorization header, texts) for assertions.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

/**
 * `transcripts` are what the test's audio says, one per stretch of speech, in order (a stretch ends
 * after `endpointingMs` of quiet); the stand-in cannot recognise words, so each test says what its
 * WAVs say. `heard` lists what was handed out.
 * @param {{ port?: number, transcripts?: string[], apiKey?: string, endpointingMs?: number }} [opts]
 * @returns {Promise<{ url: string, port: number, connections: object[], spoken: string[], heard: string[], stop(): Promise<void> }>}
 */
export async function startDeepgramStandIn({ port = 0, transcripts = ['this is the stand-in transcript'], apiKey, endpointingMs = 600 } = {}) {
  const connections = [];
  const spoken = [];
  const heard = [];
  const server = createServer((req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ err_code: 'NOT_FOUND', err_msg: 'the Deepgram stand-in serves /v1/listen and /v1/speak over WebSocket only' }));
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const auth = req.headers.authorization ?? '';
    if (apiKey !== undefined && auth !== `Token ${apiKey}`) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    if (url.pathname !== '/v1/listen' && url.pathname !== '/v1/speak') {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const record = { path: url.pathname, query: Object.fromEntries(url.searchParams), authorization: auth, messages: [] };
      connections.push(record);
      if (url.pathname === '/v1/listen') listen(ws, url.searchParams, record);
      else speak(ws, url.searchParams, record);
    });
  });

  let nextTranscript = 0;
  function listen(ws, params, record) {
    const rate = Number(params.get('sample_rate') ?? 16000);
    const requestId = `stand-in-${Math.random().toString(16).slice(2)}`;
    let samples = 0;
    let speechStart = -1;
    let lastLoud = -1;
    const send = (msg) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(msg));
    const finish = () => {
      if (speechStart < 0) return;
      const text = transcripts[nextTranscript++ % transcripts.length];
      heard.push(text);
      const start = speechStart / rate;
      const end = Math.max(start + 0.1, lastLoud / rate);
      const words = text.split(/\s+/);
      const step = (end - start) / words.length;
      send({
        type: 'Results',
        channel_index: [0, 1],
        duration: end - start,
        start,
        is_final: true,
        speech_final: true,
        from_finalize: false,
        channel: {
          alternatives: [
            {
              transcript: text,
              confidence: 0.99,
              words: words.map((w, i) => ({ word: w, punctuated_word: w, start: start + i * step, end: start + (i + 1) * step, confidence: 0.99 })),
            },
          ],
        },
        metadata: { request_id: requestId, model_info: { name: 'stand-in', version: '0', arch: 'stand-in' }, model_uuid: '00000000-0000-0000-0000-000000000000' },
      });
      speechStart = -1;
    };
    ws.on('message', (data, isBinary) => {
      if (!isBinary) {
        const msg = JSON.parse(data.toString());
        record.messages.push(msg.type);
        if (msg.type === 'Finalize') finish();
        if (msg.type === 'CloseStream') {
          finish();
          ws.close(1000);
        }
        return;
      }
      const buf = Buffer.from(data);
      const pcm = new Int16Array(buf.buffer, buf.byteOffset, Math.floor(buf.byteLength / 2));
      let sum = 0;
      for (const s of pcm) sum += s * s;
      const loud = pcm.length > 0 && Math.sqrt(sum / pcm.length) > 500;
      if (loud) {
        if (speechStart < 0) {
          speechStart = samples;
          send({ type: 'SpeechStarted', channel: [0], timestamp: samples / rate });
        }
        lastLoud = samples + pcm.length;
      } else if (speechStart >= 0 && samples - lastLoud > (endpointingMs / 1000) * rate) {
        finish();
      }
      samples += pcm.length;
    });
  }

  function speak(ws, params, record) {
    const rate = Number(params.get('sample_rate') ?? 24000);
    let text = '';
    let sequence = 0;
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      record.messages.push(msg.type);
      if (msg.type === 'Speak') text += msg.text;
      else if (msg.type === 'Flush') {
        const said = text.trim();
        spoken.push(said);
        text = '';
        const pcm = buzz(rate, Math.max(0.3, said.length * 0.055));
        const chunk = Math.floor(rate / 10) * 2;
        const bytes = Buffer.from(pcm.buffer);
        for (let at = 0; at < bytes.length; at += chunk) ws.send(bytes.subarray(at, at + chunk));
        ws.send(JSON.stringify({ type: 'Flushed', sequence_id: sequence++ }));
      } else if (msg.type === 'Close') ws.close(1000);
    });
  }

  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = server.address().port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    connections,
    spoken,
    heard,
    async stop() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A voiced buzz (150 Hz with harmonics, gently modulated) that any VAD or level meter hears as speech. */
function buzz(rate, seconds) {
  const n = Math.floor(rate * seconds);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const env = Math.min(1, t / 0.02, (seconds - t) / 0.02) * (0.6 + 0.4 * Math.sin(2 * Math.PI * 4 * t));
    const v = Math.sin(2 * Math.PI * 150 * t) + 0.5 * Math.sin(2 * Math.PI * 300 * t) + 0.25 * Math.sin(2 * Math.PI * 450 * t);
    out[i] = Math.round(9000 * env * v);
  }
  return out;
}
