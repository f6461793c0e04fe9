import { Box, Text } from 'ink';

export interface HelpViewProps {
  readonly: boolean;
  height: number;
}

const KEYS: [string, string][] = [
  ['↑ ↓  j k', 'move the selection'],
  ['PgUp PgDn  g G', 'page up / down, first / last'],
  ['enter', 'details: event timeline and live transcript'],
  ['/', 'filter by id, candidate or status; "review": what waits for a person (esc clears)'],
  ['s', 'change the sort order'],
  ['e', 'end the selected live interview (asks first)'],
  ['esc', 'back / clear the filter'],
  ['?', 'this help'],
  ['q', 'quit'],
];

/** The key reference. */
export function HelpView({ readonly, height }: HelpViewProps) {
  const rows = KEYS.filter(([k]) => !(readonly && k === 'e'));
  return (
    <Box flexDirection="column" height={height}>
      <Text bold>keys</Text>
      {rows.map(([k, what]) => (
        <Text key={k}>{`  ${k.padEnd(16)}${what}`}</Text>
      ))}
      <Text> </Text>
      <Text dimColor>{readonly ? '  read-only: ending interviews is turned off (--readonly).' : '  ending asks for confirmation; the agent closes the session when it sees the change.'}</Text>
      <Text dimColor>  CAND / AGENT: in the LiveKit room (yes / no / ? when LiveKit cannot be asked).</Text>
      <Text dimColor>  press any key to go back</Text>
    </Box>
  );
}
