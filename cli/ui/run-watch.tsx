import { render } from 'ink';
import type { WatchFeed } from './feed.js';
import { WatchScreen } from './components/WatchScreen.js';
import { createFrameBudget } from './frame-budget.js';
import { installLineOutput, lineOutputWarning } from './ink-line-output.js';

export interface RunWatchOptions {
  readonly: boolean;
  color: boolean;
  statusFilter?: string;
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  /** Said before the view takes the screen, so it is still there when the view closes. */
  warn?: (message: string) => void;
}

/** Wider than this, a frame only gets more expensive: the last column has all it can show. */
const MAX_COLUMNS = 160;

/**
 * The terminal as Ink sees it: the real one, but at most MAX_COLUMNS wide. Ink lays out and
 * measures every cell of its width on every frame.
 */
function narrowed(stdout: NodeJS.WriteStream): NodeJS.WriteStream {
  return new Proxy(stdout, {
    get(target, key) {
      if (key === 'columns') return Math.min(target.columns || 80, MAX_COLUMNS);
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * Draws the live view on the alternate screen until the operator quits; resolves with how it
 * ended. Loaded only in TTY mode, so `--help` and the NDJSON stream never load Ink or React.
 */
export async function runWatchTui(feed: WatchFeed, opts: RunWatchOptions): Promise<'quit' | 'interrupted'> {
  let interrupted = false;
  // Most of a frame's CPU is Ink's cell grid, which this screen (a column of lines) does not need.
  const warning = lineOutputWarning(await installLineOutput());
  if (warning) opts.warn?.(warning);
  const budget = createFrameBudget();
  opts.stdout.write('\x1b[?1049h\x1b[H');
  // A signal ends the process without unwinding this function: leave the alternate screen anyway.
  const leaveScreen = () => opts.stdout.write('\x1b[?1049l');
  process.once('exit', leaveScreen);
  try {
    const app = render(
      <WatchScreen
        feed={feed}
        readonly={opts.readonly}
        color={opts.color}
        statusFilter={opts.statusFilter}
        frameMs={budget.intervalMs}
        onInterrupt={() => (interrupted = true)}
      />,
      { stdout: narrowed(opts.stdout), stdin: opts.stdin, exitOnCtrlC: false, patchConsole: false, maxFps: 20 },
    );
    await app.waitUntilExit();
  } finally {
    process.off('exit', leaveScreen);
    leaveScreen();
  }
  return interrupted ? 'interrupted' : 'quit';
}
