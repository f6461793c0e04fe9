import { readFrames } from './read-stream.js';
import { RoomEvent, TrackKind, VideoBufferType, VideoStream, type RemoteAudioTrack, type RemoteParticipant, type RemoteTrack, type RemoteTrackPublication, type Room } from '@livekit/rtc-node';
import type { Presence } from './interviewer.js';
import type { I420 } from './recorder/media-buffers.js';
import { preferVideoLayer, VideoLayer } from './video-layer.js';

export interface CandidateSinks {
  audioTrack(track: RemoteAudioTrack | undefined): void;
  videoFrame(frame: I420): void;
  videoGone(): void;
}

/**
 * Follows the candidate in the room: presence (a drop and a rejoin are normal: a reload or a
 * network change), and their microphone and camera, re-attached after each rejoin.
 *
 * Present means "connected with a microphone we hear": a reload replaces the candidate's session
 * under the same identity, which LiveKit may show as tracks going and coming rather than as the
 * participant leaving, and without a microphone there is no one to interview anyway.
 */
export class CandidateRoom implements Presence {
  private present = false;
  private drop = new AbortController();
  private returnWaiters = new Set<() => void>();
  private videoLive: { stop(): void } | undefined;
  private everPresent = false;

  constructor(
    private readonly room: Room,
    private readonly identity: string,
    private readonly sinks: CandidateSinks,
  ) {
    room.on(RoomEvent.ParticipantDisconnected, (p: RemoteParticipant) => {
      if (p.identity !== identity) return;
      this.gone();
      this.sinks.audioTrack(undefined);
      this.stopVideo();
    });
    room.on(RoomEvent.TrackSubscribed, (track: RemoteTrack, pub: RemoteTrackPublication, p: RemoteParticipant) => {
      if (p.identity === identity) this.onTrack(track, pub);
    });
    room.on(RoomEvent.TrackUnsubscribed, (track: RemoteTrack, _pub, p: RemoteParticipant) => {
      if (p.identity !== identity) return;
      if (track.kind === TrackKind.KIND_AUDIO) {
        this.sinks.audioTrack(undefined);
        this.gone();
      } else if (track.kind === TrackKind.KIND_VIDEO) this.stopVideo();
    });
  }

  /** Picks up a candidate already in the room and their tracks already subscribed. */
  adoptExisting(): void {
    const p = this.room.remoteParticipants.get(this.identity);
    if (!p) return;
    for (const pub of p.trackPublications.values()) if (pub.track) this.onTrack(pub.track as RemoteTrack, pub);
  }

  private onTrack(track: RemoteTrack, pub: RemoteTrackPublication | undefined): void {
    if (track.kind === TrackKind.KIND_AUDIO) {
      this.sinks.audioTrack(track as RemoteAudioTrack);
      this.arrived();
    } else if (track.kind === TrackKind.KIND_VIDEO) {
      // The recording is 640x360: a browser's medium simulcast layer is that size, and the top
      // one (1280x720 at 30 fps) cost this process its decoding, a 1.4 MB copy into JavaScript
      // per frame and a scale down: see bench:agent-cpu --camera browser.
      preferVideoLayer(pub, VideoLayer.medium);
      this.startVideo(track);
    }
  }

  private arrived(): void {
    if (this.present) return;
    this.present = true;
    for (const w of [...this.returnWaiters]) w();
    this.everPresent = true;
  }

  private gone(): void {
    if (!this.present) return;
    this.present = false;
    this.drop.abort();
  }

  private startVideo(track: RemoteTrack): void {
    this.stopVideo();
    const stop = readFrames(new VideoStream(track), (ev) => {
      const f = ev.frame.type === VideoBufferType.I420 ? ev.frame : ev.frame.convert(VideoBufferType.I420);
      this.sinks.videoFrame({ width: f.width, height: f.height, data: f.data });
    });
    this.videoLive = { stop };
  }

  private stopVideo(): void {
    if (!this.videoLive) return;
    this.videoLive.stop();
    this.videoLive = undefined;
    this.sinks.videoGone();
  }

  here(): boolean {
    return this.present;
  }

  dropSignal(): AbortSignal {
    if (this.drop.signal.aborted && this.present) this.drop = new AbortController();
    return this.drop.signal;
  }

  waitForReturn(ms: number, signal: AbortSignal): Promise<boolean> {
    if (this.present) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (back: boolean) => {
        clearTimeout(timer);
        this.returnWaiters.delete(onBack);
        signal.removeEventListener('abort', onAbort);
        resolve(back);
      };
      // After a drop, give the page a moment to subscribe to the interviewer again before it speaks.
      const onBack = () => (this.everPresent ? setTimeout(() => finish(true), 1500) : finish(true));
      const onAbort = () => finish(false);
      const timer = setTimeout(() => finish(false), ms);
      this.returnWaiters.add(onBack);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  close(): void {
    this.stopVideo();
    this.sinks.audioTrack(undefined);
  }
}
