import { createLoadtestRepo } from '../adapters/db/loadtest.js';
import { openStorage } from '../adapters/storage/storage.js';
import { withContext, type GlobalOptions } from '../context.js';
import { parseDuration } from '../core/duration.js';
import { ConflictError, UnavailableError, UsageError } from '../core/errors.js';
import type { Lang } from '../core/lang.js';
import { CANDIDATES_PER_PROCESS, createCandidatePool } from '../adapters/livekit/candidate-pool.js';
import { voicedPart } from '../adapters/livekit/candidate-speech.js';
import { candidateProcesses, formatGenerator, formatInterviewTable, formatPercentiles, generatorFigures, isLocalUrl, LOADTEST_MAX_CANDIDATES, secs, TARGET_FIRST_AUDIO_MS, TARGET_GAP_MS, type GeneratorFigures } from '../core/loadtest.js';
import { onShutdown } from '../shutdown.js';
import { runLoadtest, speakAnswer } from '../use-cases/loadtest.js';

export interface LoadtestCommandOptions {
  candidates?: string;
  stagger?: string;
  duration?: string;
  questions?: string;
  lang?: string;
  serveUrl?: string;
  timeout?: string;
  keep?: boolean;
  yes?: boolean;
  procs?: string;
}

const FINAL = new Set(['completed', 'failed', 'expired', 'revoked']);
const ANSWER = 'I lead a small team that builds media servers and recording tools for real time video, and I enjoy it.';

function parseOptions(opts: LoadtestCommandOptions) {
  const n = Number(opts.candidates ?? '2');
  if (!/^\d+$/.test(opts.candidates ?? '2') || n < 1 || n > LOADTEST_MAX_CANDIDATES) throw new UsageError(`--candidates: ${JSON.stringify(opts.candidates)} must be a whole number from 1 to ${LOADTEST_MAX_CANDIDATES}`);
  const duration = (flag: string, text: string, min: number, max: number) => {
    const ms = parseDuration(text);
    if (ms === undefined || ms < min || ms > max) throw new UsageError(`--${flag}: ${JSON.stringify(text)} must be a duration from ${min / 1000}s to ${max / 60_000}m`);
    return ms;
  };
  const durationMs = duration('duration', opts.duration ?? '1m', 60_000, 30 * 60_000);
  const staggerMs = opts.stagger === '0' ? 0 : duration('stagger', opts.stagger ?? '2s', 0, 60_000);
  const timeoutMs = opts.timeout ? duration('timeout', opts.timeout, 60_000, 60 * 60_000) : durationMs + staggerMs * n + 180_000;
  let procs: number | undefined;
  if (opts.procs !== undefined) {
    procs = Number(opts.procs);
    if (!/^\d+$/.test(opts.procs) || procs < 1 || procs > n) throw new UsageError(`--procs: ${JSON.stringify(opts.procs)} must be a whole number from 1 to the number of candidates (${n})`);
  }
  return { candidates: n, procs, durationMs, staggerMs, timeoutMs, questionSet: opts.questions ?? 'default', lang: (opts.lang ?? 'en') as Lang };
}

export async function loadtest(opts: LoadtestCommandOptions, global: GlobalOptions): Promise<number> {
  const o = parseOptions(opts);
  return withContext(global, async (ctx) => {
    const { out, settings } = ctx;
    if (!isLocalUrl(settings.livekit.url) && !opts.yes) {
      throw new UsageError(`LIVEKIT_URL ${settings.livekit.url} is not on this machine; a load test there costs real minutes and load. Add --yes to run it anyway`);
    }
    const serveUrl = (opts.serveUrl ?? settings.publicUrl).replace(/\/+$/, '');
    const health = await fetch(`${serveUrl}/healthz`, { signal: AbortSignal.timeout(5000) }).then((r) => r.ok, () => false);
    if (!health) throw new UnavailableError('http', `serve does not answer at ${serveUrl}/healthz; start \`interviewctl serve\` (and \`interviewctl agent\`) or pass --serve-url`);

    // The candidates run in child processes (a few each), so the generating side's own event loop
    // is not what a large test measures; how those processes fared is printed with the figures.
    const answer = voicedPart(await speakAnswer(ANSWER, o.lang));
    const procs = o.procs ?? candidateProcesses(o.candidates, CANDIDATES_PER_PROCESS);

    const { sql } = await ctx.db();
    const repos = await ctx.repos();
    const storage = await openStorage(settings);
    const loadtests = createLoadtestRepo(sql);
    const poolStarted = Date.now();
    const pool = await createCandidatePool(procs, { answer });
    let generator: GeneratorFigures | undefined;
    const closePool = async () => (generator ??= generatorFigures((await pool.close()).processes, Date.now() - poolStarted));
    const abort = new AbortController();
    let finished!: () => void;
    const done = new Promise<void>((r) => (finished = r));
    onShutdown(async () => {
      abort.abort();
      await done;
    });
    out.info(`loadtest: ${o.candidates} candidates (in ${procs} process${procs === 1 ? '' : 'es'}) through ${serveUrl} against ${settings.livekit.url}, ${secs(o.durationMs)} interviews, done within ${secs(o.timeoutMs)}`);
    try {
      const result = await runLoadtest(
        {
          ...repos,
          publicUrl: settings.publicUrl,
          runCandidate: (id, deadlineMs, signal) => pool.run({ serveUrl, id, deadlineMs }, signal),
          objectSize: (key) => storage.size(key),
          async remove(ids) {
            // Objects first (a failure leaves the interview for a later purge), then the rows. An
            // interview still live (an aborted run) keeps everything: it is reported as left.
            const found = await loadtests.find(ids);
            const finished = found.filter((f) => FINAL.has(f.status));
            const deleted = new Map<string, number>();
            for (const f of finished) {
              let n = 0;
              for (const key of f.keys) if (await storage.remove(key).then(() => true, () => false)) n++;
              deleted.set(f.id, n);
            }
            const removed = await loadtests.purge(finished.map((f) => f.id), deleted);
            const objects = [...deleted.values()].reduce((a, b) => a + b, 0);
            return { removed, objects, left: found.filter((f) => !FINAL.has(f.status)).map((f) => f.id) };
          },
          progress: (m) => out.info(m),
        },
        { ...o, keep: opts.keep === true, signal: abort.signal },
      );
      const s = result.summary;
      const gen = await closePool();
      out.result({ run: result.run, livekit: settings.livekit.url, serve: serveUrl, summary: s, generator: gen, interviews: result.interviews, cleanedUp: result.cleanedUp, aborted: result.aborted }, () =>
        [
          formatInterviewTable(result.interviews),
          '',
          formatPercentiles('join', s.joinMs),
          formatPercentiles('first audio', s.firstAudioMs, TARGET_FIRST_AUDIO_MS),
          formatPercentiles('gap', s.gapMs, TARGET_GAP_MS),
          `recorded     ${s.recorded}/${s.candidates} in storage (${storage.where}); ${s.failed} failed`,
          s.held ? 'held: every interview recorded, both p50 targets met' : 'not held: see the failures and targets above',
          formatGenerator(gen),
          result.cleanedUp
            ? `cleaned up: ${result.cleanedUp.removed} interviews purged, ${result.cleanedUp.objects} objects deleted${result.cleanedUp.left.length ? `; still live, left as they are: ${result.cleanedUp.left.join(', ')}` : ''}`
            : `kept: refs loadtest-${result.run}-*`,
        ].join('\n'),
      );
      return s.failed > 0 ? new ConflictError('', 'loadtest_failures').exitCode : 0;
    } finally {
      finished();
      await closePool().catch(() => {});
    }
  });
}
