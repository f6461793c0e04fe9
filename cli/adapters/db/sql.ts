import postgres from 'postgres';

/** The client every repository takes: postgres.js with `columnCase` (see there). Its own module so
 * that migrate.ts (which connect.ts calls) need not import connect.ts back. */
export type Sql = postgres.Sql<Record<string, never>>;

/**
 * Column names in camelCase both ways, postgres.js's own transform: result columns arrive as
 * `candidateName`, and `sql(obj)` / `sql('colName')` write snake_case identifiers (snake_case keys
 * pass through unchanged). Only the names: `postgres.camel` would also rewrite the keys inside
 * json/jsonb values, which hold documents whose keys are data (a candidate export's `to_jsonb`
 * rows, erasure counts per table, LiveKit payloads). LISTEN/NOTIFY payloads are strings and pass
 * through as sent. Every client a repository gets is made with this.
 */
export const columnCase = { column: { from: postgres.toCamel, to: postgres.fromCamel } };

/** A row whose bigserial `id` arrives as postgres.js gives int8 (a string, full range kept). */
export type WithTextId<T extends { id: number }> = Omit<T, 'id'> & { id: string };

/** The row with its bigserial id as the number the domain types use (ids stay far below 2^53). */
export function numberId<T extends { id: number }>(row: WithTextId<T>): T {
  return { ...row, id: Number(row.id) } as T;
}
