import { formatDuration } from '../core/duration.js';
import { interviewUrl, roomNameFor } from '../core/ids.js';
import { endsAt, shortId, type Interview, type InterviewEventRow } from '../core/interview.js';
import type { Sql } from '../adapters/db/connect.js';
import { createEvaluationRepo } from '../adapters/db/evaluations.js';
import { createReviewRepo } from '../adapters/db/reviews.js';
import type { ReviewQueueRow } from '../adapters/db/scores.js';
import { plain } from '../core/report.js';
import { keyValues, safe, table } from '../output.js';

/** The interview as --json prints it: the stored record plus its link and room. */
export function interviewJson(i: Interview, publicUrl: string) {
  return {
    id: i.id,
    url: interviewUrl(publicUrl, i.id),
    status: i.status,
    name: i.candidateName,
    email: i.candidateEmail,
    ref: i.ref,
    lang: i.lang,
    durationSeconds: Math.round(i.durationMs / 1000),
    questionSet: i.questionSet,
    roomName: roomNameFor(i.id),
    createdAt: i.createdAt,
    expiresAt: i.expiresAt,
    usedAt: i.usedAt,
    candidateJoinedAt: i.candidateJoinedAt,
    recordingStartedAt: i.recordingStartedAt,
    endsAt: endsAt(i),
    endedAt: i.endedAt,
    completedAt: i.completedAt,
    endReason: i.endReason,
    error: i.error,
    dispatchId: i.dispatchId,
    recordingKey: i.recordingKey,
    transcriptKey: i.transcriptKey,
    vttKey: i.vttKey,
    interviewerMode: i.interviewerMode,
    interviewerDetail: i.interviewerDetail,
  };
}

const when = (d: Date | null) => (d ? d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-');

export function relative(d: Date, now = new Date()): string {
  const diff = d.getTime() - now.getTime();
  if (Math.abs(diff) < 1000) return 'just now';
  const text = formatDuration(Math.abs(Math.round(diff / 1000) * 1000));
  return diff >= 0 ? `in ${text}` : `${text} ago`;
}

export function interviewTable(list: Interview[]): string {
  if (list.length === 0) return 'no interviews';
  return table(
    ['ID', 'STATUS', 'CANDIDATE', 'REF', 'LANG', 'DURATION', 'CREATED', 'EXPIRES'],
    list.map((i) => [
      shortId(i.id),
      i.status,
      i.candidateName,
      i.ref ?? '-',
      i.lang,
      formatDuration(i.durationMs),
      relative(i.createdAt),
      i.status === 'created' ? relative(i.expiresAt) : '-',
    ]),
  );
}

/** `extra` lines (e.g. consent records) go after the keys, before the timeline. */
export function interviewDetails(i: Interview, events: InterviewEventRow[], publicUrl: string, extra: [string, string][] = [], droppedFrames: number | null = null): string {
  const lines: [string, string][] = [
    ['id', i.id],
    ['link', interviewUrl(publicUrl, i.id)],
    ['status', i.status + (i.error ? ` (${i.error})` : '')],
    ['candidate', i.candidateName + (i.candidateEmail ? ` <${i.candidateEmail}>` : '')],
    ['ref', i.ref ?? '-'],
    ['language', i.lang],
    ['duration', formatDuration(i.durationMs)],
    ['questions', `${i.questionSet} (${i.questions.length})`],
    ['interviewer', i.interviewerMode === null ? '-' : i.interviewerMode === 'llm' ? `llm (${i.interviewerDetail ?? '?'})` : `scripted: ${i.interviewerDetail ?? ''}`],
    ['room', roomNameFor(i.id)],
    ['created', when(i.createdAt)],
    ['expires', when(i.expiresAt)],
    ['used', when(i.usedAt)],
    ['candidate joined', when(i.candidateJoinedAt)],
    ['recording started', when(i.recordingStartedAt)],
    ['ended', when(i.endedAt) + (i.endReason ? ` (${i.endReason})` : '')],
    // A transcript without a recording comes only from RECORDER=off.
    ['recording', i.recordingKey ?? (i.transcriptKey ? 'none: the recorder was off by configuration (RECORDER=off)' : '-')],
    ['transcript', i.transcriptKey ?? '-'],
    ...extra,
  ];
  // The agent's recorder: video frames it could not hand to ffmpeg in time (the video froze there).
  if (droppedFrames !== null) lines.push(['dropped frames', droppedFrames === 0 ? '0' : `${droppedFrames} (ffmpeg fell behind; the video repeats a picture there)`]);
  const head = keyValues(lines);
  const timeline = [
    `  ${when(i.createdAt)}  created`,
    ...events.map((e) => `  ${when(e.at)}  ${e.from ?? '-'} → ${e.to}  by ${safe(e.actor)}${e.reason ? `: ${safe(e.reason)}` : ''}`),
  ].join('\n');
  return `${head}\n\ntimeline\n${timeline}`;
}

/** What waits for a person: the advisory evaluation beside each interview, never a decision. */
export function reviewQueueTable(rows: ReviewQueueRow[]): string {
  if (rows.length === 0) return 'nothing waits for a review';
  const evaluation = (r: ReviewQueueRow) =>
    r.evaluationStatus === 'succeeded' ? `advisory: ${r.recommendation}` : r.evaluationStatus === 'failed' ? 'failed (interviewctl evaluate ID)' : r.evaluationStatus === 'running' ? 'running' : 'none';
  return table(
    ['ID', 'CANDIDATE', 'REF', 'SET', 'COMPLETED', 'EVALUATION'],
    rows.map((r) => [shortId(r.id), plain(r.candidateName), r.ref ? plain(r.ref) : '-', plain(r.questionSet), r.completedAt ? relative(r.completedAt) : '-', evaluation(r)]),
  );
}

/** The AI's evaluation (advisory) and a person's decision, as `show` prints them. */
export async function assessmentOf(sql: Sql, id: string) {
  const [e, r] = await Promise.all([createEvaluationRepo(sql).current(id), createReviewRepo(sql).latest(id)]);
  return {
    evaluation: e ? { status: e.status, advisory: true, recommendation: e.result?.recommendation ?? null, error: e.error, key: e.evaluationKey, finishedAt: e.finishedAt } : null,
    review: r ? { decision: r.decision, reviewer: r.reviewer, at: r.at, note: r.note } : null,
  };
}

export function assessmentLines(a: Awaited<ReturnType<typeof assessmentOf>>): [string, string][] {
  const e = a.evaluation;
  const evaluation = !e ? '-' : e.status === 'succeeded' ? `advisory: ${e.recommendation} (interviewctl report ID)` : e.status === 'failed' ? `failed: ${plain(e.error ?? 'unknown')}` : 'running';
  const review = a.review ? `${a.review.decision} by ${plain(a.review.reviewer)} at ${when(a.review.at)}` : '-';
  return [['evaluation', evaluation], ['review', review]];
}
