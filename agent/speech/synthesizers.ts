import { Worker } from 'node:worker_threads';
import { AudioFrame, AudioResampler } from '@livekit/rtc-node';
import type { Lang } from '../../cli/core/lang.js';

/** Everything the agent says is made into 48 kHz mono PCM before it is played. */
export const SPEECH_SAMPLE_RATE = 48_000;

export interface Synthesizer {
  /** 'espeak-ng (offline)' or 'deepgram'. */
  label: string;
  synthesize(text: string, lang: Lang): Promise<Int16Array>;
  close(): Promise<void>;
}

/** Resamples mono PCM to 48 kHz with LiveKit's resampler. */
export function resampleTo48k(pcm: Int16Array, rate: number): Int16Array {
  if (rate === SPEECH_SAMPLE_RATE) return pcm;
  const r = new AudioResampler(rate, SPEECH_SAMPLE_RATE, 1);
  const frames = [...r.push(new AudioFrame(pcm, rate, 1, pcm.length)), ...r.flush()];
  r.close();
  const out = new Int16Array(frames.reduce((n, f) => n + f.samplesPerChannel, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f.data.subarray(0, f.samplesPerChannel), at);
    at += f.samplesPerChannel;
  }
  return out;
}

/** The PCM16 samples and rate of a RIFF/WAVE file (mono expected). */
export function parseWav(wav: Uint8Array): { pcm: Int16Array; sampleRate: number } {
  const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  let at = 12;
  let sampleRate = 22_050;
  while (at + 8 <= wav.byteLength) {
    const id = String.fromCharCode(wav[at]!, wav[at + 1]!, wav[at + 2]!, wav[at + 3]!);
    let size = view.getUint32(at + 4, true);
    if (id === 'fmt ') sampleRate = view.getUint32(at + 12, true);
    if (id === 'data') {
      // espeak-ng writes 0x7fffffff-ish sizes when it streams; trust the file length instead.
      size = Math.min(size, wav.byteLength - at - 8);
      const bytes = wav.slice(at + 8, at + 8 + (size & ~1));
      return { pcm: new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2), sampleRate };
    }
    at += 8 + size + (size & 1);
  }
  throw new Error('no data chunk in WAV');
}

const ESPEAK_VOICE: Record<Lang, string> = { en: 'en-us', ja: 'ja' };

/**
 * Offline speech from the espeak-ng WASM build (22.05 kHz mono), resampled to 48 kHz. The WASM
 * module is compiled once; each utterance runs a fresh instance of the espeak-ng CLI in it.
 */
let thread: Worker | undefined;

/** Starts the espeak-ng thread (it compiles the WASM at once); job processes do it while prewarming. */
export function preloadEspeak(): Worker {
  if (!thread) {
    thread = new Worker(new URL('./espeak-thread.js', import.meta.url));
    thread.unref();
  }
  return thread;
}

/**
 * Offline speech from the espeak-ng WASM build (22.05 kHz mono), resampled to 48 kHz. Synthesis
 * runs in a worker thread so the job's event loop keeps playing audio meanwhile.
 */
export async function createEspeakSynthesizer(): Promise<Synthesizer> {
  const worker = preloadEspeak();
  let next = 0;
  const pending = new Map<number, { resolve(wav: Uint8Array): void; reject(err: Error): void }>();
  const onMessage = (msg: { id: number; wav?: Uint8Array; error?: string }) => {
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.wav) p.resolve(msg.wav);
    else p.reject(new Error(`espeak-ng: ${msg.error}`));
  };
  worker.on('message', onMessage);
  return {
    label: 'espeak-ng (offline)',
    async synthesize(text, lang) {
      const id = ++next;
      const wav = await new Promise<Uint8Array>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, voice: ESPEAK_VOICE[lang], text });
      });
      const { pcm, sampleRate } = parseWav(wav);
      return resampleTo48k(pcm, sampleRate);
    },
    async close() {
      worker.off('message', onMessage);
    },
  };
}

export const DEEPGRAM_VOICE: Record<Lang, string> = { en: 'aura-2-thalia-en', ja: 'aura-2-izanami-ja' };

/** Deepgram TTS over its streaming WebSocket API (the one that honours DEEPGRAM_BASE_URL). */
export async function createDeepgramSynthesizer(opts: { apiKey: string; baseUrl?: string }): Promise<Synthesizer> {
  const deepgram = await import('@livekit/agents-plugin-deepgram');
  const { tts } = await import('@livekit/agents');
  const engines = new Map<Lang, InstanceType<typeof deepgram.TTS>>();
  const engine = (lang: Lang) => {
    let e = engines.get(lang);
    if (!e) {
      e = new deepgram.TTS({ apiKey: opts.apiKey, model: DEEPGRAM_VOICE[lang], sampleRate: SPEECH_SAMPLE_RATE, ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}) });
      engines.set(lang, e);
    }
    return e;
  };
  return {
    label: 'deepgram',
    async synthesize(text, lang) {
      const stream = engine(lang).stream();
      stream.pushText(text);
      stream.flush();
      stream.endInput();
      const parts: Int16Array[] = [];
      try {
        for await (const ev of stream) {
          if (ev === tts.SynthesizeStream.END_OF_STREAM) break;
          parts.push(resampleTo48k(ev.frame.data.subarray(0, ev.frame.samplesPerChannel * ev.frame.channels), ev.frame.sampleRate));
        }
      } finally {
        stream.close();
      }
      const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      return out;
    },
    async close() {
      await Promise.all([...engines.values()].map((e) => e.close()));
    },
  };
}
