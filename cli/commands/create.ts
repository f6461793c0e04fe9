import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { ConflictError, NotFoundError, UsageError } from '../core/errors.js';
import { validateInvite, type InviteDefaults } from '../core/invite-rows.js';
import { formatDuration } from '../core/duration.js';
import { withContext, type GlobalOptions } from '../context.js';
import { createInterview, createInvitesFromCsv, type RowOutcome } from '../use-cases/create-invites.js';
import { interviewJson } from './present.js';

export interface CreateOptions {
  name?: string;
  email?: string;
  ref?: string;
  duration?: string;
  questions?: string;
  lang?: string;
  expires?: string;
  from?: string;
}

/** UTF-8 text from a file or stdin; invalid UTF-8 is a usage error, not garbage in the database. */
async function* readText(path: string): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const stream = path === '-' ? process.stdin : createReadStream(path);
  let offset = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      yield decoder.decode(chunk, { stream: true });
      offset += chunk.length;
    }
    yield decoder.decode();
  } catch (err) {
    if (err instanceof TypeError) throw new UsageError(`${path === '-' ? 'stdin' : path}: not UTF-8 text (bad bytes near byte ${offset}); save the CSV as UTF-8`);
    throw err;
  }
}

export async function create(opts: CreateOptions, global: GlobalOptions): Promise<number> {
  return withContext(global, async (ctx) => {
    const { out, settings } = ctx;
    const defaults: InviteDefaults = {
      durationMs: settings.defaultDurationMs,
      expiresInMs: settings.inviteTtlMs,
      questionSet: 'default',
      lang: 'en',
    };

    if (opts.from !== undefined) {
      if (opts.name !== undefined) throw new UsageError('--name and --from cannot be used together');
      if (opts.email !== undefined || opts.ref !== undefined) throw new UsageError('--email and --ref name one interview: with --from, put them in the CSV columns email and ref');
      if (opts.from !== '-') {
        const info = await stat(opts.from).catch(() => undefined);
        if (!info) throw new NotFoundError(`${opts.from}: no such file`);
        if (!info.isFile()) throw new UsageError(`${opts.from}: not a file`);
      }
      // Flags given with --from become the defaults of every row.
      const fromFlags = validateInvite({ name: 'x', duration: opts.duration, questions: opts.questions, lang: opts.lang, expires: opts.expires }, defaults);
      if (!fromFlags.ok) throw new UsageError(`--${fromFlags.error}`);
      const rowDefaults: InviteDefaults = {
        durationMs: fromFlags.input.durationMs,
        expiresInMs: fromFlags.input.expiresInMs,
        questionSet: fromFlags.input.questionSet,
        lang: fromFlags.input.lang,
      };
      const ctxRepos = await ctx.repos();
      const progress = out.progress('creating');
      const human = (o: RowOutcome) =>
        o.status === 'error' ? '' : `${o.status === 'created' ? 'created' : 'exists '}  line ${o.line}  ${o.url}${o.ref ? `  ref=${o.ref}` : ''}`;
      // NDJSON leaves a chunk of rows at a time, in one write; human lines and errors go one by one,
      // so a terminal shows them interleaved as they happen.
      const ndjson: RowOutcome[] = [];
      const writeNdjson = () => {
        out.lines(ndjson, () => '');
        ndjson.length = 0;
      };
      const summary = await createInvitesFromCsv(
        { ...ctxRepos, publicUrl: settings.publicUrl },
        readText(opts.from),
        rowDefaults,
        {
          emit: (o) => {
            if (out.json) ndjson.push(o);
            else if (o.status === 'error') out.error(`line ${o.line}: ${o.error}`);
            else if (!out.quiet || o.status === 'created') out.line(o, () => human(o));
          },
          progress: (n) => {
            writeNdjson();
            progress.update(n);
          },
          unknownColumns: (names) => out.warn(`ignoring unknown column${names.length > 1 ? 's' : ''}: ${names.join(', ')}`),
        },
      ).finally(writeNdjson);
      progress.done();
      out.info(`${summary.created} created, ${summary.exists} already existed, ${summary.errors} rejected (${summary.rows} rows)`);
      if (summary.withoutRef > 0 && summary.created > 0) {
        out.info(`note: ${summary.withoutRef} row(s) have no ref; running this file again would create them again`);
      }
      return summary.errors > 0 ? new ConflictError('', 'rows_rejected').exitCode : 0;
    }

    if (opts.name === undefined) throw new UsageError('--name is required (or --from FILE.csv for a batch)');
    const checked = validateInvite(
      { name: opts.name, email: opts.email, ref: opts.ref, duration: opts.duration, questions: opts.questions, lang: opts.lang, expires: opts.expires },
      defaults,
    );
    if (!checked.ok) throw new UsageError(`--${checked.error}`);
    const { status, interview } = await createInterview({ ...(await ctx.repos()), publicUrl: settings.publicUrl }, checked.input);
    const record = interviewJson(interview, settings.publicUrl);
    if (out.json) out.result({ ...record, result: status }, () => '');
    else {
      out.result(record, () => record.url);
      out.info(
        status === 'created'
          ? // No name: stderr ends up in CI logs and terminal scrollback (SPEC section 10).
            `created interview ${interview.id}: ${formatDuration(interview.durationMs)}, ${interview.lang}, expires ${interview.expiresAt.toISOString()}`
          : `ref ${interview.ref} exists already (${interview.status}); nothing created`,
      );
    }
    return 0;
  });
}
