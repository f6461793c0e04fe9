import { closeSync, constants, fchmodSync, fchownSync, fstatSync, lchownSync, lstatSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UnavailableError } from '../../core/errors.js';

/** The OS account the embedded server runs as: empty for "this process's own user". */
export interface RunAs {
  uid?: number;
  gid?: number;
}

/**
 * Makes `dir` a folder only its owner can enter, owned by `who` (or by us), without ever following
 * a symlink. It is made with mkdir (never recursive: the path may be a predictable one in /tmp); one
 * that is already there must be ours, or it is refused, since another user could have planted it.
 */
export function ensurePrivateDir(dir: string, who: RunAs): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  // O_NOFOLLOW | O_DIRECTORY: the fd is this folder itself, never a symlink's target, so the
  // checks and the changes below apply to one and the same inode.
  let fd: number;
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch (err) {
    throw new UnavailableError('database', `refusing the embedded database's socket folder ${dir}: it is not a plain folder (${(err as NodeJS.ErrnoException).code})`);
  }
  try {
    const st = fstatSync(fd);
    const me = process.getuid?.();
    const ours = st.uid === me || (who.uid !== undefined && st.uid === who.uid);
    // A folder we own cannot have been planted by someone else (only we, or root, can make one
    // owned by us), so an older, looser one of ours is tightened rather than refused.
    if (!ours) {
      throw new UnavailableError(
        'database',
        `refusing the embedded database's socket folder ${dir}: it exists and belongs to another user (uid ${st.uid}). ` +
          'Remove it, or set INTERVIEWCTL_HOME to a shorter path so the socket lives in the home.',
      );
    }
    fchmodSync(fd, 0o700);
    if (who.uid !== undefined && who.gid !== undefined && (st.uid !== who.uid || st.gid !== who.gid)) fchownSync(fd, who.uid, who.gid);
  } finally {
    closeSync(fd);
  }
}

/**
 * Gives a tree to `who` without following symlinks: a link is re-owned itself (lchown), never its
 * target, and never descended into.
 */
export function chownTreeNoFollow(dir: string, who: RunAs): void {
  if (who.uid === undefined || who.gid === undefined) return;
  const st = lstatSync(dir);
  lchownSync(dir, who.uid, who.gid);
  if (!st.isDirectory()) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) chownTreeNoFollow(p, who);
    else lchownSync(p, who.uid, who.gid);
  }
}
