import type { RemoteTrackPublication } from '@livekit/rtc-node';

/** LiveKit's simulcast layers (livekit.proto.VideoQuality). */
export const VideoLayer = { low: 0, medium: 1, high: 2 } as const;
export type VideoLayer = (typeof VideoLayer)[keyof typeof VideoLayer];

interface FfiClientLike {
  request(req: { message: { case: string; value: Record<string, unknown> } }): unknown;
}

/**
 * Asks LiveKit for one simulcast layer of a remote video track instead of the top one (the
 * default). A browser publishes its camera at 1280x720/30 fps with 640x360/20 fps and 320x180
 * layers beside it: the medium layer is the recording's own size, so it costs a quarter of the
 * decoding and no scaling; a publisher without simulcast is unaffected.
 *
 * rtc-node 0.13 has no method for this, but its FFI has the request
 * (`setRemoteTrackPublicationQuality`, in the bindings it ships); rtc-node keeps its one FFI
 * client on `globalThis._ffiClientInstance`. Returns false (and changes nothing) when that client
 * is not there or refuses, e.g. after an rtc-node upgrade that moved it: the recording then just
 * gets the top layer, as before.
 */
export function preferVideoLayer(publication: RemoteTrackPublication | undefined, layer: VideoLayer): boolean {
  const client = (globalThis as { _ffiClientInstance?: FfiClientLike })._ffiClientInstance;
  const handle = publication?.ffiHandle?.handle;
  if (!client || typeof client.request !== 'function' || handle === undefined) return false;
  try {
    client.request({ message: { case: 'setRemoteTrackPublicationQuality', value: { trackPublicationHandle: handle, quality: layer } } });
    return true;
  } catch {
    return false;
  }
}
