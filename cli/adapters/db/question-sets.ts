import { builtinQuestionSet, BUILTIN_QUESTION_SETS, type QuestionSet } from '../../core/questions.js';
import type { Lang } from '../../core/lang.js';
import type { Sql } from './connect.js';

export interface StoredQuestionSet extends QuestionSet {
  builtin: boolean;
  updatedAt: Date | null;
}

type SetRow = Omit<QuestionSet, 'context' | 'followUps'> & { context: string | null; followUps: number | null; updatedAt: Date };

/** A stored set as the built-in ones look: `context` and `followUps` only when set. */
function toSet({ context, followUps, updatedAt, ...row }: SetRow): StoredQuestionSet {
  return { ...row, ...(context ? { context } : {}), ...(followUps !== null ? { followUps } : {}), builtin: false, updatedAt };
}

export function createQuestionSetRepo(sql: Sql) {
  const columns = sql`name, lang, description, questions, context, follow_ups, updated_at`;
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
      const [row] = await sql<SetRow[]>`select ${columns} from question_sets where name = ${name} and lang = ${lang}`;
      if (row) return toSet(row);
      const builtin = builtinQuestionSet(name, lang);
      return builtin ? { ...builtin, builtin: true, updatedAt: null } : undefined;
    },

    async list(): Promise<StoredQuestionSet[]> {
      const rows = await sql<SetRow[]>`select ${columns} from question_sets order by name, lang`;
      const stored = rows.map(toSet);
      const shadowed = (s: QuestionSet) => stored.some((t) => t.name === s.name && t.lang === s.lang);
      const builtins = BUILTIN_QUESTION_SETS.filter((s) => !shadowed(s)).map((s) => ({ ...s, builtin: true, updatedAt: null }));
      return [...builtins, ...stored].sort((a, b) => a.name.localeCompare(b.name) || a.lang.localeCompare(b.lang));
    },
  };
}

export type QuestionSetRepo = ReturnType<typeof createQuestionSetRepo>;
