import { pino, stdSerializers, type Logger as Pino } from 'pino';

export type LogFields = Record<string, unknown>;

/**
 * Fields that may carry a candidate's personal data. Log lines never should, but a field added in a
 * hurry (or an error object carrying a row) is censored rather than written out.
 */
export const PERSONAL_FIELDS = ['name', 'candidate_name', 'candidateName', 'email', 'ref', 'text', 'transcript', 'answer', 'resume_key', 'resumeKey', 'token'] as const;

const CENSOR = '[redacted]';

/** agents-js marks its personal fields `lk.pii.*` (transcripts, identities, prompts). */
function censorFrameworkPii(obj: LogFields): LogFields {
  let out: LogFields | undefined;
  for (const key of Object.keys(obj)) {
    if (key.startsWith('lk.pii.')) (out ??= { ...obj })[key] = CENSOR;
  }
  return out ?? obj;
}

function makePino(stream: { write(line: string): unknown }, base: LogFields, level: string): Pino {
  return pino(
    {
      level,
      base: null,
      messageKey: 'msg',
      // One line shape for serve, the agent (ours and agents-js's) and the CLI: ISO time first, the
      // level as a word, then the fields, then the message.
      timestamp: () => `,"ts":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }), log: censorFrameworkPii },
      redact: { paths: [...PERSONAL_FIELDS, ...PERSONAL_FIELDS.map((f) => `*.${f}`)], censor: CENSOR },
      serializers: { err: stdSerializers.err, error: stdSerializers.err },
    },
    // pino writes each line with one synchronous write(), like the hand-written logger did.
    stream as never,
  ).child(base);
}

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** The same logger with more fields on every line. */
  child(fields: LogFields): Logger;
  /** The pino logger underneath, for libraries that take one. */
  readonly pino: Pino;
}

function wrap(p: Pino): Logger {
  return {
    debug: (msg, fields) => p.debug(fields ?? {}, msg),
    info: (msg, fields) => p.info(fields ?? {}, msg),
    warn: (msg, fields) => p.warn(fields ?? {}, msg),
    error: (msg, fields) => p.error(fields ?? {}, msg),
    child: (fields) => wrap(p.child(fields)),
    pino: p,
  };
}

/**
 * JSON lines (pino) on `stream`, usually stderr: `{"level":"info","ts":"…",…fields,"msg":"…"}`.
 * Messages are fixed strings; facts go in fields, and never a candidate's name, email, answers or
 * transcript (PERSONAL_FIELDS are redacted should one slip in).
 */
export function createLogger(stream: { write(line: string): unknown }, base: LogFields = {}, level = process.env.LOG_LEVEL || 'info'): Logger {
  return wrap(makePino(stream, base, level));
}

const PINO_LABELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/**
 * A stream for agents-js's own pino logger (it writes its default shape: numeric level, epoch
 * `time`, pid, hostname) that re-writes each line through our logger onto `out`, so the agent's
 * stderr has one format and agents-js's personal fields are censored too. agents-js filters by its
 * own level (AGENT_LOG_LEVEL) first. Lines that are not JSON pass through unchanged.
 */
export function frameworkLogSink(out: { write(line: string): unknown }, base: LogFields = {}): { write(chunk: string | Uint8Array, ...rest: unknown[]): boolean } {
  const p = makePino(out, { ...base, src: 'livekit' }, 'trace');
  return {
    write(chunk, ...rest) {
      // process.stdout.write's optional callback, as a stream would call it.
      const done = rest.find((a) => typeof a === 'function') as (() => void) | undefined;
      if (done) queueMicrotask(done);
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      for (const line of text.split('\n')) {
        if (line === '') continue;
        let rec: LogFields | undefined;
        try {
          rec = line.startsWith('{') ? (JSON.parse(line) as LogFields) : undefined;
        } catch {
          rec = undefined;
        }
        if (!rec || typeof rec.level !== 'number') {
          out.write(`${line}\n`);
          continue;
        }
        const { level, time: _time, hostname: _host, msg, ...fields } = rec;
        const label = PINO_LABELS[level as number] ?? 'info';
        p[label as 'info'](fields, String(msg ?? ''));
      }
      return true;
    },
  };
}
