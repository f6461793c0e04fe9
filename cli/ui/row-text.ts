import type { Status } from '../core/states.js';
import { terminalSafe } from '../core/text-safety.js';
import type { WatchRow } from './feed.js';
import { cellsOf, displayWidth, fit, isOvertime, waitsForReview, type Column } from './watch-model.js';

/**
 * A table row as one finished terminal line: cells fitted to their columns and styled with SGR
 * codes. The table hands Ink these lines whole, so Ink neither measures, wraps nor styles them
 * cell by cell on every frame.
 */

export type Paint = 'blue' | 'cyan' | 'green' | 'yellow' | 'gray' | 'red' | 'dim' | 'bold' | 'inverse';

// Open and close codes of each style; a close code resets only its own attribute, so styles nest.
const SGR: Record<Paint, [number, number]> = {
  blue: [34, 39],
  cyan: [36, 39],
  green: [32, 39],
  yellow: [33, 39],
  gray: [90, 39],
  red: [31, 39],
  dim: [2, 22],
  bold: [1, 22],
  inverse: [7, 27],
};

export const STATUS_PAINT: Record<Status, Paint> = {
  created: 'blue',
  used: 'cyan',
  recording: 'green',
  ending: 'yellow',
  completed: 'gray',
  expired: 'gray',
  revoked: 'gray',
  failed: 'red',
};

/** `text` in `style`, or as it is when colours are off (NO_COLOR, TERM=dumb). */
export function paint(text: string, style: Paint | undefined, color: boolean): string {
  if (!color || style === undefined || text === '') return text;
  const [open, close] = SGR[style];
  return `\x1b[${open}m${text}\x1b[${close}m`;
}

/**
 * Unsafe characters from the data (a name or reason from a CSV) as spaces: the line is written to
 * the terminal as it is, so an escape sequence in a name must not reach it. The same function as
 * the CLI's output module uses (cli/core/text-safety.ts).
 */
export const printable = terminalSafe;

/** The column titles, fitted like the cells below them. */
export function titleLine(columns: readonly Column[]): string {
  return ` ${columns.map((c) => fit(c.title, c.width)).join(' ').trimEnd()}`;
}

/** One interview as a line: `>` marks (and inverse shows) the selected one. */
export function rowLine(r: WatchRow, columns: readonly Column[], now: number, color: boolean, selected: boolean): string {
  const cells = cellsOf(r, now);
  let line = selected ? '>' : ' ';
  columns.forEach((c, i) => {
    const fitted = fit(printable(cells[c.key]), c.width);
    // The last cell is not padded: trailing spaces would only be written and trimmed again.
    const text = i < columns.length - 1 ? `${fitted} ` : fitted.trimEnd();
    let style: Paint | undefined;
    if (c.key === 'status') style = waitsForReview(r) ? 'yellow' : STATUS_PAINT[r.status];
    else if (c.key === 'remaining' && isOvertime(r, now)) style = 'red';
    else if ((c.key === 'cand' || c.key === 'agent') && cells[c.key] === 'no') style = 'yellow';
    else if (c.key === 'last' && !selected) style = 'dim';
    // Style the cell's text, not its padding: fewer codes, and the same look.
    const body = text.trimEnd();
    line += paint(body, style, color) + text.slice(body.length);
  });
  return selected ? paint(line, 'inverse', color) : line;
}

// eslint-disable-next-line no-control-regex
const SGR_AT = /\x1b\[[0-9;]*m/y;

/**
 * The first `width` columns of a styled line, its codes kept: on a terminal too narrow for every
 * column, a line that ran past the edge would wrap onto the next and push the table down.
 */
export function clipLine(line: string, width: number): string {
  if (line.length <= width && !/[^\x00-\x7e]/.test(line)) return line;
  let out = '';
  let used = 0;
  let i = 0;
  let styled = false;
  while (i < line.length) {
    SGR_AT.lastIndex = i;
    const code = SGR_AT.exec(line);
    if (code) {
      out += code[0];
      styled = true;
      i += code[0].length;
      continue;
    }
    const ch = String.fromCodePoint(line.codePointAt(i)!);
    const w = displayWidth(ch);
    if (used + w > width) return styled ? `${out}\x1b[0m` : out;
    out += ch;
    used += w;
    i += ch.length;
  }
  return line;
}
