import { openDatabase, type Database } from './adapters/db/connect.js';
import { createInterviewRepo } from './adapters/db/interviews.js';
import { createQuestionSetRepo } from './adapters/db/question-sets.js';
import { createPrinter, type Printer } from './output.js';
import { loadSettings, type Settings } from './settings.js';

/** Options every command has (SPEC.md section 7). */
export interface GlobalOptions {
  json?: boolean;
  quiet?: boolean;
  databaseUrl?: string;
}

/**
 * What a command runs with: settings, the printer, and the database opened on first use and
 * closed when the command ends.
 */
export interface Context {
  settings: Settings;
  out: Printer;
  db(): Promise<Database>;
  repos(): Promise<{ interviews: ReturnType<typeof createInterviewRepo>; questionSets: ReturnType<typeof createQuestionSetRepo> }>;
  close(): Promise<void>;
}

export function createContext(global: GlobalOptions, extra: { port?: string; publicUrl?: string } = {}): Context {
  const out = createPrinter({ json: global.json, quiet: global.quiet });
  const settings = loadSettings({ databaseUrl: global.databaseUrl, port: extra.port, publicUrl: extra.publicUrl });
  let db: Promise<Database> | undefined;
  const open = () => (db ??= openDatabase(settings, { onStatus: (m) => out.info(m) }));
  return {
    settings,
    out,
    db: open,
    async repos() {
      const { sql } = await open();
      return { interviews: createInterviewRepo(sql), questionSets: createQuestionSetRepo(sql) };
    },
    async close() {
      if (db) await (await db.catch(() => undefined))?.close();
    },
  };
}

/** Runs a command body with a context that is always closed afterwards. */
export async function withContext<T>(global: GlobalOptions, fn: (ctx: Context) => Promise<T>, extra?: { port?: string; publicUrl?: string }): Promise<T> {
  const ctx = createContext(global, extra);
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}
