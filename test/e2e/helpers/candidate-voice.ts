// A candidate who speaks when the test says so. Chromium's fake microphone loops one WAV all the
// time, so it talks over the interviewer and cannot answer turn by turn. This replaces the
// page's microphone (getUserMedia's audio) with a WebAudio stream that is silent until the test
// plays a WAV into it; the camera stays Chromium's fake one. The page, LiveKit and the agent see
// an ordinary microphone track.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

declare global {
  interface Window {
    __candidateSay?: (wavBase64: string) => Promise<number>;
  }
}

/** Installs the controllable microphone; call before the page's first navigation. */
export async function installCandidateVoice(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const media = navigator.mediaDevices;
    const original = media.getUserMedia.bind(media);
    let ctx: AudioContext | undefined;
    let dest: MediaStreamAudioDestinationNode | undefined;
    const voice = () => {
      if (!ctx) {
        ctx = new AudioContext({ sampleRate: 48_000 });
        dest = ctx.createMediaStreamDestination();
      }
      void ctx.resume();
      return { ctx, dest: dest! };
    };
    media.getUserMedia = async (constraints?: MediaStreamConstraints) => {
      const out = new MediaStream();
      if (constraints?.video) for (const t of (await original({ video: constraints.video })).getVideoTracks()) out.addTrack(t);
      if (constraints?.audio) out.addTrack(voice().dest.stream.getAudioTracks()[0]!.clone());
      return out;
    };
    window.__candidateSay = async (wavBase64: string) => {
      const { ctx: c, dest: d } = voice();
      const bytes = Uint8Array.from(atob(wavBase64), (ch) => ch.charCodeAt(0));
      const buffer = await c.decodeAudioData(bytes.buffer);
      const src = c.createBufferSource();
      src.buffer = buffer;
      src.connect(d);
      await new Promise<void>((resolve) => {
        src.onended = () => resolve();
        src.start();
      });
      return buffer.duration;
    };
  });
}

/** Plays a WAV as the candidate's voice and resolves when it has been said (its length in s). */
export async function candidateSays(page: Page, wavPath: string): Promise<number> {
  const b64 = readFileSync(wavPath).toString('base64');
  return page.evaluate((data) => window.__candidateSay!(data), b64);
}
