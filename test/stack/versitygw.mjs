// Starts and stops versitygw, a small real S3 gateway over a directory, on loopback.
// The bucket is created by the caller through the S3 API (path-style).
import { S3Client } from '@aws-sdk/client-s3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { versitygwBin } from './paths.mjs';
import { spawnLogged, stopProcess, waitUntil } from './process.mjs';

function portOpen(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * @param {object} opts
 * @param {string} opts.dir holds the objects (`<dir>/data`), sidecar metadata and the log
 * @param {boolean} [opts.versioning] keep object versions (in `<dir>/versions`), so buckets can turn versioning on
 * @returns {Promise<{endpoint: string, accessKeyId: string, secretAccessKey: string, region: string, dataDir: string, versionsDir: string | null, pid: number, logPath: string, logText(): string, stop(): Promise<void>}>}
 */
export async function startVersitygw({
  dir,
  port = 7070,
  accessKeyId = 'e2e-access-key',
  secretAccessKey = 'e2e-secret-key-0123456789abcdef',
  region = 'us-east-1',
  bin = versitygwBin,
  readyTimeoutMs = 15_000,
  versioning = false,
}) {
  const dataDir = join(dir, 'data');
  const sidecar = join(dir, 'meta');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(sidecar, { recursive: true });
  const logPath = join(dir, 'versitygw.log');
  // --sidecar keeps metadata in files, so filesystems without user xattrs (tmpfs, overlay) work.
  const versionsDir = join(dir, 'versions');
  if (versioning) mkdirSync(versionsDir, { recursive: true });
  const posixArgs = ['posix', '--sidecar', sidecar, ...(versioning ? ['--versioning-dir', versionsDir] : []), dataDir];
  const { child, exited, logText } = spawnLogged(bin, ['--port', `127.0.0.1:${port}`, '--region', region, ...posixArgs], {
    logPath,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ROOT_ACCESS_KEY: accessKeyId, ROOT_SECRET_KEY: secretAccessKey },
  });
  const handle = {
    endpoint: `http://127.0.0.1:${port}`,
    accessKeyId,
    secretAccessKey,
    region,
    dataDir,
    versionsDir: versioning ? versionsDir : null,
    pid: child.pid,
    logPath,
    logText,
    stop: () => stopProcess(child, { graceMs: 5000 }),
  };
  try {
    await waitUntil(
      async () => {
        const exit = exited();
        if (exit) throw new Error(`versitygw exited (${exit.code ?? exit.signal}) while starting:\n${logText().slice(-2000)}`);
        return portOpen(port);
      },
      { timeoutMs: readyTimeoutMs, what: `versitygw on ${handle.endpoint}` },
    );
  } catch (err) {
    await handle.stop();
    throw err;
  }
  return handle;
}

/**
 * An S3 client for a gateway from startVersitygw: path-style, its credentials, and checksums only
 * when required (with the SDK's default a streamed PutObject is stored with its chunk framing).
 * @param {{endpoint: string, region: string, accessKeyId: string, secretAccessKey: string}} gw
 */
export function s3ClientFor(gw) {
  return new S3Client({
    endpoint: gw.endpoint,
    region: gw.region,
    forcePathStyle: true,
    credentials: { accessKeyId: gw.accessKeyId, secretAccessKey: gw.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** The S3_* settings that point interviewctl at `gw`'s `bucket`. */
export function s3EnvOf(gw, bucket) {
  return {
    S3_BUCKET: bucket,
    S3_ENDPOINT: gw.endpoint,
    S3_REGION: gw.region,
    S3_ACCESS_KEY_ID: gw.accessKeyId,
    S3_SECRET_ACCESS_KEY: gw.secretAccessKey,
    S3_FORCE_PATH_STYLE: 'true',
  };
}
