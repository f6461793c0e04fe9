// bench:agent's figures: one row per N from the batches run at that N, and the printed report
// in the house format (tables, then PASS/FAIL per target and invariant).
import { cpus, loadavg } from 'node:os';
import { int, percentile, table } from './live.mjs';
import { quantile, sumHistograms } from './prom.mjs';

export const TARGET_FIRST_MS = 1500;
export const TARGET_GAP_MS = 1000;
/** The synthetic candidates' event-loop lateness (p50) past which their figures are their own (loadtest's bound). */
const CANDIDATES_BEHIND_MS = 50;

const stats = (values) => ({ n: values.length, p50: percentile(values, 50), p90: percentile(values, 90), p99: percentile(values, 99), max: values.length ? Math.max(...values) : NaN });
export const secs = (ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : '—');

/**
 * One row of figures for `n` interviews at once, from one or more batches (see agent.mjs batch()).
 * `logFigures` is agentLogFigures() of the agent's log (empty while the run goes on).
 */
export function summarize(n, batches, logFigures = new Map()) {
  const heard = batches.flatMap((b) => b.heard);
  const recordings = batches.flatMap((b) => b.recordings);
  const gaps = heard.flatMap((h) => h.gaps).filter((g) => Number.isFinite(g.ms));
  const wallMs = batches.reduce((sum, b) => sum + b.tree.wallMs, 0);
  const cpuMs = batches.reduce((sum, b) => sum + b.tree.cpuMs, 0);
  const other = {};
  for (const b of batches) for (const [k, v] of Object.entries(b.otherCpu)) other[k] = (other[k] ?? 0) + v;
  const logs = heard.map((h) => logFigures.get(h.id)).filter(Boolean);
  const blocks = logs.flatMap((f) => f.blocksMs);
  const fig = {
    n,
    interviews: heard.length,
    completed: batches.reduce((sum, b) => sum + [...b.rows.values()].filter((r) => r.status === 'completed').length, 0),
    recorded: recordings.filter((r) => r.ok).length,
    firstAudio: stats(heard.map((h) => h.firstAudioMs).filter(Number.isFinite)),
    gap: stats(gaps.map((g) => g.ms)),
    gapToQuestionP50: percentile(gaps.filter((g) => g.next === 'question').map((g) => g.ms), 50),
    gapToClosingP50: percentile(gaps.filter((g) => g.next === 'closing').map((g) => g.ms), 50),
    followUps: gaps.filter((g) => g.next === 'follow_up').length,
    agentFirstAudioP50: quantile(sumHistograms(batches.map((b) => b.agentMetrics.firstAudio)), 0.5) * 1000,
    agentAnswerToAudioP50: quantile(sumHistograms(batches.map((b) => b.agentMetrics.answerToAudio)), 0.5) * 1000,
    agentGapP50: percentile(batches.flatMap((b) => b.storedGaps ?? []), 50),
    loopBlocks: { count: blocks.length, maxMs: blocks.length ? Math.max(...blocks) : 0 },
    jobWait: stats(logs.map((f) => f.jobWaitMs).filter(Number.isFinite)),
    cpuPercentByRole: Object.fromEntries(['worker', 'job', 'ffmpeg'].map((k) => [k, (batches.reduce((sum, b) => sum + b.tree.byRole[k], 0) / wallMs) * 100])),
    peakRssMbByRole: Object.fromEntries(['worker', 'job', 'ffmpeg'].map((k) => [k, Math.max(...batches.map((b) => b.tree.peakRoleRssKb[k])) / 1024])),
    cpuPercent: (cpuMs / wallMs) * 100,
    cpuPercentPerInterview: (cpuMs / wallMs) * 100 / n,
    cpuSecondsPerInterview: cpuMs / 1000 / Math.max(1, heard.length),
    peakRssMb: Math.max(...batches.map((b) => b.tree.peakRssKb)) / 1024,
    idleRssMb: Math.min(...batches.map((b) => b.tree.startRssKb)) / 1024,
    addedRssMbPerInterview: Math.max(...batches.map((b) => b.tree.peakRssKb - b.tree.startRssKb)) / 1024 / n,
    peakProcesses: Math.max(...batches.map((b) => b.tree.peakProcesses)),
    wallS: wallMs / 1000 / batches.length,
    otherCpuPercent: Object.fromEntries(Object.entries(other).map(([k, v]) => [k, (v / wallMs) * 100])),
    marksP50: {},
    candidateLoop: Object.fromEntries(['processes', 'p50Ms', 'p99Ms', 'maxMs'].map((k) => [k, Math.max(...batches.map((b) => b.candidateLoop?.[k] ?? 0))])),
    errors: [...heard.filter((h) => h.error).map((h) => `${h.id}: ${h.error}`), ...recordings.filter((r) => !r.ok).map((r) => `${r.id}: ${r.error ?? `recording ${r.codecs}`}`)],
  };
  for (const [name, phase] of [['job start → in the room', 'connected'], ['candidate present → greeting and recorder ready', 'ready']]) {
    const v = quantile(sumHistograms(batches.map((b) => b.agentMetrics[phase])), 0.5) * 1000;
    if (Number.isFinite(v)) fig.marksP50[name] = v;
  }
  fig.allRecorded = fig.recorded === fig.interviews && fig.completed === fig.interviews && fig.errors.length === 0;
  // The candidates' own event loops lagging at the median put their delay into what they heard (a
  // gap can even shrink to nothing: the answer's end and the reply were both seen late): such a
  // step says nothing about the agent, and never counts as sustained.
  fig.candidatesBehind = fig.candidateLoop.p50Ms > CANDIDATES_BEHIND_MS;
  fig.sustained = fig.allRecorded && !fig.candidatesBehind && fig.firstAudio.p50 <= TARGET_FIRST_MS && fig.gap.p50 <= TARGET_GAP_MS;
  return fig;
}

/** The report as printed: tables, then PASS/FAIL lines. */
export function formatReport({ rows, skipped, skippedWhy, staggerMs, silence, totalS, recorder = 'agent' }) {
  const head = rows[0];
  const sustainedN = rows.reduce((best, r) => (r.sustained && r.n > best ? r.n : best), 0);
  const firstFailure = rows.find((r) => !r.sustained);
  const recordedN = rows.reduce((best, r) => (r.allRecorded && r.n > best ? r.n : best), 0);
  const lat = (label, o) => [label, int(o.n), secs(o.p50), secs(o.p90), secs(o.max)];
  const marks = Object.entries(head.marksP50).map(([k, v]) => `${k} ${int(v)}`).join(', ');
  const checks = [
    [`target: first agent audio p50 ≤ ${secs(TARGET_FIRST_MS)}, one interview at a time (${secs(head.firstAudio.p50)})`, head.firstAudio.p50 <= TARGET_FIRST_MS],
    [`target: end of answer → interviewer speaking again p50 ≤ ${secs(TARGET_GAP_MS)}, one at a time (${secs(head.gap.p50)})`, head.gap.p50 <= TARGET_GAP_MS],
    ...rows.map((r) => [`N = ${r.n}: ${r.interviews} interview(s) completed, each with an H.264 + AAC MP4 in the bucket (${r.recorded}/${r.interviews})`, r.allRecorded]),
    [`sustains ${sustainedN} interview(s) at once with recording on (all recorded, both p50 targets)${firstFailure ? `; N = ${firstFailure.n} did not` : ''}`, sustainedN >= 1],
  ];
  const note = `every interview completed with its recording up to N = ${recordedN} at once`;
  const text =
    `\nbench:agent — interviewctl agent (offline speech, RECORDER=${recorder === 'browser' ? 'browser (candidates upload their recording in parts through serve) ' : 'agent '}→ versitygw S3, end-of-turn silence ${silence}) with synthetic rtc-node candidates, private network namespace\n\n` +
    `one interview at a time (n = ${head.interviews}), heard by the candidate:\n` +
    table([
      ['', 'n', 'p50', 'p90', 'max'],
      lat('tracks published → first loud frame of the interviewer', head.firstAudio),
      lat('end of an answer → interviewer speaking again', head.gap),
    ]) +
    `\n  gap p50 by what came next: question ${secs(head.gapToQuestionP50)}, closing ${secs(head.gapToClosingP50)}${head.followUps ? `; ${head.followUps} follow-up(s)` : ''}\n` +
    `  the agent's own figures (its /metrics, p50 inside histogram buckets): candidate present → first audio ${secs(head.agentFirstAudioP50)}, end of answer → first audio ${secs(head.agentAnswerToAudioP50)}; stored utterances, candidate's end → agent's next start p50 ${secs(head.agentGapP50)}\n` +
    `  job start-up p50 (ms): ${marks || '—'}; event-loop stalls reported: ${head.loopBlocks.count} (longest ${int(head.loopBlocks.maxMs)} ms)\n\n` +
    `N interviews at once (joins ${staggerMs} ms apart; N = 1 is the one-at-a-time runs); agent = worker + job processes + ffmpeg, CPU in % of one core:\n` +
    table([
      ['N', 'recorded', 'first audio p50/p99', 'gap p50/p99', 'agent CPU', 'per interview', 'RSS peak MB', 'idle MB', '+MB/interview', 'stalls (max ms)', 'wall s', 'others: cand/lk/serve/pg/s3'],
      ...rows.map((r) => [
        String(r.n),
        `${r.recorded}/${r.interviews}`,
        `${secs(r.firstAudio.p50)} / ${secs(r.firstAudio.p99)}`,
        `${secs(r.gap.p50)} / ${secs(r.gap.p99)}`,
        `${r.cpuPercent.toFixed(0)} %`,
        `${r.cpuPercentPerInterview.toFixed(1)} %`,
        r.peakRssMb.toFixed(0),
        r.idleRssMb.toFixed(0),
        r.addedRssMbPerInterview.toFixed(0),
        `${r.loopBlocks.count} (${int(r.loopBlocks.maxMs)})`,
        r.wallS.toFixed(0),
        ['candidates', 'livekit', 'serve', 'postgres', 's3'].map((k) => (r.otherCpuPercent[k] ?? 0).toFixed(0)).join('/'),
      ]),
    ]) +
    `\n\nwhere the agent's CPU went (% of a core: worker / job processes / ffmpeg), the largest single process (MB: worker / job / ffmpeg), and how long jobs waited for a process (p50 / max):\n` +
    rows
      .map((r) => {
        const c = r.cpuPercentByRole;
        const m = r.peakRssMbByRole;
        const marks = Object.entries(r.marksP50).map(([k, v]) => `${k} ${int(v)}`).join(', ');
        return `  N = ${r.n}: ${c.worker.toFixed(0)} / ${c.job.toFixed(0)} / ${c.ffmpeg.toFixed(0)} %; ${m.worker.toFixed(0)} / ${m.job.toFixed(0)} / ${m.ffmpeg.toFixed(0)} MB; waited ${secs(r.jobWait.p50)} / ${secs(r.jobWait.max)}; start-up p50 (ms): ${marks || '—'}; agent's candidate present → first audio ${secs(r.agentFirstAudioP50)}; the candidates' ${r.candidateLoop.processes} process(es): event loop late p50 ${int(r.candidateLoop.p50Ms)} / p99 ${int(r.candidateLoop.p99Ms)} ms (max ${int(r.candidateLoop.maxMs)})${r.candidatesBehind ? ' — BEHIND: this step\'s latencies are the candidates\' own delay, not the agent\'s' : ''}`;
      })
      .join('\n') +
    (skipped.length > 0 ? `\nnot run: N = ${skipped.join(', ')} (${skippedWhy})` : '') +
    `\n\n${checks.map(([label, pass]) => `${pass ? 'PASS' : 'FAIL'}  ${label}`).join('\n')}\n      (${note})\n` +
    `\n(${cpus().length} cores; total run ${totalS.toFixed(0)} s; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})\n`;
  return { text, sustainedN, recordedN };
}
