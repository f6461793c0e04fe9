import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { UnavailableError } from '../../core/errors.js';
import { cachedBinDir } from './server-build.js';

/** The livekit-server binary: LIVEKIT_SERVER_BIN (from settings, so .env too), the cache that `dev` and setup:stack build into, or PATH. */
export function findLiveKitServer(configured: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [configured, join(cachedBinDir(), 'livekit-server'), ...(env.PATH ?? '').split(delimiter).map((d) => join(d, 'livekit-server'))];
  return candidates.find((c): c is string => !!c && existsSync(c));
}

export interface LocalLiveKitOptions {
  binary: string;
  dir: string;
  port: number;
  apiKey: string;
  apiSecret: string;
  webhookUrl: string;
}

/** The YAML config of a loopback-only single-node server (STACK.md). */
export function localLiveKitConfig(o: Omit<LocalLiveKitOptions, 'binary' | 'dir'>): string {
  return [
    `port: ${o.port}`,
    'bind_addresses: [127.0.0.1]',
    `keys: {${o.apiKey}: ${o.apiSecret}}`,
    `rtc: {tcp_port: ${o.port + 1}, udp_port: ${o.port + 2}, use_external_ip: false, node_ip: 127.0.0.1, enable_loopback_candidate: true, ips: {includes: [127.0.0.1/32]}}`,
    // Long enough that a reload or a dropped network finds the room still there.
    'room: {auto_create: true, empty_timeout: 300, departure_timeout: 120}',
    `webhook: {api_key: ${o.apiKey}, urls: [${o.webhookUrl}]}`,
    'logging: {level: warn}',
    '',
  ].join('\n');
}

/** Starts a local livekit-server and waits until it answers; the caller stops it with the returned function. */
export async function startLocalLiveKit(o: LocalLiveKitOptions): Promise<{ child: ChildProcess; stop: () => Promise<void> }> {
  mkdirSync(o.dir, { recursive: true });
  const config = join(o.dir, 'livekit.yaml');
  writeFileSync(config, localLiveKitConfig(o));
  const log = openSync(join(o.dir, 'livekit.log'), 'a');
  const child = spawn(o.binary, ['--config', config], { stdio: ['ignore', log, log] });
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  const deadline = Date.now() + 15_000;
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${o.port}/`).then(() => true, () => false);
    if (ok) break;
    const gone = await Promise.race([exited, new Promise((r) => setTimeout(() => r('wait'), 100))]);
    if (gone !== 'wait' || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new UnavailableError('livekit', `the local livekit-server did not start; see ${join(o.dir, 'livekit.log')}`);
    }
  }
  return {
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      // livekit-server waits for participants with no limit once signalled: a local one gets 3 s.
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}
