import { createWriteStream, existsSync, renameSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { recordAccess } from '../adapters/db/access-log.js';
import { createUtteranceRepo } from '../adapters/db/utterances.js';
import { openStorage } from '../adapters/storage/storage.js';
import { withContext, type GlobalOptions } from '../context.js';
import { formatDuration, parseDuration } from '../core/duration.js';
import { ConflictError, NotFoundError, UsageError } from '../core/errors.js';
import type { Interview } from '../core/interview.js';
import { transcriptText, transcriptVtt } from '../core/transcript.js';
import { operatorName } from './operator.js';

function needRecording(i: Interview): string {
  if (i.recordingKey) return i.recordingKey;
  if (i.status === 'recording' || i.status === 'ending') throw new ConflictError(`interview ${i.id} is ${i.status}: its recording is not final yet`);
  throw new NotFoundError(`interview ${i.id} has no recording (it is ${i.status}${i.error ? `: ${i.error}` : ''})`);
}

const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;

/** Downloads the MP4 with a progress bar; an interrupted download resumes from its `.part` file. */
export async function get(id: string, opts: { output?: string; by?: string }, global: GlobalOptions): Promise<number> {
  const by = operatorName(opts.by);
  return withContext(global, async (ctx) => {
    const { out, settings } = ctx;
    const { interviews } = await ctx.repos();
    const interview = await interviews.get(id);
    const key = needRecording(interview);
    const storage = await openStorage(settings);
    await recordAccess((await ctx.db()).sql, { by, what: 'recording get', interviewId: interview.id, detail: { key } });
    const target = opts.output ?? basename(key);
    if (target === '-') {
      const obj = await storage.read(key);
      if (!obj) throw new NotFoundError(`${key} is not in ${storage.where}`);
      await pipeline(obj.stream, process.stdout);
      return 0;
    }
    const part = `${target}.part`;
    const have = existsSync(part) ? statSync(part).size : 0;
    const obj = await storage.read(key, have);
    if (!obj) throw new NotFoundError(`${key} is not in ${storage.where}`);
    if (existsSync(target) && statSync(target).size === obj.size) {
      obj.stream.destroy();
      out.result({ path: target, bytes: obj.size, resumedFrom: 0, skipped: true }, () => `${target} is already complete (${mib(obj.size)})`);
      return 0;
    }
    if (have > 0) out.info(`resuming ${target} from ${mib(have)} of ${mib(obj.size)}`);
    const bar = out.progress('downloading', obj.size);
    let done = have;
    const count = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        done += chunk.length;
        bar.update(done);
        cb(null, chunk);
      },
    });
    await pipeline(obj.stream, count, createWriteStream(part, { flags: have > 0 ? 'a' : 'w' }));
    bar.done();
    if (statSync(part).size !== obj.size) throw new ConflictError(`download of ${key} stopped at ${statSync(part).size} of ${obj.size} bytes; run the command again to resume`);
    renameSync(part, target);
    out.result({ path: target, bytes: obj.size, resumedFrom: have, skipped: false }, () => `saved ${target} (${mib(obj.size)})`);
    return 0;
  });
}

export async function url(id: string, opts: { expires?: string; by?: string }, global: GlobalOptions): Promise<number> {
  const ms = parseDuration(opts.expires ?? '1h');
  if (ms === undefined || ms < 1000 || ms > 7 * 86_400_000) throw new UsageError(`--expires: ${JSON.stringify(opts.expires)} must be a duration from 1s to 7d`);
  const by = operatorName(opts.by);
  return withContext(global, async (ctx) => {
    const { interviews } = await ctx.repos();
    const interview = await interviews.get(id);
    const key = needRecording(interview);
    const storage = await openStorage(ctx.settings);
    if ((await storage.size(key)) === undefined) throw new NotFoundError(`${key} is not in ${storage.where}`);
    await recordAccess((await ctx.db()).sql, { by, what: 'recording url', interviewId: interview.id, detail: { key, expiresSeconds: Math.round(ms / 1000) } });
    const link = await storage.presign(key, Math.round(ms / 1000));
    const expiresAt = storage.kind === 's3' ? new Date(Date.now() + ms).toISOString() : null;
    ctx.out.result({ url: link, key, expiresAt }, () => link);
    if (storage.kind === 'local') ctx.out.info('note: recordings are in a local folder (no S3_BUCKET), so this is a file path and does not expire');
    else ctx.out.info(`valid for ${formatDuration(ms)}`);
    return 0;
  });
}

/** The transcript: the stored final files once completed, else what the agent has written so far. */
export async function transcript(id: string, opts: { format?: string; by?: string }, global: GlobalOptions): Promise<number> {
  const format = opts.format ?? 'text';
  if (!['text', 'json', 'vtt'].includes(format)) throw new UsageError(`--format: ${JSON.stringify(format)} is not one of text, json, vtt`);
  const by = operatorName(opts.by);
  return withContext(global, async (ctx) => {
    const { interviews } = await ctx.repos();
    const interview = await interviews.get(id);
    await recordAccess((await ctx.db()).sql, { by, what: 'transcript', interviewId: interview.id, detail: { format } });
    const storedKey = format === 'json' ? interview.transcriptKey : format === 'vtt' ? interview.vttKey : null;
    if (storedKey) {
      const storage = await openStorage(ctx.settings);
      ctx.out.stdout.write((await storage.get(storedKey)).toString('utf8'));
      return 0;
    }
    const list = await createUtteranceRepo((await ctx.db()).sql).list(interview.id);
    if (list.length === 0 && !['used', 'recording', 'ending'].includes(interview.status)) {
      throw new NotFoundError(`interview ${interview.id} has no transcript (it is ${interview.status})`);
    }
    if (format === 'json') ctx.out.stdout.write(`${JSON.stringify({ interviewId: interview.id, status: interview.status, final: false, utterances: list }, null, 2)}\n`);
    else if (format === 'vtt') ctx.out.stdout.write(transcriptVtt(list));
    else ctx.out.stdout.write(`${transcriptText(list)}\n`);
    return 0;
  });
}
