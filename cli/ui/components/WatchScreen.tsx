import { Box, useApp, useInput } from 'ink';
import { useMemo, useRef, useState } from 'react';
import { shortId } from '../../core/interview.js';
import { isLive } from '../../core/states.js';
import type { WatchFeed } from '../feed.js';
import { useDetail } from '../hooks/use-detail.js';
import { useFeedSnapshot } from '../hooks/use-feed-snapshot.js';
import { useNow } from '../hooks/use-now.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { layoutColumns, nextSort, scrollWindow, SORT_LABELS, visibleRows, type SortKey } from '../watch-model.js';
import { DetailView } from './DetailView.js';
import { Footer, type Mode } from './Footer.js';
import { Header } from './Header.js';
import { HelpView } from './HelpView.js';
import { InterviewTable } from './InterviewTable.js';

export interface WatchScreenProps {
  feed: WatchFeed;
  readonly?: boolean;
  color?: boolean;
  /** Shown in the header when the feed is limited to one status. */
  statusFilter?: string;
  /** Frames at most this often (ms); the clock ticks every second regardless. */
  frameMs?: number;
  /** Called when the operator presses Ctrl-C (before the app exits), so the caller can exit 130. */
  onInterrupt?: () => void;
}

/**
 * The live view: wires the feed's hooks to the views and turns keys into actions. All data comes
 * from the feed that is passed in; nothing here talks to a database.
 */
export function WatchScreen({ feed, readonly = false, color = true, statusFilter, frameMs = 100, onInterrupt }: WatchScreenProps) {
  const { exit } = useApp();
  const snapshot = useFeedSnapshot(feed, frameMs);
  const now = useNow(1000);
  const { columns: width, rows: termRows } = useTerminalSize();
  const [mode, setMode] = useState<Mode>('table');
  const [sort, setSort] = useState<SortKey>('activity');
  const [filter, setFilter] = useState('');
  const [filterDraft, setFilterDraft] = useState('');
  const [selectedId, setSelectedId] = useState<string | undefined>();
  const [detailId, setDetailId] = useState<string | null>(null);
  const [confirmId, setConfirmId] = useState<string | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const topRef = useRef(0);

  const activeFilter = mode === 'filter' ? filterDraft : filter;
  const rows = useMemo(() => visibleRows(snapshot.rows, activeFilter, sort), [snapshot.rows, activeFilter, sort]);
  const live = useMemo(() => snapshot.rows.reduce((n, r) => n + (isLive(r.status) ? 1 : 0), 0), [snapshot.rows]);
  const byId = useMemo(() => new Map(snapshot.rows.map((r) => [r.id, r])), [snapshot.rows]);

  // The selection follows the interview, not the line: rows move as they change.
  let selected = selectedId === undefined ? -1 : rows.findIndex((r) => r.id === selectedId);
  if (selected === -1 && rows.length > 0) selected = 0;
  const current = rows[selected];
  const bodyHeight = Math.max(3, termRows - 4); // header, column titles, footer, and one spare line
  const top = scrollWindow(rows.length, bodyHeight, Math.max(selected, 0), topRef.current);
  topRef.current = top;

  const detailRow = detailId === null ? undefined : byId.get(detailId);
  const detail = useDetail(feed, detailId, detailRow?.lastEvent?.seq ?? 0);

  const select = (index: number) => {
    if (rows.length === 0) return;
    setSelectedId(rows[Math.min(rows.length - 1, Math.max(0, index))]!.id);
  };
  const askEnd = (id: string | undefined) => {
    const row = id === undefined ? undefined : byId.get(id);
    if (!row) return;
    if (readonly) return setMessage('read-only: ending is turned off');
    if (row.status !== 'used' && row.status !== 'recording') return setMessage(`${shortId(row.id)} is ${row.status}: only a live interview can be ended`);
    setConfirmId(row.id);
    setMode('confirm');
  };
  const endConfirmed = (id: string, back: Mode) => {
    setMode(back);
    setConfirmId(undefined);
    setMessage(`ending ${shortId(id)}…`);
    feed.end(id, 'ended by operator (watch)').then(
      () => setMessage(`${shortId(id)} is ending; the agent closes the session`),
      (err: Error) => setMessage(`could not end ${shortId(id)}: ${err.message}`),
    );
  };
  const [confirmBack, setConfirmBack] = useState<Mode>('table');

  useInput((input, key) => {
    if (key.ctrl && input === 'c') {
      onInterrupt?.();
      return exit();
    }
    if (mode === 'filter') {
      if (key.escape) {
        setFilterDraft(filter);
        setMode('table');
      } else if (key.return) {
        setFilter(filterDraft);
        setMode('table');
      } else if (key.backspace || key.delete) setFilterDraft((d) => d.slice(0, -1));
      else if (input && !key.ctrl && !key.meta) setFilterDraft((d) => d + input);
      return;
    }
    if (mode === 'confirm') {
      if (input === 'y' || input === 'Y') endConfirmed(confirmId!, confirmBack);
      else {
        setMode(confirmBack);
        setConfirmId(undefined);
        setMessage('not ended');
      }
      return;
    }
    if (mode === 'help') {
      if (input === 'q') exit();
      else setMode('table');
      return;
    }
    if (input === 'q') return exit();
    if (mode === 'detail') {
      if (key.escape || key.leftArrow || key.backspace || key.delete) {
        setMode('table');
        setDetailId(null);
      } else if (input === 'e') {
        setConfirmBack('detail');
        askEnd(detailId ?? undefined);
      } else if (input === '?') setMode('help');
      return;
    }
    setMessage(undefined);
    if (key.upArrow || input === 'k') select(selected - 1);
    else if (key.downArrow || input === 'j') select(selected + 1);
    else if (key.pageUp) select(selected - bodyHeight);
    else if (key.pageDown) select(selected + bodyHeight);
    else if (input === 'g' || key.home) select(0);
    else if (input === 'G' || key.end) select(rows.length - 1);
    else if (key.return && current) {
      setSelectedId(current.id);
      setDetailId(current.id);
      setMode('detail');
    } else if (input === '/') {
      setFilterDraft(filter);
      setMode('filter');
    } else if (key.escape) setFilter('');
    else if (input === 's') {
      const next = nextSort(sort);
      setSort(next);
      setMessage(`sort: ${SORT_LABELS[next]}`);
    } else if (input === 'e') {
      setConfirmBack('table');
      askEnd(current?.id);
    } else if (input === '?') setMode('help');
  });

  const confirmRow = confirmId === undefined ? undefined : byId.get(confirmId);
  const confirmText = confirmRow ? `end interview ${shortId(confirmRow.id)} (${confirmRow.candidate}, ${confirmRow.status})?` : undefined;
  const inDetail = (mode === 'detail' || (mode === 'confirm' && confirmBack === 'detail')) && detailRow;

  return (
    <Box flexDirection="column">
      <Header
        shown={rows.length}
        total={snapshot.rows.length}
        live={live}
        sortLabel={SORT_LABELS[sort]}
        filter={activeFilter}
        statusFilter={statusFilter}
        db={snapshot.db}
        dbProblem={snapshot.dbProblem}
        livekit={snapshot.livekit}
        readonly={readonly}
        color={color}
      />
      {mode === 'help' ? (
        <HelpView readonly={readonly} height={bodyHeight + 1} />
      ) : inDetail ? (
        <DetailView row={detailRow} timeline={detail.timeline} transcript={detail.transcript} error={detail.error} now={now} height={bodyHeight + 1} color={color} />
      ) : (
        <InterviewTable
          rows={rows.slice(top, top + bodyHeight)}
          columns={layoutColumns(width - 1)}
          selectedId={current?.id}
          now={now}
          color={color}
          height={bodyHeight}
          emptyText={snapshot.rows.length === 0 ? 'no interviews yet' : 'nothing matches the filter'}
        />
      )}
      <Footer mode={mode === 'confirm' ? 'confirm' : mode} readonly={readonly} filterDraft={filterDraft} message={message} confirmText={confirmText} color={color} />
    </Box>
  );
}
