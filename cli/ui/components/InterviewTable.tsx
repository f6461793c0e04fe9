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
  /** Lines for rows (the header is extra); empty lines keep the frame's height steady. */
  height: number;
  emptyText: string;
}

/** The table of interviews: one line per row, the selected one marked and inverted. */
export function InterviewTable({ rows, columns, selectedId, now, color, height, emptyText }: InterviewTableProps) {
  const header = columns.map((c) => fit(c.title, c.width)).join(' ');
  return (
    <Box flexDirection="column">
      <Text bold> {header}</Text>
      {rows.length === 0 ? <Text dimColor> {emptyText}</Text> : null}
      {rows.map((r) => {
        const cells = cellsOf(r, now);
        const selected = r.id === selectedId;
        return (
          <Text key={r.id} inverse={selected} wrap="truncate">
            {selected ? '›' : ' '}
            {columns.map((c, i) => {
              const text = fit(cells[c.key], c.width) + (i < columns.length - 1 ? ' ' : '');
              if (!color) return <Text key={c.key}>{text}</Text>;
              if (c.key === 'status') return <Text key={c.key} color={STATUS_COLORS[r.status]}>{text}</Text>;
              if (c.key === 'remaining' && isOvertime(r, now)) return <Text key={c.key} color="red">{text}</Text>;
              if ((c.key === 'cand' || c.key === 'agent') && cells[c.key] === 'no') return <Text key={c.key} color="yellow">{text}</Text>;
              if (c.key === 'last' || c.key === 'id') return <Text key={c.key} dimColor={!selected}>{text}</Text>;
              return <Text key={c.key}>{text}</Text>;
            })}
          </Text>
        );
      })}
      {Array.from({ length: Math.max(0, height - Math.max(rows.length, 1)) }, (_, i) => (
        <Text key={`pad-${i}`}> </Text>
      ))}
    </Box>
  );
}
