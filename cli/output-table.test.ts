import { describe, expect, it } from 'vitest';
import { table } from './output.js';

// Where each column starts on screen: the terminal width of the text before it.
const columnOf = (line: string, cell: string) => {
  const at = line.indexOf(cell);
  let w = 0;
  for (const ch of line.slice(0, at)) w += /\p{M}/u.test(ch) ? 0 : /[\u3000-\u9fff]/u.test(ch) ? 2 : 1;
  return w;
};

describe('table', () => {
  it('aligns names with combining accents, precomposed accents and CJK characters', () => {
    const decomposed = 'Rene\u0301e Noe\u0308l'; // "Renée Noël" as e + U+0301, e + U+0308
    const precomposed = 'Ren\u00e9e No\u00ebl';
    const out = table(['NAME', 'REF'], [
      [decomposed, 'ATS-1'],
      [precomposed, 'ATS-2'],
      ['山田 太郎', 'ATS-3'],
      ['Ada', 'ATS-4'],
    ]).split('\n');
    const starts = out.slice(1).map((line, i) => columnOf(line, `ATS-${i + 1}`));
    expect(new Set(starts)).toEqual(new Set([columnOf(out[0]!, 'REF')]));
    // The widest name is 10 columns ("Renée Noël", either way it is written; 山田 太郎 is 9).
    expect(columnOf(out[0]!, 'REF')).toBe(12);
  });

  it('does not count colour codes in a cell as columns', () => {
    const out = table(['CHECK', 'DETAIL'], [['\x1b[32mok\x1b[39m', 'a'], ['down', 'b']]).split('\n');
    expect(out[1]!.replace(/\x1b\[[0-9;]*m/g, '').indexOf('a')).toBe(out[2]!.indexOf('b'));
  });
});
