import { render } from 'ink';
import type { WatchFeed } from './feed.js';
import { WatchScreen } from './components/WatchScreen.js';

export interface RunWatchOptions {
  readonly: boolean;
  color: boolean;
  statusFilter?: string;
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
}

/**
 * Draws the live view on the alternate screen until the operator quits; resolves with how it
 * ended. Loaded only in TTY mode, so `--help` and the NDJSON stream never load Ink or React.
 */
export async function runWatchTui(feed: WatchFeed, opts: RunWatchOptions): Promise<'quit' | 'interrupted'> {
  let interrupted = false;
  opts.stdout.write('\x1b[?1049h\x1b[H');
  try {
    const app = render(
      <WatchScreen feed={feed} readonly={opts.readonly} color={opts.color} statusFilter={opts.statusFilter} onInterrupt={() => (interrupted = true)} />,
      { stdout: opts.stdout, stdin: opts.stdin, exitOnCtrlC: false, patchConsole: false, maxFps: 20 },
    );
    await app.waitUntilExit();
  } finally {
    opts.stdout.write('\x1b[?1049l');
  }
  return interrupted ? 'interrupted' : 'quit';
}
