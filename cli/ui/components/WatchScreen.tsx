import { Box, useApp, useInput, type Key } from 'ink';
import { useMemo, useReducer, useRef } from 'react';
import { shortId } from '../../core/interview.js';
import { isLive } from '../../core/states.js';
import type { WatchFeed, WatchRow } from '../feed.js';
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
  /** Frames at most this often (ms, or asked before each frame); the clock ticks every second regardless. */
  frameMs?: number | (() => number);
  /** Called when the operator presses Ctrl-C (before the app exits), so the caller can exit 130. */
  onInterrupt?: () => void;
}

const NO_KEY: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false,
};

/** The key a single character of a multi-key chunk stands for. */
function plainKey(ch: string): Key {
  return { ...NO_KEY, return: ch === '\r' || ch === '\n', backspace: ch === '\x7f' || ch === '\b', escape: ch === '\x1b', tab: ch === '\t' };
}

interface UiState {
  mode: Mode;
  sort: SortKey;
  filter: string;
  filterDraft: string;
  selectedId: string | undefined;
  detailId: string | null;
  confirmId: string | undefined;
  confirmBack: Mode;
  message: string | undefined;
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
  const columns = useMemo(() => layoutColumns(width - 1), [width]);
  // Keys can arrive faster than frames (a paste, a script): the handler reads and writes this
  // ref, so each key sees what the keys before it did, and a render follows.
  const ui = useRef<UiState>({ mode: 'table', sort: 'activity', filter: '', filterDraft: '', selectedId: undefined, detailId: null, confirmId: undefined, confirmBack: 'table', message: undefined });
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const set = (patch: Partial<UiState>) => {
    Object.assign(ui.current, patch);
    rerender();
  };
  const { mode, sort, filter, filterDraft, detailId, confirmId, confirmBack, message } = ui.current;
  const topRef = useRef(0);

  const activeFilter = mode === 'filter' ? filterDraft : filter;
  const rows = useMemo(() => visibleRows(snapshot.rows, activeFilter, sort), [snapshot.rows, activeFilter, sort]);
  const live = useMemo(() => snapshot.rows.reduce((n, r) => n + (isLive(r.status) ? 1 : 0), 0), [snapshot.rows]);
  const byId = useMemo(() => new Map(snapshot.rows.map((r) => [r.id, r])), [snapshot.rows]);
  const rowsRef = useRef({ rows, source: snapshot.rows, filter: activeFilter, sort });
  rowsRef.current = { rows, source: snapshot.rows, filter: activeFilter, sort };
  /** The rows as the keys so far have left them (the last frame may not show them yet). */
  const currentRows = () => {
    const seen = rowsRef.current;
    const f = ui.current.mode === 'filter' ? ui.current.filterDraft : ui.current.filter;
    return seen.filter === f && seen.sort === ui.current.sort ? seen.rows : visibleRows(seen.source, f, ui.current.sort);
  };

  // The selection follows the interview, not the line: rows move as they change.
  const indexOf = (list: readonly WatchRow[]) => {
    const i = ui.current.selectedId === undefined ? -1 : list.findIndex((r) => r.id === ui.current.selectedId);
    return i === -1 && list.length > 0 ? 0 : i;
  };
  const selected = indexOf(rows);
  const current = rows[selected];
  const bodyHeight = Math.max(3, termRows - 4); // header, column titles, footer, and one spare line
  const top = scrollWindow(rows.length, bodyHeight, Math.max(selected, 0), topRef.current);
  topRef.current = top;

  const detailRow = detailId === null ? undefined : byId.get(detailId);
  const detail = useDetail(feed, detailId, detailRow?.lastEvent?.seq ?? 0);

  const select = (list: readonly WatchRow[], index: number) => {
    if (list.length === 0) return;
    set({ selectedId: list[Math.min(list.length - 1, Math.max(0, index))]!.id });
  };
  const askEnd = (id: string | undefined | null, back: Mode) => {
    const row = id ? byId.get(id) : undefined;
    if (!row) return;
    if (readonly) return set({ message: 'read-only: ending is turned off' });
    if (row.status !== 'used' && row.status !== 'recording') return set({ message: `${shortId(row.id)} is ${row.status}: only a live interview can be ended` });
    set({ confirmId: row.id, confirmBack: back, mode: 'confirm' });
  };
  const endConfirmed = (id: string) => {
    set({ mode: ui.current.confirmBack, confirmId: undefined, message: `ending ${shortId(id)}…` });
    feed.end(id, 'ended by operator (watch)').then(
      () => set({ message: `${shortId(id)} is ending; the agent closes the session` }),
      (err: Error) => set({ message: `could not end ${shortId(id)}: ${err.message}` }),
    );
  };

  // Ink hands over several keys that arrive in one read (a paste, a busy machine, a script) as one
  // string: take them one at a time.
  useInput((input, key) => {
    if (input.length > 1 && !key.ctrl && !key.meta) {
      for (const ch of input) onKey(ch, plainKey(ch));
    } else onKey(input, key);
  });

  function onKey(input: string, key: Key) {
    const state = ui.current;
    if (key.ctrl && input === 'c') {
      onInterrupt?.();
      return exit();
    }
    if (state.mode === 'filter') {
      if (key.escape) set({ filterDraft: state.filter, mode: 'table' });
      else if (key.return) set({ filter: state.filterDraft, mode: 'table' });
      else if (key.backspace || key.delete) set({ filterDraft: state.filterDraft.slice(0, -1) });
      else if (input && !key.ctrl && !key.meta) set({ filterDraft: state.filterDraft + input });
      return;
    }
    if (state.mode === 'confirm') {
      if (input === 'y' || input === 'Y') endConfirmed(state.confirmId!);
      else set({ mode: state.confirmBack, confirmId: undefined, message: 'not ended' });
      return;
    }
    if (state.mode === 'help') {
      if (input === 'q') exit();
      else set({ mode: 'table' });
      return;
    }
    if (input === 'q') return exit();
    if (state.mode === 'detail') {
      if (key.escape || key.leftArrow || key.backspace || key.delete) set({ mode: 'table', detailId: null });
      else if (input === 'e') askEnd(state.detailId, 'detail');
      else if (input === '?') set({ mode: 'help' });
      return;
    }
    const list = currentRows();
    const at = indexOf(list);
    state.message = undefined;
    if (key.upArrow || input === 'k') select(list, at - 1);
    else if (key.downArrow || input === 'j') select(list, at + 1);
    else if (key.pageUp) select(list, at - bodyHeight);
    else if (key.pageDown) select(list, at + bodyHeight);
    else if (input === 'g' || key.home) select(list, 0);
    else if (input === 'G' || key.end) select(list, list.length - 1);
    else if (key.return && list[at]) set({ selectedId: list[at]!.id, detailId: list[at]!.id, mode: 'detail' });
    else if (input === '/') set({ filterDraft: state.filter, mode: 'filter' });
    else if (key.escape) set({ filter: '' });
    else if (input === 's') {
      const next = nextSort(state.sort);
      set({ sort: next, message: `sort: ${SORT_LABELS[next]}` });
    } else if (input === 'e') askEnd(list[at]?.id, 'table');
    else if (input === '?') set({ mode: 'help' });
    else rerender();
  }

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
        hooks={snapshot.hooks}
      />
      {mode === 'help' ? (
        <HelpView readonly={readonly} height={bodyHeight + 1} />
      ) : inDetail ? (
        <DetailView row={detailRow} timeline={detail.timeline} transcript={detail.transcript} error={detail.error} now={now} height={bodyHeight + 1} color={color} />
      ) : (
        <InterviewTable
          rows={rows.slice(top, top + bodyHeight)}
          columns={columns}
          width={width - 1}
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
