import type { Sql } from './connect.js';

/** The LiveKit Egress recording an interview (RECORDER=egress; migration 00007). */
export function createEgressIdRepo(sql: Sql) {
  return {
    /** Records the egress id as soon as LiveKit has accepted the egress, before anything else. */
    async set(interviewId: string, egressId: string): Promise<void> {
      await sql`update interviews set egress_id = ${egressId}, updated_at = now() where id = ${interviewId}`;
    },

    async get(interviewId: string): Promise<string | null> {
      const [row] = await sql<{ egressId: string | null }[]>`select egress_id from interviews where id = ${interviewId}`;
      return row?.egressId ?? null;
    },
  };
}

export type EgressIdRepo = ReturnType<typeof createEgressIdRepo>;
