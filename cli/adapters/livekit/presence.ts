import { roomNameFor } from '../../core/ids.js';
import type { Presence } from '../../ui/feed.js';

/** The part of the LiveKit adapter the live view uses: who is in which room. */
export interface PresenceSource {
  listRooms(names?: string[]): Promise<{ name: string; numParticipants: number }[]>;
  listParticipants(roomName: string): Promise<{ identity: string }[]>;
}

export interface PresenceRound {
  /** False when LiveKit could not be asked: every live room's presence is then unknown. */
  reachable: boolean;
  /** What was learned this round, by interview id. */
  presence: Map<string, Presence>;
}

/**
 * Asks LiveKit who is in the rooms of live interviews: one listRooms for all of them, then
 * participant lists for a few rooms per round — those whose head count changed first, then the
 * longest unchecked — so a thousand live rooms cost a handful of calls every few seconds.
 */
export function createPresencePoller(source: PresenceSource, options: { lookupsPerRound?: number; concurrency?: number } = {}) {
  const headcount = new Map<string, number>();
  const checkedAt = new Map<string, number>();
  const perRound = options.lookupsPerRound ?? 25;
  const concurrency = options.concurrency ?? 5;

  return {
    async round(live: { id: string; presence: Presence }[]): Promise<PresenceRound> {
      const presence = new Map<string, Presence>();
      if (live.length === 0) return { reachable: true, presence };
      try {
        const names = live.map((r) => roomNameFor(r.id));
        const rooms = await source.listRooms(names.length <= 500 ? names : undefined);
        const count = new Map(rooms.map((r) => [r.name, r.numParticipants]));
        const urgent: string[] = [];
        const rest: string[] = [];
        for (const r of live) {
          const n = count.get(roomNameFor(r.id));
          // No room: nobody is in it. A room's head count lags behind joins (it counts only fully
          // connected participants), so a room that exists is always asked in its turn.
          if (n === undefined) {
            presence.set(r.id, { candidate: false, agent: false });
            headcount.delete(r.id);
          } else if (headcount.get(r.id) !== n || r.presence.candidate === null) urgent.push(r.id);
          else rest.push(r.id);
        }
        rest.sort((a, b) => (checkedAt.get(a) ?? 0) - (checkedAt.get(b) ?? 0));
        const asks = [...urgent, ...rest].slice(0, perRound);
        for (let i = 0; i < asks.length; i += concurrency) {
          await Promise.all(
            asks.slice(i, i + concurrency).map(async (id) => {
              const people = await source.listParticipants(roomNameFor(id));
              headcount.set(id, count.get(roomNameFor(id)) ?? 0);
              checkedAt.set(id, Date.now());
              presence.set(id, {
                candidate: people.some((p) => p.identity === `candidate-${id}`),
                agent: people.some((p) => p.identity.startsWith('agent-')),
              });
            }),
          );
        }
        return { reachable: true, presence };
      } catch {
        // Unknown ("?") rather than a wrong answer.
        headcount.clear();
        for (const r of live) presence.set(r.id, { candidate: null, agent: null });
        return { reachable: false, presence };
      }
    },
  };
}
