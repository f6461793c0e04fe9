import { randomBytes } from 'node:crypto';
import { AccessToken, RoomServiceClient, TrackSource } from 'livekit-server-sdk';
import { UnavailableError } from '../../core/errors.js';
import type { Settings } from '../../settings.js';
import { createTokenSigner, createTwirpClient } from './twirp.js';

/** ParticipantInfo.Kind.AGENT in LiveKit's protocol (the SDK's enum lives in a package we do not depend on). */
const PARTICIPANT_KIND_AGENT = 4;

/** ListDispatch's answer (Twirp JSON may name fields either way). */
type Dispatch = { id?: string; metadata?: string };
type DispatchList = { agentDispatches?: Dispatch[]; agent_dispatches?: Dispatch[] };

/** The HTTP(S) form of a LiveKit URL, which the server APIs take. */
export function httpUrl(url: string): string {
  return url.replace(/^ws(s?):\/\//, 'http$1://');
}

/** The WS(S) form, which browsers connect to. */
export function wsUrl(url: string): string {
  return url.replace(/^http(s?):\/\//, 'ws$1://');
}

/** An interview room's timeouts, sized for reconnects: as the join creates it. */
export const SESSION_ROOM_TIMEOUTS = { emptySeconds: 300, departureSeconds: 120 };

export interface CandidateGrant {
  roomName: string;
  identity: string;
  name: string;
  ttlSeconds: number;
}

/** Everything serve and the CLI need from LiveKit, behind one small interface. */
export function createLiveKit(lk: Settings['livekit'], options: { requestTimeoutSeconds?: number } = {}) {
  const host = httpUrl(lk.url);
  const clientOptions = { requestTimeout: options.requestTimeoutSeconds ?? 5 };
  const rooms = new RoomServiceClient(host, lk.apiKey, lk.apiSecret, clientOptions);
  const sign = createTokenSigner(lk.apiKey, lk.apiSecret);
  const twirp = createTwirpClient(host, { timeoutMs: clientOptions.requestTimeout * 1000 });
  // The room-creating token names no room, so one serves every join for a while.
  let createToken = { jwt: '', until: 0 };
  const roomCreateToken = () => {
    if (Date.now() > createToken.until) createToken = { jwt: sign({ video: { roomCreate: true } }, 600), until: Date.now() + 300_000 };
    return createToken.jwt;
  };
  const unavailable = (what: string, err: unknown) =>
    new UnavailableError('livekit', `LiveKit at ${host}: ${what} failed: ${(err as Error)?.message ?? err}`, { cause: err });

  return {
    url: wsUrl(lk.url),
    host,

    /**
     * A token for the candidate: this room only, camera and microphone publishing, subscribing,
     * nothing else; it expires at the interview's end plus a grace. Signed by the SDK's
     * AccessToken, whose grant types check what we give the browser: 18-23 µs of CPU per token
     * against 9-11 µs for the node:crypto signer the Twirp calls keep (test/bench/tokens.mjs,
     * three runs on a shared 2-core machine), nothing next to the ~0.35 ms a join costs.
     */
    async candidateToken(g: CandidateGrant): Promise<string> {
      const token = new AccessToken(lk.apiKey, lk.apiSecret, { identity: g.identity, name: g.name, ttl: g.ttlSeconds });
      token.addGrant({
        room: g.roomName,
        roomJoin: true,
        canPublish: true,
        canPublishSources: [TrackSource.CAMERA, TrackSource.MICROPHONE],
        canSubscribe: true,
        canPublishData: false,
        canUpdateOwnMetadata: false,
      });
      return token.toJwt();
    },

    /**
     * Creates the room with timeouts sized for reconnects and the named agent as its only agent,
     * and resolves with that agent's dispatch id. A room created without `agents` also gets
     * LiveKit's default dispatch (an empty agent name), which any unnamed worker on the project
     * would take. A room that exists already (a retry after a join that was given up) keeps its
     * timeouts and its old dispatch, so the agent is dispatched into it again.
     */
    async startSession(roomName: string, metadata: Record<string, unknown>, timeouts: { emptySeconds: number; departureSeconds: number }): Promise<string> {
      // The nonce tells this call's dispatch from an earlier one in the same room.
      const meta = JSON.stringify({ ...metadata, claim: randomBytes(9).toString('base64url') });
      const agents = [{ agentName: lk.agentName, metadata: meta }];
      const room = { name: roomName, emptyTimeout: timeouts.emptySeconds, departureTimeout: timeouts.departureSeconds, maxParticipants: 4, agents };
      const admin = sign({ video: { roomAdmin: true, room: roomName } }, 600);
      try {
        await twirp.call('RoomService', 'CreateRoom', room, roomCreateToken());
        const listed = await twirp.call<DispatchList>('AgentDispatchService', 'ListDispatch', { room: roomName }, admin);
        const ours = (listed.agentDispatches ?? listed.agent_dispatches ?? []).find((d) => d.metadata === meta)?.id;
        if (ours) return ours;
        const d = await twirp.call<{ id?: string }>('AgentDispatchService', 'CreateDispatch', { room: roomName, agentName: lk.agentName, metadata: meta }, admin);
        if (!d.id) throw new Error('the dispatch has no id');
        return d.id;
      } catch (err) {
        throw unavailable('agent dispatch', err);
      }
    },

    /**
     * Asks LiveKit whether an agent worker takes jobs under the agent name: a throw-away room with
     * a dispatch, watched until the worker that took it joins (or `timeoutMs` passes), then
     * deleted. The job carries no interview: the worker only joins and leaves. Resolves with the
     * wait, or undefined when no worker came.
     */
    async probeAgentWorker(timeoutMs: number): Promise<number | undefined> {
      const roomName = `doctor-probe-${randomBytes(6).toString('hex')}`;
      const admin = sign({ video: { roomAdmin: true, room: roomName } }, 600);
      const t0 = performance.now();
      try {
        await twirp.call('RoomService', 'CreateRoom', { name: roomName, emptyTimeout: 10, agents: [{ agentName: lk.agentName, metadata: JSON.stringify({ probe: 'doctor' }) }] }, roomCreateToken());
        while (performance.now() - t0 < timeoutMs) {
          // Only LiveKit puts an agent participant (kind AGENT) into a room this new and random.
          const people = await rooms.listParticipants(roomName).catch(() => []);
          if (people.some((p) => Number(p.kind) === PARTICIPANT_KIND_AGENT)) return Math.round(performance.now() - t0);
          await new Promise((r) => setTimeout(r, 250));
        }
        return undefined;
      } catch (err) {
        throw unavailable('agent probe', err);
      } finally {
        await twirp.call('RoomService', 'DeleteRoom', { room: roomName }, admin).catch(() => {});
      }
    },

    async deleteRoom(roomName: string): Promise<void> {
      try {
        await rooms.deleteRoom(roomName);
      } catch (err) {
        if (/not.?found/i.test(String((err as Error)?.message))) return;
        throw unavailable('delete room', err);
      }
    },

    async listParticipants(roomName: string) {
      try {
        return await rooms.listParticipants(roomName);
      } catch (err) {
        if (/not.?found/i.test(String((err as Error)?.message))) return [];
        throw unavailable('list participants', err);
      }
    },

    async listRooms(names?: string[]) {
      try {
        return await rooms.listRooms(names);
      } catch (err) {
        throw unavailable('list rooms', err);
      }
    },

    /** Closes the kept-alive connections to the server. */
    close(): void {
      twirp.close();
    },
  };
}

export type LiveKit = ReturnType<typeof createLiveKit>;
