import { fork, type ChildProcess } from 'node:child_process';
import type { CameraShape, CandidateOptions, CandidateRun } from './synthetic-candidate.js';

/** What every candidate of a pool shares: the spoken answer, the camera, the page recorder. */
export interface CandidatePoolInit {
  /** 48 kHz mono PCM16 said as every answer. */
  answer: Int16Array;
  camera?: CameraShape;
  /**
   * RECORDER=browser: records like the page. A module each process imports (a file URL) and the
   * export called with `{...options, serveUrl, id, resumeKey}` (a PageRecorderFactory's context).
   */
  pageRecorder?: { module: string; exportName: string; options: Record<string, unknown> };
}
export type CandidateJob = Pick<CandidateOptions, 'serveUrl' | 'id' | 'deadlineMs'>;

export type ParentMessage = { type: 'init'; init: CandidatePoolInit } | { type: 'run'; key: number; job: CandidateJob } | { type: 'abort'; key: number } | { type: 'close' };
export type ChildMessage =
  | { type: 'ready' }
  | { type: 'failed'; error: string }
  | { type: 'done'; key: number; run: CandidateRun }
  | { type: 'stats'; cpuMs: number; loopDelay: LoopDelay };

/** How late a process's event loop ran its timers (ms past when they were due). */
export interface LoopDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** How the load generator itself fared: when its loops lag, the figures include its own delay. */
export interface PoolStats {
  processes: { cpuMs: number; loopDelay: LoopDelay }[];
}

export interface CandidatePool {
  readonly size: number;
  run(job: CandidateJob, signal?: AbortSignal): Promise<CandidateRun>;
  /** Ends every process (after their candidates are done) and says how they fared. */
  close(): Promise<PoolStats>;
}

/**
 * Candidates per process. On the 2-core machine (bench:agent) 12 in one process lost 3 rooms to
 * rtc-node, and 6 in one kept every one; 6 split over 2 processes cost the full machine 6-7 % of a
 * core more (rtc-node's runtime twice), and the agent's figures suffered for it (gap p50 1.04 and
 * 1.05 s with one process, 1.20 and 1.19 s with two, runs alternated).
 */
export const CANDIDATES_PER_PROCESS = 6;

/**
 * Synthetic candidates spread over `processes` child processes, one after the other in turn, so
 * a large load test is not held back by one event loop on the generating side. Each process
 * imports rtc-node once and makes its own camera frames; results come back whole.
 */
export async function createCandidatePool(processes: number, init: CandidatePoolInit, childModule: URL = new URL('./candidate-process.js', import.meta.url)): Promise<CandidatePool> {
  const children: ChildProcess[] = [];
  const pending = new Map<number, { child: ChildProcess; resolve(r: CandidateRun): void; id: string }>();
  const stats: PoolStats['processes'] = [];
  let nextKey = 0;
  let turn = 0;
  const lost = (id: string, why: string): CandidateRun => ({ id, joinMs: NaN, publishedAt: NaN, firstAudioMs: NaN, gaps: [], captions: [], heardClosing: false, error: why });
  const starts: Promise<void>[] = [];
  for (let i = 0; i < Math.max(1, processes); i++) {
    // rtc-node logs at debug level to stdout unless NODE_ENV is production; stdout is not ours.
    const child = fork(childModule, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: { ...process.env, NODE_ENV: 'production' } });
    children.push(child);
    // A send to a process that died meanwhile fails here, not as a throw: its 'exit' settles the runs.
    child.on('error', () => {});
    starts.push(
      new Promise<void>((resolve, reject) => {
        child.on('message', (m: ChildMessage) => {
          if (m.type === 'ready') resolve();
          else if (m.type === 'failed') reject(new Error(`a candidate process could not start: ${m.error}`));
          else if (m.type === 'done') {
            const p = pending.get(m.key);
            pending.delete(m.key);
            p?.resolve(m.run);
          } else if (m.type === 'stats') stats.push({ cpuMs: m.cpuMs, loopDelay: m.loopDelay });
        });
        child.once('exit', (code, signal) => {
          reject(new Error(`a candidate process exited (${signal ?? code}) before it started`));
          // Whatever it still ran is lost: said as each candidate's error, never left hanging.
          for (const [key, p] of pending) {
            if (p.child !== child) continue;
            pending.delete(key);
            p.resolve(lost(p.id, `its candidate process exited (${signal ?? code})`));
          }
        });
      }),
    );
    child.send({ type: 'init', init } satisfies ParentMessage);
  }
  try {
    await Promise.all(starts);
  } catch (err) {
    for (const c of children) c.kill();
    throw err;
  }
  return {
    size: children.length,
    run(job, signal) {
      // A process that crashed takes no more candidates (nothing would ever answer them).
      const live = children.filter((c) => c.connected);
      if (live.length === 0) return Promise.resolve(lost(job.id, 'every candidate process has exited'));
      const child = live[turn++ % live.length]!;
      const key = nextKey++;
      return new Promise<CandidateRun>((resolve) => {
        pending.set(key, { child, resolve, id: job.id });
        child.send({ type: 'run', key, job } satisfies ParentMessage);
        signal?.addEventListener('abort', () => child.connected && child.send({ type: 'abort', key } satisfies ParentMessage), { once: true });
      });
    },
    async close() {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || !c.connected) return resolve();
              c.once('exit', () => resolve());
              c.send({ type: 'close' } satisfies ParentMessage);
              // A process that does not stop within 10 s is stopped.
              setTimeout(() => c.kill(), 10_000).unref();
            }),
        ),
      );
      return { processes: stats };
    },
  };
}
