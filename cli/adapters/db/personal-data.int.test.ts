import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/int/helpers/db.js';
import { KEPT_INTERVIEW_TABLES, PERSONAL_TABLES } from '../../core/personal-data.js';

// The table list that export, delete and purge share must match the schema: every column it names
// exists, and every table that holds rows about an interview is either in it or kept on purpose.
// A migration that adds such a table fails here until the table is classified.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrate: true });
});
afterAll(async () => {
  await db?.drop();
});

describe('the personal-data table list', () => {
  it('names only tables and columns that exist', async () => {
    const cols = await db.sql<{ t: string; c: string }[]>`select table_name as t, column_name as c from information_schema.columns where table_schema = current_schema()`;
    const has = (t: string, c: string) => cols.some((x) => x.t === t && x.c === c);
    for (const t of PERSONAL_TABLES) {
      const own = [t.orderBy, ...t.personal, ...(t.onlyWhere ? [t.onlyWhere.column] : []), ...(t.through ? [t.through.column] : [t.interviewColumn])];
      for (const c of own) expect(has(t.table, c), `${t.table}.${c}`).toBe(true);
      if (t.through) for (const c of [t.interviewColumn, t.through.references]) expect(has(t.through.table, c), `${t.through.table}.${c}`).toBe(true);
    }
  });

  it('covers every table with an interview_id column (or says why it keeps its rows)', async () => {
    const tables = await db.sql<{ t: string }[]>`
      select distinct table_name as t from information_schema.columns
      where table_schema = current_schema() and column_name = 'interview_id' order by 1`;
    const classified = new Set([...PERSONAL_TABLES.map((t) => t.table), ...Object.keys(KEPT_INTERVIEW_TABLES)]);
    expect(tables.map((r) => r.t).filter((t) => !classified.has(t)), 'add these to PERSONAL_TABLES in cli/core/personal-data.ts').toEqual([]);
  });
});
