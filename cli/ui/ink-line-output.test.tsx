import { Box, Text } from 'ink';
import { render } from 'ink-testing-library';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { WatchScreen } from './components/WatchScreen.js';
import { composeLines, installLineOutput, uninstallLineOutput, type Composed, type OutputLike } from './ink-line-output.js';
import { fakeFeed, makeRow } from './testing/fake-feed.js';

// Ink's own styles (the bold title, the dim footer) are drawn as codes too, so they are compared.
const savedForceColor = vi.hoisted(() => {
  const saved = process.env.FORCE_COLOR;
  process.env.FORCE_COLOR = '3';
  return saved;
});

const NOW = Date.parse('2026-11-22T10:00:00Z');
const realImmediate = globalThis.setImmediate;
const realTick = () => new Promise<void>((resolve) => realImmediate(resolve));
async function settle(ms = 150) {
  await realTick();
  for (let t = 0; t < ms; t += 10) {
    await vi.advanceTimersByTimeAsync(Math.min(10, ms - t));
    await realTick();
  }
}

/**
 * What a terminal shows for one frame: per line, each cell's character and the attributes it is
 * drawn with. Two frames that look the same give the same cells, whatever codes they used.
 */
function screen(frame: string): string[][] {
  return frame.split('\n').map((line) => {
    const cells: string[] = [];
    let attrs: Record<string, string> = {};
    // eslint-disable-next-line no-control-regex
    const parts = line.split(/(\x1b\[[0-9;]*m)/);
    for (const part of parts) {
      // eslint-disable-next-line no-control-regex
      const sgr = /^\x1b\[([0-9;]*)m$/.exec(part);
      if (!sgr) {
        for (const ch of part) cells.push(`${ch}${JSON.stringify(attrs)}`);
        continue;
      }
      const codes = sgr[1] === '' ? [0] : sgr[1]!.split(';').map(Number);
      for (let i = 0; i < codes.length; i++) {
        const c = codes[i]!;
        const next = { ...attrs };
        if (c === 0) attrs = {};
        else if (c === 22) (delete next.bold, delete next.dim, (attrs = next));
        else if (c === 39) (delete next.fg, (attrs = next));
        else if (c === 49) (delete next.bg, (attrs = next));
        else if (c >= 23 && c <= 29) (delete next[`a${c - 20}`], (attrs = next));
        else if (c === 1 || c === 2) attrs = { ...attrs, [c === 1 ? 'bold' : 'dim']: 'on' };
        else if (c >= 3 && c <= 9) attrs = { ...attrs, [`a${c}`]: 'on' };
        else if ((c >= 30 && c <= 37) || (c >= 90 && c <= 97)) attrs = { ...attrs, fg: String(c) };
        else if ((c >= 40 && c <= 47) || (c >= 100 && c <= 107)) attrs = { ...attrs, bg: String(c) };
        else if (c === 38 || c === 48) {
          const n = codes[i + 1] === 5 ? 2 : 4;
          attrs = { ...attrs, [c === 38 ? 'fg' : 'bg']: codes.slice(i, i + n + 1).join(';') };
          i += n;
        }
      }
    }
    // Trailing blanks without attributes are not drawn.
    while (cells.length > 0 && cells[cells.length - 1] === ' {}') cells.pop();
    return cells;
  });
}

type Get = (this: OutputLike) => Composed;
interface Pair {
  ink: Composed;
  lines: Composed | undefined;
}
const pairs: Pair[] = [];
let proto: { get: Get } & Record<symbol, unknown>;

beforeAll(async () => {
  expect(await installLineOutput()).toEqual({ installed: true });
  const inkEntry = createRequire(import.meta.url).resolve('ink');
  proto = (await import(pathToFileURL(join(dirname(inkEntry), 'output.js')).href)).default.prototype;
  const inkGet = proto[Symbol.for('interviewctl.ink-line-output')] as Get;
  // Every frame Ink draws: what its grid makes of it, and what composeLines makes of it.
  proto.get = function get(this: OutputLike) {
    const ink = inkGet.call(this);
    pairs.push({ ink, lines: composeLines(this) });
    return ink;
  };
});

afterAll(async () => {
  await uninstallLineOutput();
  if (savedForceColor === undefined) delete process.env.FORCE_COLOR;
  else process.env.FORCE_COLOR = savedForceColor;
});

beforeEach(() => {
  pairs.length = 0;
});

function manyRows() {
  const statuses = ['recording', 'used', 'ending', 'completed', 'failed', 'created'] as const;
  return Array.from({ length: 40 }, (_, i) =>
    makeRow(
      {
        id: `R${String(i).padStart(3, '0')}abcd000000000000${i % 10}`,
        candidate: i === 3 ? 'Zoë 山田 Wide' : `Candidate ${i}`,
        status: statuses[i % statuses.length],
        usedAt: new Date(NOW - (i + 1) * 60_000),
        presence: { candidate: i % 2 === 0, agent: i % 3 === 0 ? false : true },
        recordingBytes: i % 4 === 0 ? i * 1_000_000 : null,
        lastEvent: { seq: i + 1, at: new Date(NOW - i * 7_000), from: 'used', to: statuses[i % statuses.length], actor: 'agent', reason: i % 5 === 0 ? 'a reason' : null },
      },
      NOW,
    ),
  );
}

describe('the live view drawn line by line', () => {
  it('looks exactly as Ink draws it, in every view of the watch screen', async () => {
    vi.useFakeTimers({ now: NOW });
    try {
      const feed = fakeFeed(manyRows());
      feed.timelines.set(manyRows()[0]!.id, [{ seq: 1, at: new Date(NOW - 60_000), from: 'created', to: 'used', actor: 'candidate', reason: 'first join' }]);
      feed.transcripts.set(manyRows()[0]!.id, [{ seq: 1, speaker: 'agent', text: 'Hello there.', startMs: 1000 }]);
      const { stdin, lastFrame, unmount } = render(<WatchScreen feed={feed} color />);
      await settle();
      for (const keys of ['j', 'j', 'j', 's', 's', '/', 'cand', '\r', '\u001B', 'e', 'n', '?', 'x', '\r', '\u001B']) {
        stdin.write(keys);
        await settle(120);
      }
      feed.push({ db: 'reconnecting', dbProblem: 'ECONNREFUSED', livekit: 'unreachable' });
      await settle(1200);
      feed.push({ rows: [] });
      await settle();
      expect(lastFrame()).toContain('no interviews yet');
      unmount();
    } finally {
      vi.useRealTimers();
    }
    expect(pairs.length).toBeGreaterThan(15);
    for (const { ink, lines } of pairs) {
      expect(lines, 'the watch screen never needs the grid').toBeDefined();
      expect(lines!.height).toBe(ink.height);
      expect(screen(lines!.output)).toEqual(screen(ink.output));
    }
  });

  it('looks as Ink draws it for indented, multi-line and styled texts', async () => {
    const { unmount } = render(
      <Box flexDirection="column" paddingLeft={2} paddingTop={1}>
        <Text color="green">{'one\ntwo  '}</Text>
        <Box marginLeft={3}>
          <Text inverse>
            three <Text bold>four</Text>
          </Text>
        </Box>
        <Text dimColor>five</Text>
      </Box>,
    );
    await realTick();
    unmount();
    expect(pairs.length).toBeGreaterThan(0);
    for (const { ink, lines } of pairs) {
      expect(lines).toBeDefined();
      expect(screen(lines!.output)).toEqual(screen(ink.output));
    }
  });

  it('leaves frames with texts side by side or clipped to Ink', async () => {
    const side = render(
      <Box>
        <Text color="red">left</Text>
        <Text>right</Text>
      </Box>,
    );
    const clipped = render(
      <Box width={5} height={2} overflow="hidden">
        <Text>far too long for the box</Text>
      </Box>,
    );
    await realTick();
    // eslint-disable-next-line no-control-regex
    expect(side.lastFrame()?.replace(/\x1b\[[0-9;]*m/g, '')).toContain('leftright');
    expect(clipped.lastFrame()).toBe('far\ntoo');
    expect(pairs.length).toBeGreaterThanOrEqual(2);
    for (const { lines } of pairs) expect(lines).toBeUndefined();
    side.unmount();
    clipped.unmount();
  });

  it('closes a style a text left open, as Ink does', () => {
    const out: OutputLike & { operations: object[] } = {
      width: 20,
      height: 3,
      operations: [
        { type: 'write', x: 2, y: 0, text: '\x1b[31mred\nplain  ', transformers: [] },
        { type: 'write', x: 0, y: 2, text: 'x', transformers: [(line: string) => `<${line}>`] },
      ],
    };
    expect(composeLines(out)).toEqual({ output: '  \x1b[31mred\x1b[0m\n  plain\n<x>', height: 3 });
  });
});
