import stringWidth from 'string-width';
import { terminalSafe, terminalSafeBlock } from './core/text-safety.js';
import type { Writable } from 'node:stream';

/**
 * The only place that writes to the terminal. Results go to stdout, everything else to stderr;
 * `--json` switches results to JSON (one document) or NDJSON (streams and batches).
 */
export interface Printer {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly color: boolean;
  readonly isTTY: boolean;
  /** A result: `human()` renders it for people, the data itself is printed with --json. */
  result(data: unknown, human: () => string): void;
  /** One line of an NDJSON stream (with --json) or a human line. */
  line(data: unknown, human: () => string): void;
  /** Like `line` for each item, in one write (a batch prints thousands of lines). */
  lines<T>(items: readonly T[], human: (item: T) => string): void;
  /** Progress, status and hints on stderr; silenced by --quiet. */
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** A progress bar on stderr when it is a TTY and not --json/--quiet. */
  progress(label: string, total?: number): Progress;
  stdout: Writable;
  stderr: Writable;
}

export interface Progress {
  update(done: number, total?: number): void;
  done(message?: string): void;
}

export interface PrinterOptions {
  json?: boolean;
  quiet?: boolean;
  stdout?: Writable & { isTTY?: boolean };
  stderr?: Writable & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
}

const NO_PROGRESS: Progress = { update() {}, done() {} };

export function createPrinter(options: PrinterOptions = {}): Printer {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const env = options.env ?? process.env;
  const json = options.json ?? false;
  const quiet = options.quiet ?? false;
  const isTTY = Boolean(stdout.isTTY);
  const color = Boolean(stderr.isTTY) && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  const paint = (code: string, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const write = (stream: Writable, text: string) => stream.write(text.endsWith('\n') ? text : `${text}\n`);

  return {
    json,
    quiet,
    color,
    isTTY,
    stdout,
    stderr,
    result(data, human) {
      if (json) write(stdout, JSON.stringify(data, null, 2));
      else {
        const text = terminalSafeBlock(human());
        if (text !== '') write(stdout, text);
      }
    },
    line(data, human) {
      if (json) write(stdout, JSON.stringify(data));
      else write(stdout, terminalSafeBlock(human()));
    },
    lines(items, human) {
      if (items.length === 0) return;
      let text = '';
      for (const item of items) {
        const one = json ? JSON.stringify(item) : terminalSafeBlock(human(item));
        text += one.endsWith('\n') ? one : `${one}\n`;
      }
      stdout.write(text);
    },
    info(message) {
      if (!quiet) write(stderr, terminalSafeBlock(message));
    },
    warn(message) {
      write(stderr, `${paint('33', 'warning:')} ${terminalSafeBlock(message)}`);
    },
    error(message) {
      write(stderr, `${paint('31', 'error:')} ${terminalSafeBlock(message)}`);
    },
    progress(label, total) {
      if (json || quiet || !stderr.isTTY) return NO_PROGRESS;
      let last = 0;
      let max = total;
      const started = Date.now();
      const draw = (done: number, final = false) => {
        const now = Date.now();
        if (!final && now - last < 80) return;
        last = now;
        const width = 28;
        const rate = done / Math.max((now - started) / 1000, 0.001);
        let bar = '';
        if (max) {
          const filled = Math.min(width, Math.round((done / max) * width));
          bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${max}`;
        } else bar = `${done}`;
        stderr.write(`\r\x1b[2K${label} ${bar} ${Math.round(rate)}/s`);
      };
      return {
        update(done, t) {
          if (t !== undefined) max = t;
          draw(done);
        },
        done(message) {
          stderr.write('\r\x1b[2K');
          if (message) write(stderr, message);
        },
      };
    },
  };
}

/** One value from data inside a line of human output: escapes, controls and line breaks as spaces. */
export const safe = terminalSafe;

/** `key  value` lines, keys aligned; values come from data and are made safe like table cells. */
export function keyValues(pairs: [string, string][]): string {
  const w = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${k.padEnd(w)}  ${terminalSafe(v)}`).join('\n');
}

/**
 * A plain-text table with aligned columns, measured in terminal columns (string-width: CJK two,
 * combining marks none). Cells come from data (a ref, an email, a question), so each is made safe
 * here, line breaks included: no cell can send an escape sequence or start a row of its own.
 */
export function table(headers: string[], rawRows: string[][]): string {
  const rows = rawRows.map((r) => r.map((c) => terminalSafe(c ?? '')));
  const width = stringWidth;
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - width(c)))).join('  ').trimEnd();
  return [fmt(headers), ...rows.map(fmt)].join('\n');
}
