import { ConfigError, UnavailableError } from '../../core/errors.js';

// Kept apart from connect.ts so main.ts can explain errors without loading the driver.

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'CONNECT_TIMEOUT', '57P03', '3D000', '28P01', '28000']);

export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code !== undefined && CONNECTION_ERRORS.has(code);
}

// The server went away in the middle of a command: shut down (`db stop`), crashed, or the
// connection broke while a query was being sent.
const LOST_CONNECTION = new Set(['57P01', '57P02', 'EPIPE', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED']);

/** Turns a database error a user can fix into a clear one; returns undefined for anything else. */
export function explainDatabaseError(err: unknown): Error | undefined {
  const code = (err as { code?: string })?.code;
  if (code === '42P01' || code === '42703') {
    return new ConfigError([`the database schema is missing or out of date (${(err as Error).message}); run \`interviewctl db migrate\``]);
  }
  if (isConnectionError(err) || (code !== undefined && LOST_CONNECTION.has(code))) return new UnavailableError('database', `the database connection failed: ${(err as Error).message}`, { cause: err });
  return undefined;
}

