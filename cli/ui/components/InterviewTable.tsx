import { Box, Text } from 'ink';
import type { Status } from '../../core/states.js';
import type { WatchRow } from '../feed.js';
import { cellsOf, fit, isOvertime, type Column } from '../watch-model.js';

export const STATUS_COLORS: Record<Status, string> = {
  created: 'blue',
  used: 'cyan',
  recording: 'green',
  ending: 'yellow',
  completed: 'gray',
  expired: 'gray',
  revoked: 'gray',
  failed: 'red',
};

export interface InterviewTableProps {
  rows: readonly WatchRow[];
  columns: Column[];
  selectedId: string | undefined;
  now: number;
  color: boolean;
  /** Lines for rows (the header is extra); the table takes them all, so the frame's height stays steady. */
  height: number;
  emptyText: string;
}

interface Segment {
  text: string;
  color?: string;
  dim?: boolean;
}

/**
 * One row as few styled segments as possible: every <Text> costs a width measurement and a
 * layout node per frame, and a frame with a thousand interviews behind it should stay cheap.
 */
function rowSegments(r: WatchRow, columns: Column[], now: number, color: boolean, selected: boolean): Segment[] {
  const cells = cellsOf(r, now);
  const out: Segment[] = [{ text: selected ? '>' : ' ' }];
  columns.forEach((c, i) => {
    // The last cell is not padded: every character of a frame is measured, spaces too.
    const text = i < columns.length - 1 ? `${fit(cells[c.key], c.width)} ` : fit(cells[c.key], c.width).trimEnd();
    let seg: Segment = { text };
    if (color) {
      if (c.key === 'status') seg = { text, color: STATUS_COLORS[r.status] };
      else if (c.key === 'remaining' && isOvertime(r, now)) seg = { text, color: 'red' };
      else if ((c.key === 'cand' || c.key === 'agent') && cells[c.key] === 'no') seg = { text, color: 'yellow' };
      else if (c.key === 'last' && !selected) seg = { text, dim: true };
    }
    const last = out[out.length - 1]!;
    if (last.color === seg.color && last.dim === seg.dim) last.text += seg.text;
    else out.push(seg);
  });
  return out;
}

/** The table of interviews: one line per row, the selected one marked and inverted. */
export function InterviewTable({ rows, columns, selectedId, now, color, height, emptyText }: InterviewTableProps) {
  const header = columns.map((c) => fit(c.title, c.width)).join(' ').trimEnd();
  // A fixed height keeps the footer in place without a blank line per missing row.
  return (
    <Box flexDirection="column" height={height + 1}>
      <Text bold> {header}</Text>
      {rows.length === 0 ? <Text dimColor> {emptyText}</Text> : null}
      {rows.map((r, line) => {
        const selected = r.id === selectedId;
        const segments = rowSegments(r, columns, now, color, selected);
        // Keyed by line, not by interview: rows move every time one changes, and updating the text
        // of a line in place is cheaper for Ink than moving its layout node.
        return (
          <Text key={line} inverse={selected} wrap="truncate">
            {segments.length === 1
              ? segments[0]!.text
              : segments.map((seg, i) => (
                  <Text key={i} color={seg.color} dimColor={seg.dim}>
                    {seg.text}
                  </Text>
                ))}
          </Text>
        );
      })}
    </Box>
  );
}
