import { Text } from 'ink';

export type Mode = 'table' | 'detail' | 'filter' | 'confirm' | 'help';

export interface FooterProps {
  mode: Mode;
  readonly: boolean;
  filterDraft: string;
  message: string | undefined;
  confirmText: string | undefined;
  color: boolean;
}

/** The last line: the keys that work now, the filter being typed, or the end confirmation. */
export function Footer({ mode, readonly, filterDraft, message, confirmText, color }: FooterProps) {
  if (mode === 'filter') return <Text>{`/${filterDraft}`}<Text inverse> </Text><Text dimColor>{'   enter apply · esc cancel'}</Text></Text>;
  if (mode === 'confirm') return <Text color={color ? 'yellow' : undefined} bold>{`${confirmText ?? ''} [y/N]`}</Text>;
  const keys =
    mode === 'detail'
      ? `esc back${readonly ? '' : ' · e end'} · q quit`
      : `↑↓/jk move · enter details · / filter · s sort${readonly ? '' : ' · e end'} · ? help · q quit`;
  return (
    <Text wrap="truncate">
      {message ? <Text color={color ? 'cyan' : undefined}>{`${message}  `}</Text> : null}
      <Text dimColor>{keys}</Text>
    </Text>
  );
}
