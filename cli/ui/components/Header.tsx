import { Text } from 'ink';
import type { DbState, HookBacklog, LiveKitState } from '../feed.js';
import { hookBacklogText } from '../hook-backlog.js';

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
  hooks?: readonly HookBacklog[];
}

const LIVEKIT_TEXT: Record<LiveKitState, string> = { unknown: 'livekit …', ok: 'livekit ok', unreachable: 'livekit unreachable', off: 'livekit off' };

/** One line: the health of the sources first (it matters most when it is bad), then what is shown. */
export function Header({ shown, total, live, sortLabel, filter, statusFilter, db, dbProblem, livekit, readonly, color, hooks }: HeaderProps) {
  const hookText = hookBacklogText(hooks);
  const dbText = db === 'live' ? 'db live' : db === 'connecting' ? 'db connecting…' : `reconnecting…${dbProblem ? ` (${dbProblem})` : ''}`;
  const paint = (c: string) => (color ? c : undefined);
  return (
    <Text wrap="truncate">
      <Text bold>watch</Text>
      {' · '}
      <Text color={paint(db === 'live' ? 'green' : 'yellow')} bold={db !== 'live'}>
        {dbText}
      </Text>
      {' · '}
      <Text color={paint(livekit === 'unreachable' ? 'yellow' : livekit === 'ok' ? 'green' : 'gray')}>{LIVEKIT_TEXT[livekit]}</Text>
      {hookText ? <Text color={paint(hooks?.some((h) => h.state !== 'ok') ? 'yellow' : 'gray')}>{hookText}</Text> : ''}
      {` · ${shown === total ? total : `${shown} of ${total}`} interview${total === 1 ? '' : 's'} · ${live} live · sort: ${sortLabel}`}
      {statusFilter ? ` · status: ${statusFilter}` : ''}
      {filter ? ` · filter: ${filter}` : ''}
      {readonly ? ' · read-only' : ''}
    </Text>
  );
}
