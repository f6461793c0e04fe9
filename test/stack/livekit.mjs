// Starts and stops a real livekit-server for tests, on loopback only, with a generated config.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { livekitServerBin } from './paths.mjs';
import { spawnLogged, stopProcess, waitUntil } from './process.mjs';

export const DEFAULT_API_KEY = 'devkey';
export const DEFAULT_API_SECRET = 'interviewctl-e2e-secret-0123456789abcdef';

/**
 * The YAML config STACK.md verified (unknown keys are fatal to livekit-server, so nothing extra).
 * JSON strings are valid YAML scalars, which keeps quoting simple.
 */
export function livekitConfigYaml({ port, tcpPort, udpPort, apiKey, apiSecret, webhookUrls, emptyTimeout, departureTimeout, redisAddress, nodeSelector }) {
  const q = JSON.stringify;
  const lines = [
    `port: ${port}`,
    'bind_addresses: [127.0.0.1]',
    `keys: {${q(apiKey)}: ${q(apiSecret)}}`,
    `rtc: {tcp_port: ${tcpPort}, udp_port: ${udpPort}, use_external_ip: false, node_ip: 127.0.0.1,`,
    '      enable_loopback_candidate: true, ips: {includes: [127.0.0.1/32]}}',
    `room: {auto_create: true, empty_timeout: ${emptyTimeout}, departure_timeout: ${departureTimeout}}`,
    'logging: {level: info}',
  ];
  // Multi-node: nodes sharing one Redis form a cluster (a room lives on one node, the others relay).
  if (redisAddress) lines.push(`redis: {address: ${q(redisAddress)}}`);
  if (nodeSelector) lines.push(`node_selector: {kind: ${q(nodeSelector.kind ?? 'any')}, sort_by: ${q(nodeSelector.sortBy ?? 'random')}}`);
  if (webhookUrls.length > 0) lines.push(`webhook: {api_key: ${q(apiKey)}, urls: [${webhookUrls.map(q).join(', ')}]}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Starts livekit-server and resolves once it answers HTTP on its port.
 * @param {object} opts
 * @param {string} opts.dir folder for the config and the log
 * @param {string[]} [opts.webhookUrls] where LiveKit posts its webhooks (e.g. serve's /webhooks/livekit)
 * @param {string} [opts.redisAddress] host:port of a Redis: the node joins that cluster
 * @param {{kind?: string, sortBy?: string}} [opts.nodeSelector] how the cluster places new rooms
 * @returns {Promise<{url: string, httpUrl: string, apiKey: string, apiSecret: string, pid: number, configPath: string, logPath: string, logText(): string, stop(): Promise<void>}>}
 */
export async function startLivekitServer({
  dir,
  port = 7880,
  tcpPort = 7881,
  udpPort = 7882,
  apiKey = DEFAULT_API_KEY,
  apiSecret = DEFAULT_API_SECRET,
  webhookUrls = [],
  emptyTimeout = 30,
  departureTimeout = 20,
  redisAddress,
  nodeSelector,
  logName = 'livekit-server',
  bin = livekitServerBin,
  readyTimeoutMs = 20_000,
} = {}) {
  if (!dir) throw new Error('startLivekitServer: dir is required');
  if (apiSecret.length < 32) throw new Error('startLivekitServer: the API secret must be at least 32 characters');
  mkdirSync(dir, { recursive: true });
  const configPath = join(dir, `${logName}.yaml`);
  const logPath = join(dir, `${logName}.log`);
  writeFileSync(configPath, livekitConfigYaml({ port, tcpPort, udpPort, apiKey, apiSecret, webhookUrls, emptyTimeout, departureTimeout, redisAddress, nodeSelector }));

  // A clean environment: livekit-server reads LIVEKIT_*, NODE_IP, REDIS_* and more from it.
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root' };
  const { child, exited, logText } = spawnLogged(bin, ['--config', configPath], { env, logPath });
  const spawnError = new Promise((_, reject) => child.once('error', reject));
  const handle = {
    url: `ws://127.0.0.1:${port}`,
    httpUrl: `http://127.0.0.1:${port}`,
    apiKey,
    apiSecret,
    pid: child.pid,
    configPath,
    logPath,
    logText,
    exited,
    stop: () => stopProcess(child, { graceMs: 5000 }),
  };
  try {
    await Promise.race([
      spawnError,
      waitUntil(
        async () => {
          const exit = exited();
          if (exit) throw new Error(`livekit-server exited (${exit.code ?? exit.signal}) while starting:\n${logText().slice(-2000)}`);
          try {
            const res = await fetch(handle.httpUrl, { signal: AbortSignal.timeout(1000) });
            return res.ok;
          } catch {
            return false;
          }
        },
        { timeoutMs: readyTimeoutMs, what: `livekit-server on ${handle.httpUrl}` },
      ),
    ]);
  } catch (err) {
    await handle.stop();
    throw err;
  }
  return handle;
}
