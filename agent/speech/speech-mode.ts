import type { stt as sttNs, tts as ttsNs } from '@livekit/agents';
import type { Lang } from '../../cli/core/lang.js';
import type { Settings } from '../../cli/settings.js';
import { createDeepgramSynthesizer, createEspeakSynthesizer, DEEPGRAM_VOICE, SPEECH_SAMPLE_RATE, type Synthesizer } from './synthesizers.js';

export interface Speech {
  /** 'deepgram' or 'offline'. */
  mode: 'deepgram' | 'offline';
  synth: Synthesizer;
  stt?: sttNs.STT;
  /** Streaming TTS for what a model says, sentence by sentence (Deepgram only). */
  tts?: ttsNs.TTS;
  close(): Promise<void>;
}

/** Which speech the agent runs with: Deepgram when DEEPGRAM_API_KEY is set, else offline. */
export function speechModeOf(settings: Pick<Settings, 'deepgram'>): Speech['mode'] {
  return settings.deepgram.apiKey ? 'deepgram' : 'offline';
}

/**
 * Deepgram STT + TTS (DEEPGRAM_BASE_URL honoured), or offline: espeak-ng WASM voice and answers
 * kept as audio without text. The agents logger must be initialised before Deepgram's constructors.
 */
export async function openSpeech(settings: Pick<Settings, 'deepgram'>, lang: Lang): Promise<Speech> {
  const { apiKey, baseUrl } = settings.deepgram;
  if (!apiKey) {
    const synth = await createEspeakSynthesizer();
    return { mode: 'offline', synth, close: () => synth.close() };
  }
  const deepgram = await import('@livekit/agents-plugin-deepgram');
  const synth = await createDeepgramSynthesizer({ apiKey, baseUrl: baseUrl?.replace(/^ws/, 'http') });
  const stt = new deepgram.STT({
    apiKey,
    model: 'nova-3',
    language: lang === 'ja' ? 'ja' : 'en-US',
    interimResults: false,
    ...(baseUrl ? { baseUrl: baseUrl.replace(/^http/, 'ws') } : {}),
  });
  const tts = new deepgram.TTS({ apiKey, model: DEEPGRAM_VOICE[lang], sampleRate: SPEECH_SAMPLE_RATE, ...(baseUrl ? { baseUrl: baseUrl.replace(/^ws/, 'http') } : {}) });
  return {
    mode: 'deepgram',
    synth,
    stt,
    tts,
    close: async () => {
      await synth.close();
      await stt.close();
      await tts.close();
    },
  };
}
