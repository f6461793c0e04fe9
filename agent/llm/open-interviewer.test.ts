import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript test helper
import { startLlmStandIn } from '../../test/stack/llm-stand-in.mjs';
import { openInterviewer } from './open-interviewer.js';

const llm = (baseUrl: string) => ({ llm: { baseUrl, model: 'stand-in-model', apiKey: 'k', timeoutMs: 1000 } });

describe('openInterviewer: the mode an interview runs in', () => {
  it('runs scripted, with the reason, when the endpoint is unreachable at the start (the interview does not fail)', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    await new Promise((r) => s.close(r));
    const it = await openInterviewer(llm(`http://127.0.0.1:${port}/v1`), { speechToText: true, lang: 'en' });
    expect(it.brain).toBeUndefined();
    expect(it.mode).toEqual({ mode: 'scripted', reason: `LLM unavailable: http://127.0.0.1:${port}/v1 is unreachable (ECONNREFUSED)` });
  });

  it('runs scripted without speech-to-text, and llm with both', async () => {
    const standIn = await startLlmStandIn({ apiKey: 'k' });
    try {
      expect((await openInterviewer(llm(standIn.url), { speechToText: false, lang: 'en' })).mode.mode).toBe('scripted');
      const on = await openInterviewer(llm(standIn.url), { speechToText: true, lang: 'en', context: 'Remote role.' });
      expect(on.mode).toEqual({ mode: 'llm', model: 'stand-in-model' });
      expect(on.brain).toBeDefined();
      await on.close();
    } finally {
      await standIn.stop();
    }
    // Loading the OpenAI plugin takes seconds on a busy machine.
  }, 60_000);
});
