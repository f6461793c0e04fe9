import { describe, expect, it } from 'vitest';
import { installLineOutput, lineOutputWarning } from './ink-line-output.js';

type Op = { type: string; [k: string]: unknown };

/** An Output like Ink 6.8's: write() records `{type: 'write', x, y, text, transformers}`. */
class Ink68Output {
  operations: Op[] = [];
  constructor(readonly o: { width: number; height: number }) {}
  get width() {
    return this.o.width;
  }
  get height() {
    return this.o.height;
  }
  write(x: number, y: number, text: string, { transformers }: { transformers: unknown[] }) {
    this.operations.push({ type: 'write', x, y, text, transformers });
  }
  get() {
    return { output: 'ink grid', height: this.o.height };
  }
}

/** A later Ink that records its writes in another shape (here: a `draw` operation with a position). */
class ChangedOutput extends Ink68Output {
  override write(x: number, y: number, text: string) {
    this.operations.push({ type: 'draw', at: [x, y], text });
  }
}

describe('installing the line output on an Ink it was not written for', () => {
  it('installs on an Output that records writes as Ink 6.8 does, and its frames take the fast path', async () => {
    class Output extends Ink68Output {}
    expect(await installLineOutput(async () => Output as never)).toEqual({ installed: true });
    const out = new Output({ width: 10, height: 1 });
    out.write(0, 0, 'fast', { transformers: [] });
    expect(out.get().output).toBe('fast');
  });

  it('changes nothing and says why when the Output records writes differently', async () => {
    class Output extends ChangedOutput {}
    const ownGet = Output.prototype.get;
    const result = await installLineOutput(async () => Output as never);
    expect(result.installed).toBe(false);
    expect(Output.prototype.get).toBe(ownGet);
    expect(new Output({ width: 10, height: 1 }).get().output).toBe('ink grid');
    const warning = lineOutputWarning(result)!;
    expect(warning).toContain("Ink's Output no longer records writes the way this patch reads them");
    expect(warning).toContain('Ink upgraded past 6.8');
    expect(warning).toContain('cli/ui/ink-line-output.ts');
  });

  it('says so when Ink has no Output module where it used to be', async () => {
    const result = await installLineOutput(async () => undefined);
    expect(result).toEqual({ installed: false, reason: expect.stringContaining('was not found') });
    expect(lineOutputWarning(result)).toContain('fast frame output is off');
  });

  it('has nothing to say when it installed', () => {
    expect(lineOutputWarning({ installed: true })).toBeUndefined();
  });
});
