// Starts and stops Debian's redis-server for tests: on loopback only, on its own port, nothing
// written to disk, stopped by PID. (A machine may run its own Redis on 6379 outside the test's
// network namespace; inside it we start our own.)
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { which } from './paths.mjs';
import { spawnLogged, stopProcess, waitUntil } from './process.mjs';

/** Sends one inline command and resolves with the first reply line (e.g. "+PONG"). */
export function redisCommand(port, command) {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    socket.setTimeout(2000, () => socket.destroy(new Error('redis: no answer')));
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      if (data.includes('\r\n')) {
        socket.destroy();
        resolve(data.slice(0, data.indexOf('\r\n')));
      }
    });
    socket.once('error', reject);
  });
}

/**
 * @param {{dir: string, port: number}} opts
 * @returns {Promise<{address: string, port: number, pid: number, logPath: string, logText(): string, stop(): Promise<void>}>}
 */
export async function startRedis({ dir, port }) {
  const bin = which('redis-server');
  if (!bin) throw new Error('redis-server is not installed (Debian package redis-server; npm run setup:stack installs it)');
  mkdirSync(dir, { recursive: true });
  const logPath = join(dir, 'redis-server.log');
  // No persistence (--save "" --appendonly no), no protected mode surprises: loopback only.
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'];
  const { child, exited, logText } = spawnLogged(bin, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, cwd: dir, logPath });
  const handle = { address: `127.0.0.1:${port}`, port, pid: child.pid, logPath, logText, stop: () => stopProcess(child, { graceMs: 5000 }) };
  try {
    await waitUntil(
      async () => {
        const exit = exited();
        if (exit) throw new Error(`redis-server exited (${exit.code ?? exit.signal}) while starting:\n${logText().slice(-2000)}`);
        return (await redisCommand(port, 'PING').catch(() => '')) === '+PONG';
      },
      { timeoutMs: 15_000, what: `redis-server on 127.0.0.1:${port}` },
    );
  } catch (err) {
    await handle.stop();
    throw err;
  }
  return handle;
}
