import { parseDuration } from '../core/duration.js';
import { UsageError } from '../core/errors.js';

// --since and --limit of the commands that list logs (audit, candidate receipts): one parser each.

/** Parses --since; undefined when not given. */
export function sinceOption(since: string | undefined): Date | undefined {
  if (since === undefined) return undefined;
  const ms = parseDuration(since);
  if (ms === undefined) throw new UsageError(`--since: ${JSON.stringify(since)} is not a duration (e.g. 24h, 7d)`);
  return new Date(Date.now() - ms);
}

export function limitOption(limit: string | undefined): number {
  const n = limit === undefined ? 200 : Number(limit);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new UsageError(`--limit: ${JSON.stringify(limit)} is not a number from 1 to 100000`);
  return n;
}
