import { readFile } from 'node:fs/promises';
import { NotFoundError, UsageError } from '../core/errors.js';
import { LANGS, type Lang } from '../core/invite-rows.js';
import { validateQuestionSet } from '../core/questions.js';
import { formatDuration } from '../core/duration.js';
import { table } from '../output.js';
import { withContext, type GlobalOptions } from '../context.js';

export async function add(file: string, global: GlobalOptions): Promise<number> {
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`${file}: no such file`);
    throw err;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const checked = validateQuestionSet(doc);
  if (!checked.ok) throw new UsageError(`${file}: ${checked.errors.join('; ')}`);
  return withContext(global, async (ctx) => {
    const { questionSets } = await ctx.repos();
    const result = await questionSets.upsert(checked.set);
    ctx.out.result({ ...checked.set, result }, () => `${result} question set ${checked.set.name} (${checked.set.lang}, ${checked.set.questions.length} question${checked.set.questions.length === 1 ? '' : 's'})`);
    return 0;
  });
}

export async function listSets(global: GlobalOptions): Promise<number> {
  return withContext(global, async (ctx) => {
    const { questionSets } = await ctx.repos();
    const sets = await questionSets.list();
    ctx.out.result(sets, () =>
      table(['NAME', 'LANG', 'QUESTIONS', 'SOURCE', 'DESCRIPTION'], sets.map((s) => [s.name, s.lang, String(s.questions.length), s.builtin ? 'built-in' : 'added', s.description])),
    );
    return 0;
  });
}

export async function showSet(name: string, opts: { lang?: string }, global: GlobalOptions): Promise<number> {
  const lang = (opts.lang ?? 'en') as Lang;
  if (!(LANGS as readonly string[]).includes(lang)) throw new UsageError(`--lang: ${JSON.stringify(opts.lang)} is not one of ${LANGS.join(', ')}`);
  return withContext(global, async (ctx) => {
    const { questionSets } = await ctx.repos();
    const set = await questionSets.find(name, lang);
    if (!set) throw new NotFoundError(`no question set ${JSON.stringify(name)} in ${lang}`);
    ctx.out.result(set, () =>
      [`${set.name} (${set.lang}, ${set.builtin ? 'built-in' : 'added'})${set.description ? ` — ${set.description}` : ''}`, ...set.questions.map((q, i) => `${String(i + 1).padStart(2)}. ${q.text}  [${formatDuration(q.timeLimitMs)}]`)].join('\n'),
    );
    return 0;
  });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
