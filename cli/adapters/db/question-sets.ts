import { builtinQuestionSet, BUILTIN_QUESTION_SETS, type QuestionSet } from '../../core/questions.js';
import type { Lang } from '../../core/lang.js';
import type { Sql } from './connect.js';

export interface StoredQuestionSet extends QuestionSet {
  builtin: boolean;
  updatedAt: Date | null;
}

function rowToSet(row: Record<string, unknown>): StoredQuestionSet {
  return {
    name: row.name as string,
    lang: row.lang as Lang,
    description: row.description as string,
    questions: row.questions as QuestionSet['questions'],
    ...(row.context ? { context: row.context as string } : {}),
    ...(row.follow_ups !== null && row.follow_ups !== undefined ? { followUps: Number(row.follow_ups) } : {}),
    builtin: false,
    updatedAt: row.updated_at as Date,
  };
}

export function createQuestionSetRepo(sql: Sql) {
  return {
    /** Saves a set; a set of the same name and language is replaced (interviews keep their copy). */
    async upsert(set: QuestionSet): Promise<'created' | 'updated'> {
      const [row] = await sql<{ inserted: boolean }[]>`
        insert into question_sets (name, lang, description, questions, context, follow_ups)
        values (${set.name}, ${set.lang}, ${set.description}, ${sql.json(set.questions as never)}, ${set.context ?? null}, ${set.followUps ?? null})
        on conflict (name, lang) do update
          set description = excluded.description, questions = excluded.questions, context = excluded.context,
              follow_ups = excluded.follow_ups, updated_at = now()
        returning (xmax = 0) as inserted`;
      return row!.inserted ? 'created' : 'updated';
    },

    /** A stored set, else the built-in one of that name. */
    async find(name: string, lang: Lang): Promise<StoredQuestionSet | undefined> {
      const [row] = await sql`select * from question_sets where name = ${name} and lang = ${lang}`;
      if (row) {
        return rowToSet(row);
      }
      const builtin = builtinQuestionSet(name, lang);
      return builtin ? { ...builtin, builtin: true, updatedAt: null } : undefined;
    },

    async list(): Promise<StoredQuestionSet[]> {
      const rows = await sql`select * from question_sets order by name, lang`;
      const stored: StoredQuestionSet[] = rows.map(rowToSet);
      const shadowed = (s: QuestionSet) => stored.some((t) => t.name === s.name && t.lang === s.lang);
      const builtins = BUILTIN_QUESTION_SETS.filter((s) => !shadowed(s)).map((s) => ({ ...s, builtin: true, updatedAt: null }));
      return [...builtins, ...stored].sort((a, b) => a.name.localeCompare(b.name) || a.lang.localeCompare(b.lang));
    },
  };
}

export type QuestionSetRepo = ReturnType<typeof createQuestionSetRepo>;
