import { describe, expect, it } from 'vitest';
import stringWidth from 'string-width';
import { rowLine, titleLine } from './row-text.js';
import { makeRow } from './testing/fake-feed.js';
import { layoutColumns } from './watch-model.js';

const NOW = Date.parse('2026-11-22T10:00:00Z');
const COLUMNS = layoutColumns(119);

/** The terminal column where `needle` starts in `line`. */
const screenColumn = (line: string, needle: string) => stringWidth(line.slice(0, line.indexOf(needle)));

describe('live table rows with names that are not plain ASCII', () => {
  it('keeps STATUS under its title for decomposed accents, CJK and long names alike', () => {
    const names = ['Rene\u0301e Noe\u0308l', 'Ren\u00e9e No\u00ebl', '山田 太郎', 'Ada Lovelace', 'Zoe\u0308 Bartholomew-Fitzgerald III'];
    const status = screenColumn(titleLine(COLUMNS), 'STATUS');
    for (const name of names) {
      const line = rowLine(makeRow({ name }, NOW), COLUMNS, NOW, false, false);
      expect(screenColumn(line, 'recording'), name).toBe(status);
    }
  });
});
