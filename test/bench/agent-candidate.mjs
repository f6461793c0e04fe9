// The synthetic candidate of bench:agent is the one `interviewctl loadtest` uses
// (cli/adapters/livekit/synthetic-candidate.ts, compiled into dist/); this file adds the answer
// made with Debian's espeak-ng and sox, which the bench has always used.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './live.mjs';

const candidate = await import(join(ROOT, 'dist/cli/adapters/livekit/synthetic-candidate.js'));
// This process holds every synthetic candidate; one late handle free must not end the run.
const { tolerateLateHandleDrops } = await import(join(ROOT, 'dist/cli/adapters/livekit/rtc-handle-guard.js'));
tolerateLateHandleDrops((count) => {
  if (count === 1) process.stderr.write('bench: rtc-node freed a handle that was already gone (ignored)\n');
});
export const { runCandidate, makeVideoLoop, dbfs, LOUD_DBFS, CANDIDATE_SAMPLE_RATE: SAMPLE_RATE, SYNTHETIC_CAMERA } = candidate;

/**
 * Speech as 48 kHz mono PCM16, made with Debian's espeak-ng and sox, cut to its voiced part so
 * "the end of the answer" is the last voiced sample.
 */
export function makeSpeechPcm(text, path) {
  const wav = `${path}.wav`;
  const speak = spawnSync('espeak-ng', ['-v', 'en-us', '-s', '165', '-w', wav, text], { encoding: 'utf8' });
  if (speak.status !== 0) throw new Error(`espeak-ng failed: ${speak.stderr || speak.error?.message}`);
  const sox = spawnSync('sox', [wav, '-r', String(SAMPLE_RATE), '-c', '1', '-b', '16', '-e', 'signed-integer', '-t', 'raw', path], { encoding: 'utf8' });
  if (sox.status !== 0) throw new Error(`sox failed: ${sox.stderr || sox.error?.message}`);
  rmSync(wav, { force: true });
  const buf = readFileSync(path);
  return candidate.voicedPart(new Int16Array(buf.buffer, buf.byteOffset, buf.byteLength >> 1));
}
