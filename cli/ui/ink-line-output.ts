import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * A faster last step for Ink's frames, for the live view.
 *
 * Ink (6.8) turns the laid-out text of a frame into terminal lines in `Output#get`: it builds a
 * grid of one object per cell of the terminal, splits every written line into graphemes
 * (Intl.Segmenter) with their styles, and encodes the grid back into a string. That grid is
 * there so that texts drawn over one another, or clipped by a box, compose correctly; it is where
 * almost all of a frame's CPU goes (measured: ~10 ms of ~13 ms for a 160×50 table, most of the
 * rest being the garbage it leaves).
 *
 * The watch screen is a column of texts: no two texts share a terminal line, and nothing clips.
 * For a frame like that the grid changes nothing: each line is its one text, shifted to its
 * column, styles as written. `composeLines` builds exactly that, and declines (so Ink's own
 * grid runs) as soon as a frame is anything else: a clip, two texts on one line, an operation it
 * does not know. ink-line-output.test.ts checks it against Ink's own output for every view.
 */

type Transformer = (line: string, index: number) => string;

interface WriteOperation {
  type: 'write';
  x: number;
  y: number;
  text: string;
  transformers: readonly Transformer[];
}

/** What an Ink Output holds when it is asked for its lines. */
export interface OutputLike {
  width: number;
  height: number;
  operations: readonly { type: string }[];
}

export interface Composed {
  output: string;
  height: number;
}

const isWrite = (op: { type: string }): op is WriteOperation => {
  const w = op as Partial<WriteOperation>;
  return op.type === 'write' && typeof w.text === 'string' && Number.isInteger(w.x) && Number.isInteger(w.y) && Array.isArray(w.transformers);
};

/**
 * The frame's lines when every write has terminal lines of its own; undefined when Ink's grid is
 * needed. Like Ink: transformers run per line, lines past the frame's height are dropped, and
 * trailing blanks are trimmed.
 */
export function composeLines(out: OutputLike): Composed | undefined {
  if (!Array.isArray(out.operations) || !Number.isInteger(out.height) || out.height < 0) return undefined;
  const lines: (string | undefined)[] = new Array<string | undefined>(out.height);
  for (const op of out.operations) {
    if (!isWrite(op) || op.x < 0) return undefined;
    const parts = op.text.split('\n');
    for (let i = 0; i < parts.length; i++) {
      const y = op.y + i;
      if (y < 0 || y >= out.height) continue;
      let line = parts[i]!;
      for (const transform of op.transformers) line = transform(line, i);
      // Writing nothing leaves the line as it was, in Ink too.
      if (line === '') continue;
      if (lines[y] !== undefined) return undefined;
      lines[y] = op.x > 0 ? ' '.repeat(op.x) + line : line;
    }
  }
  let output = '';
  for (let y = 0; y < out.height; y++) {
    if (y > 0) output += '\n';
    const line = lines[y]?.trimEnd();
    if (!line) continue;
    // Ink ends every line with its styles closed; a text that left one open must not colour the
    // lines after it.
    output += line.includes('\x1b') ? `${line}\x1b[0m` : line;
  }
  return { output, height: out.height };
}

type Get = (this: OutputLike) => Composed;
type OutputPrototype = { get?: Get; write?: unknown } & Record<symbol, unknown>;
interface OutputClass {
  prototype?: OutputPrototype;
  new (o: { width: number; height: number }): OutputLike & { write(x: number, y: number, text: string, o: { transformers: Transformer[] }): void; get(): Composed };
}
const INSTALLED = Symbol.for('interviewctl.ink-line-output');

/** Ink's Output class is not exported: load the module its renderer imports, by the same URL, so the same class. */
async function inkOutputClass(): Promise<OutputClass | undefined> {
  try {
    const inkEntry = createRequire(import.meta.url).resolve('ink');
    const mod = (await import(pathToFileURL(join(dirname(inkEntry), 'output.js')).href)) as { default?: OutputClass };
    const proto = mod.default?.prototype;
    return proto && typeof proto.get === 'function' ? mod.default : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the fast path takes an Output of this Ink at all: one line written and read back. An
 * Ink whose Output records writes differently would have every frame declined, silently.
 */
function takesFastPath(Output: OutputClass): boolean {
  try {
    const probe = new Output({ width: 20, height: 2 });
    probe.write(2, 1, 'probe', { transformers: [] });
    return composeLines(probe)?.output === '\n  probe';
  } catch {
    return false;
  }
}

export type LineOutputInstall = { installed: true } | { installed: false; reason: string };

/**
 * Makes Ink's Output use `composeLines` where it can, for this process. Changes nothing, and
 * says why, when this Ink's Output is not the shape this was written for (Ink 6.8): the view then
 * works as before at Ink's own cost per frame (measured 20.6 ms instead of 3 for a 160x50 table).
 */
export async function installLineOutput(load: () => Promise<OutputClass | undefined> = inkOutputClass): Promise<LineOutputInstall> {
  const Output = await load();
  const proto = Output?.prototype;
  if (!Output || !proto || typeof proto.get !== 'function') return { installed: false, reason: "Ink's Output class (ink/build/output.js) was not found" };
  if (proto[INSTALLED]) return { installed: true };
  if (!takesFastPath(Output)) return { installed: false, reason: "Ink's Output no longer records writes the way this patch reads them" };
  const inkGet = proto.get;
  proto.get = function get(this: OutputLike) {
    return composeLines(this) ?? inkGet.call(this);
  };
  proto[INSTALLED] = inkGet;
  return { installed: true };
}

/** The warning for an operator when the patch did not install. */
export function lineOutputWarning(r: LineOutputInstall): string | undefined {
  if (r.installed) return undefined;
  return `the live view's fast frame output is off (${r.reason}); watch works, but each frame costs several times the CPU. Was Ink upgraded past 6.8? cli/ui/ink-line-output.ts needs a look.`;
}

/** Puts Ink's own Output#get back (tests compare the two). */
export async function uninstallLineOutput(): Promise<void> {
  const proto = (await inkOutputClass())?.prototype;
  const inkGet = proto?.[INSTALLED] as Get | undefined;
  if (proto && inkGet) {
    proto.get = inkGet;
    delete proto[INSTALLED];
  }
}
