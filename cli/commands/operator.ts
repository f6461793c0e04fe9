import { userInfo } from 'node:os';
import { UsageError } from '../core/errors.js';

/** Who runs a command, for the access log and deletion receipts: `--by`, else the OS user. */
export function operatorName(by: string | undefined): string {
  if (by !== undefined) {
    const name = by.trim();
    if (name === '' || name.length > 200 || /[\p{Cc}]/u.test(name)) throw new UsageError('--by: give a name of 1 to 200 printable characters');
    return name;
  }
  try {
    return userInfo().username || 'unknown';
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
