import { EgressClient, EgressStatus, EncodedFileOutput, EncodedFileType, S3Upload, type EgressInfo } from 'livekit-server-sdk';
import { UnavailableError } from '../../core/errors.js';
import type { Settings } from '../../settings.js';
import { httpUrl } from './client.js';

/** The three calls of LiveKit's Egress API we use; tests pass a fake with the same shape. */
export type EgressApi = Pick<EgressClient, 'startRoomCompositeEgress' | 'stopEgress' | 'listEgress'>;

export type EgressPhase = 'starting' | 'active' | 'ending' | 'complete' | 'failed' | 'aborted' | 'limit_reached';

/** What LiveKit says about one egress, reduced to what the interview needs. */
export interface EgressState {
  egressId: string;
  phase: EgressPhase;
  /** LiveKit's error text when it failed ('' otherwise). */
  error: string;
  /** The file it wrote, once it ended. */
  file: { location: string; bytes: number; durationMs: number } | undefined;
}

const PHASES: Record<number, EgressPhase> = {
  [EgressStatus.EGRESS_STARTING]: 'starting',
  [EgressStatus.EGRESS_ACTIVE]: 'active',
  [EgressStatus.EGRESS_ENDING]: 'ending',
  [EgressStatus.EGRESS_COMPLETE]: 'complete',
  [EgressStatus.EGRESS_FAILED]: 'failed',
  [EgressStatus.EGRESS_ABORTED]: 'aborted',
  [EgressStatus.EGRESS_LIMIT_REACHED]: 'limit_reached',
};

/** Phases after which nothing more happens. */
export const EGRESS_ENDED: readonly EgressPhase[] = ['complete', 'failed', 'aborted', 'limit_reached'];

export function egressState(info: Pick<EgressInfo, 'egressId' | 'status' | 'error' | 'fileResults'>): EgressState {
  const f = info.fileResults?.[0];
  return {
    egressId: info.egressId,
    phase: PHASES[info.status] ?? 'failed',
    error: info.error ?? '',
    file: f ? { location: f.location, bytes: Number(f.size), durationMs: Number(f.duration) / 1e6 } : undefined,
  };
}

/**
 * The answers a LiveKit server gives when it has no egress service, as livekit-server v1.13.5
 * sends them: without Redis every egress call is refused at once with "egress not connected
 * (redis required)" (HTTP 500); with Redis but no egress worker, starting one waits about 23 s
 * and fails with "no response from servers" (HTTP 503).
 */
export function egressMissing(err: unknown): boolean {
  return /egress not connected|redis required|no response from servers/i.test(String((err as Error)?.message ?? err));
}

/** Raised when the server has no LiveKit Egress service: retrying will not help. */
export class EgressUnavailableError extends UnavailableError {
  constructor(host: string, cause: unknown) {
    super(
      'livekit',
      `LiveKit Egress is not available on ${host} (${(cause as Error)?.message ?? cause}); RECORDER=egress needs LiveKit Cloud or a self-hosted egress service (which needs Redis). Use RECORDER=agent on this server.`,
      { cause },
    );
  }
}

/** An Egress API client for the configured LiveKit project. */
export function createEgressApi(lk: Settings['livekit'], opts: { requestTimeoutSeconds?: number } = {}): EgressApi {
  return new EgressClient(httpUrl(lk.url), lk.apiKey, lk.apiSecret, { requestTimeout: opts.requestTimeoutSeconds ?? 30 });
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/**
 * Room recording through LiveKit Egress: a RoomComposite of the whole room (every camera and
 * every voice, the agent's included) encoded to one MP4 written straight to our S3 bucket.
 */
export function createEgressRecorder(api: EgressApi, s3: NonNullable<Settings['s3']>, host = 'the LiveKit server') {
  const wrap = (what: string, err: unknown): Error =>
    egressMissing(err) ? new EgressUnavailableError(host, err) : new UnavailableError('livekit', `LiveKit Egress ${what} failed: ${(err as Error)?.message ?? err}`, { cause: err });

  async function get(egressId: string): Promise<EgressState | undefined> {
    try {
      const [info] = await api.listEgress({ egressId });
      return info ? egressState(info) : undefined;
    } catch (err) {
      throw wrap('list', err);
    }
  }

  return {
    /** Answers when the project serves the Egress API at all (doctor, and a job's early check). */
    async probe(roomName?: string): Promise<void> {
      try {
        await api.listEgress(roomName ? { roomName } : {});
      } catch (err) {
        throw wrap('list', err);
      }
    },

    /** Starts recording the room to `key` in the bucket; resolves once LiveKit accepted it. */
    async startRoomComposite(roomName: string, key: string): Promise<EgressState> {
      const upload = new S3Upload({
        bucket: s3.bucket,
        region: s3.region,
        endpoint: s3.endpoint ?? '',
        accessKey: s3.accessKeyId ?? '',
        secret: s3.secretAccessKey ?? '',
        forcePathStyle: s3.forcePathStyle,
      });
      const file = new EncodedFileOutput({ fileType: EncodedFileType.MP4, filepath: key, output: { case: 's3', value: upload } });
      try {
        return egressState(await api.startRoomCompositeEgress(roomName, { file }, { layout: 'grid' }));
      } catch (err) {
        throw wrap('start', err);
      }
    },

    /** Asks the egress to finish its file; an egress that already ended is not an error. */
    async stop(egressId: string): Promise<void> {
      try {
        await api.stopEgress(egressId);
      } catch (err) {
        const state = await get(egressId).catch(() => undefined);
        if (state && EGRESS_ENDED.includes(state.phase)) return;
        throw wrap('stop', err);
      }
    },

    get,

    /**
     * Polls until the egress has ended (complete, failed, aborted or limit reached), for at most
     * `timeoutMs`; resolves with the last state seen, which is still live if it timed out.
     */
    async waitEnded(egressId: string, opts: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal }): Promise<EgressState | undefined> {
      const until = Date.now() + opts.timeoutMs;
      const interval = opts.intervalMs ?? 1000;
      let last: EgressState | undefined;
      for (let i = 0; i < 10_000; i++) {
        try {
          last = (await get(egressId)) ?? last;
        } catch (err) {
          if (err instanceof EgressUnavailableError) throw err;
          // a blip: try again until the deadline
        }
        if (last && EGRESS_ENDED.includes(last.phase)) return last;
        if (Date.now() + interval > until || opts.signal?.aborted) break;
        await sleep(interval, opts.signal);
      }
      return last;
    },
  };
}

export type EgressRecorder = ReturnType<typeof createEgressRecorder>;
