// Steps of the failure-path scenarios: an agent worker to start (and kill), processes found by
// walking /proc, a bucket reached from the outside, and media checked with ffprobe.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startCliProcess } from '../../stack/interviewctl.mjs';
import { childPids, isAlive, procCmdline } from '../../stack/process.mjs';
import { startVersitygw } from '../../stack/versitygw.mjs';
import type { Stack } from './stack.js';

export type AgentHandle = Awaited<ReturnType<typeof startCliProcess>>;

/**
 * Starts `interviewctl agent` with the stack's environment (plus `env`), its log in the stack's
 * logs folder; resolves once it has registered with LiveKit.
 */
export async function startAgent(
  stack: Stack,
  logName = 'agent.log',
  { env = {}, readyTimeoutMs = 60_000 }: { env?: Record<string, string>; readyTimeoutMs?: number } = {},
): Promise<AgentHandle> {
  const logPath = join(stack.logs, logName);
  return stack.own(
    await startCliProcess(['agent'], {
      env: { ...stack.env, ...env },
      cwd: stack.home,
      logPath,
      what: `interviewctl agent (${logName})`,
      readyTimeoutMs,
      ready: async () => existsSync(logPath) && /agent worker registered/.test(readFileSync(logPath, 'utf8')),
    }),
  );
}

/** Every live descendant of `pid` with its command line, children before grandchildren. */
export function descendants(pid: number): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  const queue = [pid];
  for (let i = 0; i < queue.length && i < 200; i++) {
    for (const child of childPids(queue[i]!)) {
      out.push({ pid: child, cmd: procCmdline(child) ?? '' });
      queue.push(child);
    }
  }
  return out;
}

/** Running (a zombie has an empty command line). */
export const alive = (pid: number) => isAlive(pid) && (procCmdline(pid) ?? '') !== '';

/** SIGKILLs each pid (already gone is fine). */
export function killNow(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited by itself meanwhile
    }
  }
}

export interface Bucket {
  port: number;
  dir: string;
  name: string;
  env: Record<string, string>;
  client: S3Client;
  /** Starts versitygw over the bucket's folder (again after a stop: the objects persist). */
  start(): Promise<void>;
  /** Stops the running versitygw by its PID (SIGTERM, then SIGKILL). */
  stop(): Promise<void>;
  get(key: string): Promise<Buffer>;
  has(key: string): Promise<boolean>;
}

/** A versitygw bucket whose server the test can stop and start again on the same port and folder. */
export async function makeBucket(stack: Stack, port: number, env: Record<string, string>): Promise<Bucket> {
  const dir = join(stack.home, 's3');
  const client = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: env.S3_REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: env.S3_ACCESS_KEY_ID!, secretAccessKey: env.S3_SECRET_ACCESS_KEY! },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });
  stack.own({ stop: async () => client.destroy() });
  let server: { stop(): Promise<void> } | undefined;
  const bucket: Bucket = {
    port,
    dir,
    name: env.S3_BUCKET!,
    env,
    client,
    async start() {
      server = stack.own(await startVersitygw({ dir, port, accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY }));
    },
    async stop() {
      await server?.stop();
      server = undefined;
    },
    async get(key) {
      const res = await client.send(new GetObjectCommand({ Bucket: bucket.name, Key: key }));
      return Buffer.from(await res.Body!.transformToByteArray());
    },
    async has(key) {
      try {
        await client.send(new HeadObjectCommand({ Bucket: bucket.name, Key: key }));
        return true;
      } catch (err) {
        if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
        throw err;
      }
    },
  };
  await bucket.start();
  await client.send(new CreateBucketCommand({ Bucket: bucket.name }));
  return bucket;
}

/** What ffprobe reads in an MP4: its streams as `type:codec` (sorted), its length, and when each kind of stream starts. */
export function probe(file: string): { codecs: string[]; durationMs: number; startMs: Record<string, number> } {
  const out = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file], { encoding: 'utf8' }));
  const streams = out.streams as { codec_type: string; codec_name: string; start_time?: string }[];
  return {
    codecs: streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort(),
    durationMs: Number(out.format.duration) * 1000,
    startMs: Object.fromEntries(streams.map((s) => [s.codec_type, Number(s.start_time ?? 0) * 1000])),
  };
}

/** Loudness (dBFS) of the MP4's audio between two offsets, from a full decode. */
export function loudness(file: string, fromMs: number, toMs: number): number {
  const pcm = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-vn', '-ac', '1', '-ar', '16000', '-f', 's16le', 'pipe:1'], { maxBuffer: 64 * 1024 * 1024 });
  const samples = new Int16Array(pcm.buffer, pcm.byteOffset, Math.floor(pcm.byteLength / 2));
  const a = Math.max(0, Math.floor((fromMs / 1000) * 16000));
  const b = Math.min(samples.length, Math.floor((toMs / 1000) * 16000));
  let sum = 0;
  for (let i = a; i < b; i++) sum += samples[i]! * samples[i]!;
  return 10 * Math.log10(sum / Math.max(1, b - a) / 32768 ** 2 + 1e-12);
}

/** The MP4 files the agent keeps for an interview under $INTERVIEWCTL_HOME/spool/<id>/. */
export function spooled(stack: Stack, id: string): { path: string; bytes: number }[] {
  const dir = join(stack.home, 'spool', id);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.mp4'))
    .map((f) => ({ path: join(dir, f), bytes: statSync(join(dir, f)).size }));
}
