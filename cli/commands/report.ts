import { recordAccess } from '../adapters/db/access-log.js';
import { operatorName } from './operator.js';
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createEvaluationRepo } from '../adapters/db/evaluations.js';
import { createIntegrityRepo, createReviewRepo } from '../adapters/db/reviews.js';
import { createScoreRepo } from '../adapters/db/scores.js';
import { createUtteranceRepo } from '../adapters/db/utterances.js';
import { openStorage } from '../adapters/storage/storage.js';
import { withContext, type GlobalOptions } from '../context.js';
import { formatDuration, parseDuration } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import { integrityRows, reportJson, reportMarkdown, reportText, type ReportModel } from '../core/report.js';
import { reportHtml } from '../core/report-html.js';
import { scoreTable, toCsv } from '../core/scores.js';
import { listConsents } from '../adapters/db/consents.js';
import { createRecorderStatsRepo } from '../adapters/db/recorder-stats.js';

const FORMATS = ['text', 'md', 'json', 'html'] as const;
/** S3 presigned links live at most 7 days (SigV4). */
const MAX_LINK_MS = 7 * 86_400_000;

/** A file the command may write: its folder must exist (a typo should not scatter files). */
function checkOutput(path: string): string {
  const full = resolve(path);
  const dir = dirname(full);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`-o ${path}: the folder ${dir} does not exist`);
  if (existsSync(full) && statSync(full).isDirectory()) throw new UsageError(`-o ${path}: is a folder; give a file name`);
  return full;
}

const cspHash = (body: string) => `'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`;

export async function report(id: string, opts: { format?: string; output?: string; expires?: string; by?: string }, global: GlobalOptions): Promise<number> {
  const by = operatorName(opts.by);
  const format = opts.format ?? (global.json ? 'json' : 'text');
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format: ${JSON.stringify(format)} is not one of ${FORMATS.join(', ')}`);
  const linkMs = parseDuration(opts.expires ?? '7d');
  if (linkMs === undefined || linkMs < 60_000 || linkMs > MAX_LINK_MS) throw new UsageError(`--expires: ${JSON.stringify(opts.expires)} must be a duration from 1m to 7d`);
  const target = opts.output === undefined || opts.output === '-' ? undefined : checkOutput(opts.output);
  return withContext(global, async (ctx) => {
    const { sql } = await ctx.db();
    const { interviews } = await ctx.repos();
    const interview = await interviews.get(id);
    await recordAccess(sql, { by, what: 'report', interviewId: interview.id, detail: { format } });
    const [utterances, history, review, notes, consents, recordingCheck] = await Promise.all([
      createUtteranceRepo(sql).list(interview.id),
      createEvaluationRepo(sql).history(interview.id),
      createReviewRepo(sql).latest(interview.id),
      createIntegrityRepo(sql).list(interview.id),
      listConsents(sql, interview.id),
      createRecorderStatsRepo(sql).recordingCheck(interview.id),
    ]);
    const current = history.find((e) => e.current);
    let video: ReportModel['video'] = null;
    if (interview.recordingKey) {
      const storage = await openStorage(ctx.settings);
      if ((await storage.size(interview.recordingKey)) !== undefined) {
        video = { url: await storage.presign(interview.recordingKey, Math.round(linkMs / 1000)), expiresAt: storage.kind === 's3' ? new Date(Date.now() + linkMs) : null };
      } else ctx.out.warn(`the recording ${interview.recordingKey} is not in ${storage.where}; the report has no video`);
    }
    const model: ReportModel = {
      generatedAt: new Date(),
      interview: {
        id: interview.id,
        candidateName: interview.candidateName,
        ref: interview.ref,
        questionSet: interview.questionSet,
        lang: interview.lang,
        status: interview.status,
        recordingStartedAt: interview.recordingStartedAt,
        completedAt: interview.completedAt,
        durationMs: interview.durationMs,
      },
      questions: interview.questions,
      utterances: [...utterances].sort((a, b) => a.startMs - b.startMs || a.seq - b.seq),
      evaluation: current
        ? {
            status: current.status,
            error: current.error,
            model: current.model,
            promptHash: current.promptHash,
            rubricHash: current.rubricHash,
            finishedAt: current.finishedAt,
            earlierRuns: history.length - 1,
            scorecard: current.status === 'succeeded' ? current.result : null,
          }
        : null,
      review: review ? { decision: review.decision, note: review.note, overrides: review.overrides, reviewer: review.reviewer, at: review.at } : null,
      integrity: integrityRows(notes, interview.recordingStartedAt),
      video,
      consents: consents.map((c) => ({ at: c.at, version: c.version, lang: c.lang })),
      recordingCheck: recordingCheck ? { agrees: recordingCheck.agrees, detail: recordingCheck.detail } : null,
    };
    const body =
      format === 'html' ? reportHtml(model, cspHash) : format === 'md' ? reportMarkdown(model) : format === 'json' ? `${JSON.stringify(reportJson(model), null, 2)}\n` : reportText(model);
    if (target) {
      await writeFile(`${target}.partial`, body);
      await rename(`${target}.partial`, target);
      ctx.out.result({ path: target, format, videoExpiresAt: video?.expiresAt ?? null }, () => `wrote ${target}`);
    } else ctx.out.stdout.write(body);
    if (video?.expiresAt) ctx.out.info(`the video link in the report is valid for ${formatDuration(linkMs)} (until ${video.expiresAt.toISOString()})`);
    else if (video) ctx.out.info('note: recordings are in a local folder (no S3_BUCKET): the video link is a file path on this machine');
    return 0;
  });
}

export async function scores(opts: { since?: string; set?: string; format?: string; output?: string }, global: GlobalOptions): Promise<number> {
  const format = opts.format ?? (global.json ? 'json' : 'csv');
  if (!['csv', 'json'].includes(format)) throw new UsageError(`--format: ${JSON.stringify(format)} is not one of csv, json`);
  const ms = parseDuration(opts.since ?? '30d');
  if (ms === undefined) throw new UsageError(`--since: ${JSON.stringify(opts.since)} is not a duration (e.g. 30d, 12h)`);
  const target = opts.output === undefined || opts.output === '-' ? undefined : checkOutput(opts.output);
  return withContext(global, async (ctx) => {
    const rows = await createScoreRepo((await ctx.db()).sql).list({ since: new Date(Date.now() - ms), set: opts.set, limit: 1_000_000 });
    const table = scoreTable(rows);
    const body =
      format === 'csv'
        ? toCsv(table.headers, table.rows)
        : `${JSON.stringify(table.rows.map((r) => Object.fromEntries(table.headers.map((h, i) => [h, r[i] ?? null]))), null, 2)}\n`;
    if (target) {
      await writeFile(target, body);
      ctx.out.info(`wrote ${rows.length} interview(s) to ${target}`);
    } else ctx.out.stdout.write(body);
    if (rows.length === 0) ctx.out.info('no completed interviews in that window');
    return 0;
  });
}
