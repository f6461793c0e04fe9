import type { stt as sttNs } from '@livekit/agents';
import type { Lang } from '../../cli/core/lang.js';
import type { Settings } from '../../cli/settings.js';
import { createDeepgramSynthesizer, createEspeakSynthesizer, type Synthesizer } from './synthesizers.js';

export interface Speech {
  /** 'deepgram' or 'offline'. */
  mode: 'deepgram' | 'offline';
  synth: Synthesizer;
  stt?: sttNs.STT;
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
  return {
    mode: 'deepgram',
    synth,
    stt,
    close: async () => {
      await synth.close();
      await stt.close();
    },
  };
}
