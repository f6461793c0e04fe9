import type postgres from 'postgres';

/** The client every repository takes (postgres.js, no column transforms). Its own module so that
 * migrate.ts (which connect.ts calls) need not import connect.ts back. */
export type Sql = postgres.Sql<Record<string, never>>;
