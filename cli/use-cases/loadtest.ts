import type { InterviewRepo } from '../adapters/db/interviews.js';
import type { QuestionSetRepo } from '../adapters/db/question-sets.js';
import type { Lang } from '../core/lang.js';
import { LOADTEST_REF_PREFIX, summarize, type LoadtestInterview, type LoadtestSummary } from '../core/loadtest.js';
import { createInterview } from './create-invites.js';

const FINAL = new Set(['completed', 'failed', 'expired', 'revoked']);

/** What one synthetic candidate measured (the shape of synthetic-candidate.ts's CandidateRun). */
export interface CandidateFigures {
  joinMs: number;
  firstAudioMs: number;
  gaps: { ms: number }[];
  error?: string;
}

export interface LoadtestDeps {
  interviews: InterviewRepo;
  questionSets: QuestionSetRepo;
  publicUrl: string;
  /** Runs one candidate through the interview `id`, giving up after `deadlineMs`. */
  runCandidate(id: string, deadlineMs: number, signal: AbortSignal): Promise<CandidateFigures>;
  /** Size of a stored object, undefined when absent. */
  objectSize(key: string): Promise<number | undefined>;
  /** Purges the finished interviews (ref-prefixed ones only) and deletes their stored objects. */
  remove(ids: string[]): Promise<Cleanup>;
  progress(message: string): void;
}

/** What cleaning up did: interviews purged, objects deleted, and ids still live (left alone). */
export interface Cleanup {
  removed: number;
  objects: number;
  left: string[];
}

export interface LoadtestOptions {
  candidates: number;
  staggerMs: number;
  durationMs: number;
  questionSet: string;
  lang: Lang;
  /** The whole run ends by then (candidates give up, the wait for statuses stops). */
  timeoutMs: number;
  /** Leave the interviews and recordings in place. */
  keep: boolean;
  signal: AbortSignal;
  now?: () => number;
}

export interface LoadtestResult {
  run: string;
  interviews: LoadtestInterview[];
  summary: LoadtestSummary;
  cleanedUp: Cleanup | null;
  aborted: boolean;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/**
 * Creates `candidates` interviews marked `loadtest-<run>-<n>`, runs a synthetic candidate in each
 * (joins `staggerMs` apart), waits for their final statuses, checks each recording is in storage,
 * and removes everything it created unless `keep`. Bounded by `timeoutMs`; an abort stops the
 * candidates and still cleans up.
 */
export async function runLoadtest(deps: LoadtestDeps, opts: LoadtestOptions): Promise<LoadtestResult> {
  const now = opts.now ?? Date.now;
  const started = now();
  const deadline = started + opts.timeoutMs;
  const run = new Date(started).toISOString().replace(/[-:]/g, '').slice(0, 15);
  const created: { id: string; ref: string }[] = [];
  let cleanedUp: LoadtestResult['cleanedUp'] = null;
  let result: Omit<LoadtestResult, 'cleanedUp'>;
  try {
    for (let n = 1; n <= opts.candidates; n++) {
      const ref = `${LOADTEST_REF_PREFIX}${run}-${n}`;
      const { interview } = await createInterview(deps, {
        name: `Load Test ${n}`,
        email: null,
        ref,
        durationMs: opts.durationMs,
        questionSet: opts.questionSet,
        lang: opts.lang,
        expiresInMs: opts.timeoutMs + 3_600_000,
      });
      created.push({ id: interview.id, ref });
    }
    deps.progress(`created ${created.length} interviews (${LOADTEST_REF_PREFIX}${run}-*); candidates join ${opts.staggerMs} ms apart`);

    const figures: Promise<CandidateFigures>[] = [];
    for (const [i, c] of created.entries()) {
      if (i > 0) await sleep(opts.staggerMs, opts.signal);
      if (opts.signal.aborted) break;
      figures.push(
        deps.runCandidate(c.id, Math.max(1000, deadline - now()), opts.signal).then((f) => {
          deps.progress(`candidate ${i + 1}/${created.length} done${f.error ? `: ${f.error}` : ''}`);
          return f;
        }),
      );
    }
    const heard = await Promise.all(figures);

    // The interview ends after its candidate: wait for final statuses, within the deadline.
    const finals = new Map<string, Awaited<ReturnType<InterviewRepo['get']>>>();
    while (!opts.signal.aborted) {
      for (const c of created) if (!finals.has(c.id)) {
        const i = await deps.interviews.get(c.id);
        if (FINAL.has(i.status)) finals.set(c.id, i);
      }
      if (finals.size === created.length || now() > deadline) break;
      await sleep(1000, opts.signal);
    }

    const interviews: LoadtestInterview[] = [];
    for (const [i, c] of created.entries()) {
      const f = heard[i];
      const row = finals.get(c.id) ?? (await deps.interviews.get(c.id));
      const size = row.recordingKey ? await deps.objectSize(row.recordingKey).catch(() => undefined) : undefined;
      const problem = f?.error ?? (row.status !== 'completed' ? `interview ${row.status}${row.endReason ? ` (${row.endReason})` : ''}` : size ? null : 'no recording in storage');
      interviews.push({
        id: c.id,
        ref: c.ref,
        joinMs: f?.joinMs ?? NaN,
        firstAudioMs: f?.firstAudioMs ?? NaN,
        gapsMs: (f?.gaps ?? []).map((g) => g.ms).filter((ms) => Number.isFinite(ms)),
        status: row.status,
        endReason: row.endReason,
        recordingBytes: size ?? null,
        error: problem ?? (f ? null : 'not started (stopped)'),
      });
    }
    result = { run, interviews, summary: summarize(interviews), aborted: opts.signal.aborted };
  } finally {
    if (!opts.keep && created.length > 0) {
      cleanedUp = await deps.remove(created.map((c) => c.id));
      deps.progress(`purged ${cleanedUp.removed} interviews, deleted ${cleanedUp.objects} stored objects${cleanedUp.left.length ? `, ${cleanedUp.left.length} still live left alone` : ''}`);
    }
  }
  return { ...result, cleanedUp };
}

/**
 * The synthetic candidates' spoken answer, voiced by the interviewer's own espeak-ng synthesizer
 * (16-bit PCM); loaded on demand, as only the load test needs it.
 */
export async function speakAnswer(text: string, lang: Lang): Promise<Int16Array> {
  const { createEspeakSynthesizer } = await import('../../agent/speech/synthesizers.js');
  const tts = await createEspeakSynthesizer();
  try {
    return await tts.synthesize(text, lang);
  } finally {
    await tts.close();
  }
}
