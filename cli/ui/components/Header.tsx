import { Box, Text } from 'ink';
import type { DbState, LiveKitState } from '../feed.js';

export interface HeaderProps {
  shown: number;
  total: number;
  live: number;
  sortLabel: string;
  filter: string;
  statusFilter: string | undefined;
  db: DbState;
  dbProblem: string | undefined;
  livekit: LiveKitState;
  readonly: boolean;
  color: boolean;
}

const LIVEKIT_TEXT: Record<LiveKitState, string> = { unknown: 'livekit …', ok: 'livekit ok', unreachable: 'livekit unreachable (presence ?)', off: 'livekit off' };

/** One line: what is shown, how it is sorted and filtered, and the health of the sources. */
export function Header({ shown, total, live, sortLabel, filter, statusFilter, db, dbProblem, livekit, readonly, color }: HeaderProps) {
  const dbText = db === 'live' ? 'db live' : db === 'connecting' ? 'db connecting…' : `reconnecting…${dbProblem ? ` (${dbProblem})` : ''}`;
  const dbColor = db === 'live' ? 'green' : 'yellow';
  return (
    <Box justifyContent="space-between">
      <Text wrap="truncate">
        <Text bold>interviewctl watch</Text>
        {` · ${shown === total ? total : `${shown} of ${total}`} interviews · ${live} live · sort: ${sortLabel}`}
        {statusFilter ? ` · status: ${statusFilter}` : ''}
        {filter ? ` · filter: ${filter}` : ''}
        {readonly ? ' · read-only' : ''}
      </Text>
      <Text wrap="truncate">
        <Text color={color ? dbColor : undefined} bold={db !== 'live'}>
          {dbText}
        </Text>
        {` · ${LIVEKIT_TEXT[livekit]}`}
      </Text>
    </Box>
  );
}
