import { describeProtection } from '../adapters/db/embedded-auth.js';
import { embeddedPaths, isEmbeddedRunning, stopEmbedded } from '../adapters/db/embedded.js';
import { migrate as runMigrations, migrationStatus } from '../adapters/db/migrate.js';
import { UsageError } from '../core/errors.js';
import { table } from '../output.js';
import { withContext, type GlobalOptions } from '../context.js';

export async function migrate(global: GlobalOptions): Promise<number> {
  return withContext(global, async (ctx) => {
    const { sql } = await ctx.db();
    const applied = await runMigrations(sql);
    ctx.out.result(
      { applied: applied.map((m) => ({ version: m.version, name: m.name })) },
      () => (applied.length === 0 ? 'database is up to date' : applied.map((m) => `applied ${String(m.version).padStart(5, '0')}_${m.name}`).join('\n')),
    );
    return 0;
  });
}

export async function status(global: GlobalOptions): Promise<number> {
  return withContext(global, async (ctx) => {
    const db = await ctx.db();
    const rows = await migrationStatus(db.sql);
    const pending = rows.filter((r) => r.state === 'pending').length;
    const paths = embeddedPaths(ctx.settings.home);
    const protection = db.embedded ? describeProtection(paths) : null;
    ctx.out.result(
      { database: db.where, embedded: db.embedded, socket: db.embedded ? paths.socketDir : null, protection, migrations: rows, pending },
      () =>
        [
          `database: ${db.where}`,
          protection ? `access:   ${protectionLine(protection)}` : '',
          db.embedded ? `connect:  PGPASSWORD="$(cat ${paths.passwordFile})" psql -h ${paths.socketDir} -U postgres postgres` : '',
          '',
          table(['VERSION', 'NAME', 'STATE', 'APPLIED'], rows.map((r) => [String(r.version).padStart(5, '0'), r.name, r.state, r.appliedAt ?? '-'])),
          pending > 0 ? `\n${pending} pending: run \`interviewctl db migrate\`` : '',
        ]
          .filter((l, i) => l !== '' || i === 3)
          .join('\n'),
    );
    return pending > 0 ? 5 : 0;
  });
}

function protectionLine(p: ReturnType<typeof describeProtection>): string {
  const how = `socket folder ${p.socketFolderMode ?? '?'}, ${p.auth?.join('/') ?? 'unknown'} authentication, password file ${p.passwordFileMode ?? 'missing'}`;
  return p.ownerOnly ? `owner only (${how})` : `NOT owner only (${how}); run any command to protect it`;
}

export async function stop(global: GlobalOptions): Promise<number> {
  const { loadSettings } = await import('../settings.js');
  const settings = loadSettings({ databaseUrl: global.databaseUrl });
  if (settings.databaseUrl) throw new UsageError('DATABASE_URL is set: `db stop` only stops the embedded database');
  const paths = embeddedPaths(settings.home);
  const { createPrinter } = await import('../output.js');
  const out = createPrinter(global);
  const wasRunning = await isEmbeddedRunning(paths);
  if (wasRunning) await stopEmbedded(paths);
  out.result({ stopped: wasRunning, data: paths.data }, () => (wasRunning ? `stopped the embedded database (${paths.data})` : 'the embedded database was not running'));
  return 0;
}
