import { Text, Transform, useIsScreenReaderEnabled } from 'ink';
import { useMemo, useRef } from 'react';
import type { WatchRow } from '../feed.js';
import { clipLine, paint, rowLine, titleLine } from '../row-text.js';
import type { Column } from '../watch-model.js';

export interface InterviewTableProps {
  rows: readonly WatchRow[];
  columns: Column[];
  /** Terminal columns the lines may take; longer ones are cut. */
  width: number;
  selectedId: string | undefined;
  /** The clock; a row's line is built again only when its data changes or this turns a second. */
  now: number;
  color: boolean;
  /** Lines for rows (the title is extra); the table takes them all, so the frame's height stays steady. */
  height: number;
  emptyText: string;
}

// eslint-disable-next-line no-control-regex
const SGR_CODES = /\x1b\[[0-9;]*m/g;

interface CachedLine {
  row: WatchRow;
  second: number;
  selected: boolean;
  columns: Column[];
  width: number;
  color: boolean;
  text: string;
}

/**
 * The table of interviews: a title line, then one line per row, the selected one marked.
 *
 * The body is a single Ink node whose text is a fixed blank placeholder (`height` lines), and a
 * <Transform> swaps each placeholder line for the row's finished line as Ink writes it out. Ink's
 * layout therefore never sees the rows: nothing is re-measured when they change (Ink also keeps
 * every text it has measured, for good: changing row texts grew its memory by the frame), and
 * one node replaces a node per row and per coloured cell.
 */
export function InterviewTable({ rows, columns, width, selectedId, now, color, height, emptyText }: InterviewTableProps) {
  const screenReader = useIsScreenReaderEnabled();
  const cache = useRef(new Map<string, CachedLine>());
  const placeholder = useMemo(() => Array.from({ length: Math.max(1, height) }, () => ' ').join('\n'), [height]);

  const second = Math.floor(now / 1000);
  const lines: string[] = [];
  const next = new Map<string, CachedLine>();
  for (const r of rows) {
    const selected = r.id === selectedId;
    let hit = cache.current.get(r.id);
    if (!hit || hit.row !== r || hit.second !== second || hit.selected !== selected || hit.columns !== columns || hit.width !== width || hit.color !== color) {
      hit = { row: r, second, selected, columns, width, color, text: clipLine(rowLine(r, columns, now, color, selected), width) };
    }
    next.set(r.id, hit);
    lines.push(hit.text);
  }
  cache.current = next;
  if (rows.length === 0) lines.push(paint(clipLine(` ${emptyText}`, width), 'dim', color));

  return (
    <>
      <Text bold>{clipLine(titleLine(columns), width)}</Text>
      <Transform transform={(_, index) => lines[index] ?? ''} accessibilityLabel={screenReader ? lines.join('\n').replace(SGR_CODES, '') : undefined}>
        {placeholder}
      </Transform>
    </>
  );
}
