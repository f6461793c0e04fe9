import { AccessToken, AgentDispatchClient, RoomServiceClient, TrackSource } from 'livekit-server-sdk';
import { UnavailableError } from '../../core/errors.js';
import type { Settings } from '../../settings.js';
import { createTokenSigner, createTwirpClient, TwirpCallError } from './twirp.js';

/** The HTTP(S) form of a LiveKit URL, which the server APIs take. */
export function httpUrl(url: string): string {
  return url.replace(/^ws(s?):\/\//, 'http$1://');
}

/** The WS(S) form, which browsers connect to. */
export function wsUrl(url: string): string {
  return url.replace(/^http(s?):\/\//, 'ws$1://');
}

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
  const dispatch = new AgentDispatchClient(host, lk.apiKey, lk.apiSecret, clientOptions);
  const sign = createTokenSigner(lk.apiKey, lk.apiSecret);
  const twirp = createTwirpClient(host, { timeoutMs: clientOptions.requestTimeout * 1000 });
  // LiveKit Cloud has several regions; on a failed call the SDK's clients find another one.
  const cloud = new URL(host).hostname.endsWith('.livekit.cloud');
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
     * Creates the room with timeouts sized for reconnects, then dispatches the named agent into it
     * (AgentDispatchService.CreateDispatch); resolves with the dispatch id. Both steps are needed:
     * a dispatch into a missing room creates it with the server's default timeouts, and a room
     * that exists keeps its timeouts when created again.
     */
    async startSession(roomName: string, metadata: Record<string, unknown>, timeouts: { emptySeconds: number; departureSeconds: number }): Promise<string> {
      const room = { name: roomName, emptyTimeout: timeouts.emptySeconds, departureTimeout: timeouts.departureSeconds, maxParticipants: 4 };
      const meta = JSON.stringify(metadata);
      try {
        await twirp.call('RoomService', 'CreateRoom', room, roomCreateToken());
        const d = await twirp.call<{ id?: string }>('AgentDispatchService', 'CreateDispatch', { room: roomName, agentName: lk.agentName, metadata: meta }, sign({ video: { roomAdmin: true, room: roomName } }, 600));
        if (!d.id) throw new Error('the dispatch has no id');
        return d.id;
      } catch (err) {
        if (!(cloud && err instanceof TwirpCallError && err.retryable)) throw unavailable('agent dispatch', err);
      }
      try {
        await rooms.createRoom(room);
        return (await dispatch.createDispatch(roomName, lk.agentName, { metadata: meta })).id;
      } catch (err) {
        throw unavailable('agent dispatch', err);
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
