import { Box, Text } from 'ink';
import { formatClock, formatDuration } from '../../core/duration.js';
import type { TimelineEntry, TranscriptEntry, WatchRow } from '../feed.js';
import { bytesText, elapsedText, eventText, presenceText, remainingText } from '../watch-model.js';
import { printable, STATUS_PAINT } from '../row-text.js';

export interface DetailViewProps {
  row: WatchRow;
  timeline: TimelineEntry[] | undefined;
  transcript: TranscriptEntry[] | null | undefined;
  error: string | undefined;
  now: number;
  height: number;
  color: boolean;
}

const clock = (d: Date) => d.toISOString().slice(11, 19);

/** One interview: its state and times, the event timeline, and the transcript as it is written. */
export function DetailView({ row, timeline, transcript, error, now, height, color }: DetailViewProps) {
  const facts: [string, string][] = [
    ['id', row.id],
    ['candidate', row.candidate],
    ['status', row.status + (row.error ? ` (${row.error})` : '') + (row.endReason ? ` · ended: ${row.endReason}` : '')],
    ['duration', formatDuration(row.durationMs)],
    ['elapsed / left', `${elapsedText(row, now)} / ${remainingText(row, now)}`],
    ['in the room', `candidate ${presenceText(row.presence.candidate, row.status) || '-'} · agent ${presenceText(row.presence.agent, row.status) || '-'}`],
    ['recording', bytesText(row.recordingBytes) || '-'],
  ];
  const timelineLines = (timeline ?? []).map((e) => printable(`${clock(e.at)}  ${eventText(e)}  by ${e.actor}`));
  // Space left below the facts: the timeline keeps its newest lines, the transcript what remains.
  const budget = Math.max(4, height - facts.length - 4);
  const transcriptLines = (transcript ?? []).map((u) => printable(`${u.startMs === null ? '     ' : formatClock(u.startMs).padStart(5)}  ${u.speaker}: ${u.text ?? '(no text)'}`));
  const timelineShown = timelineLines.slice(-Math.max(2, Math.ceil(budget / 2)));
  const transcriptShown = transcriptLines.slice(-Math.max(1, budget - timelineShown.length - 2));
  return (
    <Box flexDirection="column" height={height}>
      {facts.map(([k, v]) => (
        <Text key={k} wrap="truncate">
          <Text dimColor>{k.padEnd(15)}</Text>
          {k === 'status' && color ? <Text color={STATUS_PAINT[row.status]}>{printable(v)}</Text> : printable(v)}
        </Text>
      ))}
      <Text bold>timeline</Text>
      {error ? <Text color={color ? 'red' : undefined}>{`  could not load: ${error}`}</Text> : null}
      {timeline === undefined ? <Text dimColor>  loading…</Text> : null}
      {timeline !== undefined && timelineLines.length === 0 ? <Text dimColor>  created, no events yet</Text> : null}
      {timelineShown.map((l, i) => (
        <Text key={`t${i}`} wrap="truncate">{`  ${l}`}</Text>
      ))}
      <Text bold>transcript</Text>
      {transcript === null ? <Text dimColor>  no transcript store in this database yet</Text> : null}
      {transcript !== null && transcript !== undefined && transcriptLines.length === 0 ? <Text dimColor>  nothing said yet</Text> : null}
      {transcriptShown.map((l, i) => (
        <Text key={`u${i}`} wrap="truncate">{`  ${l}`}</Text>
      ))}
    </Box>
  );
}
