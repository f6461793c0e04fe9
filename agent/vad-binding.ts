import { createRequire } from 'node:module';
import { ConfigError } from '../cli/core/errors.js';

/**
 * The voice activity detector is agents-js's native Silero (@livekit/local-inference). Without its
 * binding (musl, `npm ci --omit=optional`, another platform) agents-js only warns and hands out
 * streams that hear nothing, so answers would never end on silence: refuse to start instead.
 */
export function assertVadBinding(): void {
  try {
    createRequire(import.meta.url)('@livekit/local-inference');
  } catch (err) {
    throw new ConfigError([
      `voice activity detection: @livekit/local-inference cannot load (${(err as Error).message.split('\n')[0]}); the agent runs on glibc Linux (x64, arm64), macOS or Windows x64, with npm's optional dependencies installed`,
    ]);
  }
}
