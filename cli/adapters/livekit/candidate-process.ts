// A child process that runs synthetic candidates for a CandidatePool (candidate-pool.ts): one
// Node event loop and one rtc-node runtime for a few candidates, so many candidates do not queue
// behind one loop (bench:agent's 12 in one process lost rooms to rtc-node: "handle not found").
// Messages in: init {answer, camera, pageRecorder?}, run {key, job}, abort {key}, close.
// Messages out: ready, done {key, run}, stats {cpuMs, loopDelay}.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { CandidatePoolInit, ChildMessage, ParentMessage } from './candidate-pool.js';
import { tolerateLateHandleDrops } from './rtc-handle-guard.js';

tolerateLateHandleDrops(() => {});
const send = (m: ChildMessage) => process.send!(m);
const LOOP_RESOLUTION_MS = 20;
const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
loop.enable();
const started = process.cpuUsage();
const aborts = new Map<number, AbortController>();
let ready: Promise<Setup> | undefined;

type Setup = { candidate: typeof import('./synthetic-candidate.js'); init: CandidatePoolInit; video: Uint8Array[]; pageRecorder?: import('./synthetic-candidate.js').PageRecorderFactory };

async function setup(init: CandidatePoolInit): Promise<Setup> {
  const candidate = await import('./synthetic-candidate.js');
  const video = candidate.makeVideoLoop(init.camera);
  if (!init.pageRecorder) return { candidate, init, video };
  const { module, exportName, options } = init.pageRecorder;
  const factory = (await import(module))[exportName] as (o: Record<string, unknown>) => ReturnType<import('./synthetic-candidate.js').PageRecorderFactory>;
  return { candidate, init, video, pageRecorder: (ctx) => factory({ ...options, ...ctx }) };
}

// The pool's process gone (killed, crashed): its candidates are nobody's; they stop with it.
process.on('disconnect', () => process.exit(0));

// The histogram holds each sampling timer's whole wait (its resolution included): the lateness is past it.
const late = (ns: number) => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS);

process.on('message', (m: ParentMessage) => {
  if (m.type === 'init') {
    ready = setup(m.init);
    void ready.then(() => send({ type: 'ready' }), (err: Error) => send({ type: 'failed', error: err.message }));
  } else if (m.type === 'run') {
    const abort = new AbortController();
    aborts.set(m.key, abort);
    void ready!.then(async ({ candidate, init, video, pageRecorder }) => {
      const run = await candidate.runCandidate({ ...m.job, answer: init.answer, video, ...(init.camera ? { camera: init.camera } : {}), signal: abort.signal, ...(pageRecorder ? { pageRecorder } : {}) });
      aborts.delete(m.key);
      send({ type: 'done', key: m.key, run });
    });
  } else if (m.type === 'abort') {
    aborts.get(m.key)?.abort();
  } else if (m.type === 'close') {
    const cpu = process.cpuUsage(started);
    send({ type: 'stats', cpuMs: (cpu.user + cpu.system) / 1000, loopDelay: { p50Ms: late(loop.percentile(50)), p99Ms: late(loop.percentile(99)), maxMs: late(loop.max) } });
    void (ready ?? Promise.resolve(undefined)).then((s) => s?.candidate.disposeRtc()).catch(() => {}).finally(() => process.exit(0));
  }
});
