// Chromium for the live tests, driven by playwright-core, with a fake camera (a moving test
// pattern) and a fake microphone that plays a spoken WAV.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumBin } from './paths.mjs';
import { childPids, recordProcess } from './process.mjs';

/** The flags STACK.md verified, minus --headless (playwright adds it), plus no proxy. */
export function chromiumArgs({ fakeAudioWav } = {}) {
  const args = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--no-proxy-server',
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    '--allow-loopback-in-peer-connection',
    '--disable-features=WebRtcHideLocalIpsWithMdns',
    '--autoplay-policy=no-user-gesture-required',
  ];
  if (fakeAudioWav) args.push(`--use-file-for-fake-audio-capture=${fakeAudioWav}`);
  return args;
}

/**
 * Writes `text` as speech to `outPath`: 22.05 kHz mono PCM16, the format Chromium's fake capture
 * reads. espeak-ng speaks, sox pins the format and adds `padSeconds` of silence after the speech.
 */
export function makeSpeechWav(text, outPath, { padSeconds = 1, voice = 'en-us', wordsPerMinute = 160 } = {}) {
  mkdirSync(dirname(outPath), { recursive: true });
  const raw = `${outPath}.espeak.wav`;
  const speak = spawnSync('espeak-ng', ['-v', voice, '-s', String(wordsPerMinute), '-w', raw, text], { encoding: 'utf8' });
  if (speak.status !== 0) throw new Error(`espeak-ng failed: ${speak.stderr || speak.error?.message}`);
  const tmp = `${outPath}.tmp.wav`;
  const sox = spawnSync('sox', [raw, '-r', '22050', '-c', '1', '-b', '16', '-e', 'signed-integer', tmp, 'pad', '0', String(padSeconds)], { encoding: 'utf8' });
  if (sox.status !== 0) throw new Error(`sox failed: ${sox.stderr || sox.error?.message}`);
  renameSync(tmp, outPath);
  spawnSync('rm', ['-f', raw]);
  return outPath;
}

/**
 * Launches headless Chromium. The browser process is recorded in the e2e ledger so the runner can
 * stop it by PID if the test process dies before `browser.close()`.
 * @returns {Promise<import('playwright-core').Browser>}
 */
export async function launchChromium({ fakeAudioWav, extraArgs = [], executablePath = chromiumBin } = {}) {
  if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}; run npm run setup:stack`);
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [...chromiumArgs({ fakeAudioWav }), ...extraArgs],
    timeout: 60_000,
  });
  // playwright-core does not expose the browser's pid; find our chromium child by its parent pid.
  for (const pid of childPids(process.pid, executablePath)) recordProcess(pid);
  return browser;
}
