import type { Writable } from 'node:stream';

export type LogFields = Record<string, string | number | boolean | null | undefined>;

/**
 * JSON lines on stderr. Messages are fixed strings; facts go in fields, and never a candidate's
 * name, email, answers or transcript.
 */
export function createLogger(stream: Writable, base: LogFields = {}) {
  const write = (level: string, msg: string, fields: LogFields = {}) => {
    stream.write(`${JSON.stringify({ ts: new Date().toISOString(), level, msg, ...base, ...fields })}\n`);
  };
  return {
    info: (msg: string, fields?: LogFields) => write('info', msg, fields),
    warn: (msg: string, fields?: LogFields) => write('warn', msg, fields),
    error: (msg: string, fields?: LogFields) => write('error', msg, fields),
  };
}

export type Logger = ReturnType<typeof createLogger>;
