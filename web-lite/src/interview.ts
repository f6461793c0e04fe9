// The live interview: one LiveKit room connection at a time, the agent's state and audio,
// captions, the End button, and rejoining with the resumeKey when the connection is lost.
import {
  ConnectionState,
  DisconnectReason,
  type LocalTrackPublication,
  LogLevel,
  type RemoteTrack,
  Room,
  RoomEvent,
  setLogLevel,
  Track,
} from 'livekit-client';
import { ApiError, endInterview, getInterview, joinInterview, type JoinGrant, NetworkError } from './api';
import { Countdown } from './countdown';
import { disclosureVersion } from './disclosure';
import { IntegrityWatcher } from './integrity';
import { PAGE_RECORDING_ATTRIBUTE, PageRecorder } from './page-recorder';
import { byId, sleep } from './dom';
import { getLang } from './i18n';
import type { InterviewView } from './interview-view';
import { agentStateOf, attachTranscription, findAgent } from './room-signals';
import { type ErrorCode, outcomeForApiError, outcomeForStatus } from './routing';
import { type DeviceChoice, reloadForNewPage } from './session-store';
import { classifyMediaError, type DeviceProblem, isMediaError } from './support';

export type FatalCode = ErrorCode;

export interface SessionCallbacks {
  /** The interview is over (End, duration, operator): show the thank-you screen. */
  onEnded(): void;
  /** Something the candidate has to act on or cannot fix from here. */
  onFatal(code: FatalCode, deviceProblem?: DeviceProblem): void;
}

// The SDK's info chatter means nothing to a candidate; problems still reach the console.
setLogLevel(LogLevel.warn);

/** Waits before each automatic rejoin attempt after an unexpected disconnect. */
const REJOIN_DELAYS_MS = [1_000, 2_000, 4_000, 8_000, 10_000];
/** How often the page asks the server whether the interview is still live. */
const STATUS_POLL_MS = 20_000;

class DeviceFailure extends Error {
  constructor(readonly problem: DeviceProblem) {
    super(`camera or microphone ${problem}`);
  }
}

export class InterviewSession {
  private room: Room | null = null;
  /** No more reconnecting or callbacks: the session reached done or an error screen. */
  private finished = false;
  /** The candidate asked to end; a disconnect now is expected. */
  private endRequested = false;
  private recovering = false;
  private preview: MediaStream | null = null;
  private statusTimer = 0;
  private readonly countdown: Countdown;
  private readonly integrity: IntegrityWatcher;
  private readonly cleanups: Array<() => void> = [];
  /** RECORDER=browser: this page records the interview (see page-recorder.ts). */
  private recorder: PageRecorder | null = null;

  constructor(
    private readonly interviewId: string,
    private readonly getResumeKey: () => string | null,
    private readonly saveGrant: (grant: JoinGrant) => void,
    private readonly devices: DeviceChoice,
    private readonly view: InterviewView,
    private readonly callbacks: SessionCallbacks,
  ) {
    this.countdown = new Countdown(view);
    this.integrity = new IntegrityWatcher(interviewId, getResumeKey);
    const { end, confirm, cancel, dialog, startAudio } = view.endElements;
    this.listen(end, 'click', () => view.openEndDialog());
    this.listen(cancel, 'click', () => view.closeEndDialog());
    this.listen(confirm, 'click', () => void this.end());
    this.listen(dialog, 'cancel', (event) => {
      // Esc closes the dialog, except while the end request is in flight.
      if (confirm.disabled) event.preventDefault();
    });
    this.listen(startAudio, 'click', () => {
      this.recorder?.resumeAudio();
      void this.room?.startAudio().then(() => this.syncAudioBlocked());
    });
  }

  /**
   * Call inside the Join click: creating the room and starting its audio there counts as the
   * user gesture browsers want before they play the interviewer's voice.
   */
  unlockAudio(): void {
    this.room ??= this.createRoom();
    void this.room.startAudio().catch(() => {});
  }

  /**
   * Connects with a fresh join grant; on failure falls into the automatic rejoin loop.
   * `preview` is the preflight's camera stream, shown until the call's own camera track is up.
   */
  async start(grant: JoinGrant, preview: MediaStream | null = null): Promise<void> {
    this.view.reset();
    const video = this.view.adoptSelfView();
    if (preview) {
      this.preview = preview;
      video.srcObject = preview;
      void video.play().catch(() => {});
    }
    this.countdown.start(grant.endsAt);
    this.integrity.start();
    this.startStatusPolling();
    try {
      await this.connect(grant);
    } catch (error) {
      if (error instanceof DeviceFailure) return this.fail('devices_denied', error.problem);
      this.dropRoom();
      await this.recover();
    }
  }

  /** Joins again with the stored resumeKey (after a reload), then connects. */
  async resume(): Promise<void> {
    this.view.reset();
    this.view.adoptSelfView();
    this.integrity.start();
    this.startStatusPolling();
    await this.recover(true);
  }

  /** Leaves the room and stops every timer; the page moves to another screen. */
  dispose(): void {
    this.finished = true;
    this.countdown.stop();
    this.integrity.stop();
    window.clearInterval(this.statusTimer);
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.view.closeEndDialog();
    this.view.setBanner(null);
    // The recorder's last parts go on uploading behind the done screen.
    void this.recorder?.stop();
    this.recorder = null;
    this.dropRoom();
    this.stopPreview();
    const video = byId<HTMLVideoElement>('self-view');
    video.srcObject = null;
    byId('remote-audio').replaceChildren();
  }

  /** Forgets the current room; its late events are ignored (see createRoom). */
  private dropRoom(): void {
    const room = this.room;
    this.room = null;
    if (room && room.state !== ConnectionState.Disconnected) void room.disconnect(true);
  }

  private stopPreview(): void {
    for (const track of this.preview?.getTracks() ?? []) track.stop();
    this.preview = null;
  }

  private createRoom(): Room {
    const room = new Room({
      adaptiveStream: true,
      dynacast: true,
      // A reload must look like a dropped connection, not a deliberate leave: the agent keeps the
      // session for the candidate's return instead of closing it.
      disconnectOnPageLeave: false,
    });
    // Events from a room this session already dropped (a failed attempt, a replaced connection)
    // must not touch the screen.
    const current =
      <A extends unknown[]>(handler: (...args: A) => void) =>
      (...args: A) => {
        if (room === this.room) handler(...args);
      };
    room
      .on(RoomEvent.ParticipantConnected, current(() => this.syncAgentState()))
      .on(RoomEvent.ParticipantDisconnected, current(() => this.syncAgentState()))
      .on(
        RoomEvent.ParticipantAttributesChanged,
        current(() => {
          this.syncAgentState();
          // RECORDER=browser: the interviewer says the conversation is over; store the rest now.
          if (findAgent(room)?.attributes[PAGE_RECORDING_ATTRIBUTE] === 'stop') void this.recorder?.stop();
        }),
      )
      .on(RoomEvent.TrackSubscribed, current((track: RemoteTrack) => this.attachRemote(track)))
      .on(RoomEvent.TrackUnsubscribed, (track) => this.detachRemote(track))
      .on(RoomEvent.AudioPlaybackStatusChanged, current(() => this.syncAudioBlocked()))
      .on(
        RoomEvent.LocalTrackPublished,
        current((publication: LocalTrackPublication) => {
          if (publication.source !== Track.Source.Camera || !publication.track) return;
          const video = this.view.adoptSelfView();
          // attach() would otherwise add the track to the preview's MediaStream and keep its audio.
          video.srcObject = null;
          publication.track.attach(video);
          this.stopPreview();
        }),
      )
      .on(RoomEvent.Reconnecting, current(() => this.view.setBanner({ kind: 'reconnecting' })))
      .on(RoomEvent.SignalReconnecting, current(() => this.view.setBanner({ kind: 'reconnecting' })))
      .on(
        RoomEvent.Reconnected,
        current(() => {
          if (!this.recovering) this.view.setBanner(null);
        }),
      )
      .on(RoomEvent.Disconnected, current((reason?: DisconnectReason) => void this.onDisconnected(reason)));
    attachTranscription(room, this.view.captions);
    return room;
  }

  private async connect(grant: JoinGrant): Promise<void> {
    this.saveGrant(grant);
    this.countdown.start(grant.endsAt);
    const room = this.room ?? this.createRoom();
    this.room = room;
    this.view.setAgentState('connecting');
    await room.connect(grant.livekitUrl, grant.token);
    if (this.finished || room !== this.room) {
      if (room.state !== ConnectionState.Disconnected) void room.disconnect(true);
      return;
    }
    this.syncAgentState();
    this.syncAudioBlocked();
    try {
      await this.publishDevices(room);
    } catch (error) {
      if (!isMediaError(error)) throw error;
      throw new DeviceFailure(classifyMediaError(error));
    }
    if (grant.recorder === 'browser') this.recordRoom(room);
  }

  /** RECORDER=browser: a new segment for this connection's camera and microphone. */
  private recordRoom(room: Room): void {
    const mic = room.localParticipant.getTrackPublication(Track.Source.Microphone)?.track?.mediaStreamTrack;
    if (!mic || this.finished) return;
    const camera = room.localParticipant.getTrackPublication(Track.Source.Camera)?.track?.mediaStreamTrack;
    this.recorder ??= new PageRecorder(this.interviewId, this.getResumeKey);
    for (const p of room.remoteParticipants.values()) {
      for (const pub of p.audioTrackPublications.values()) if (pub.track) this.recorder.addRemoteAudio(pub.track.mediaStreamTrack);
    }
    this.recorder.startSegment(camera, mic);
  }

  private async publishDevices(room: Room): Promise<void> {
    const participant = room.localParticipant;
    // Microphone first: an interview without the candidate's voice is no interview.
    await participant.setMicrophoneEnabled(true, this.devices.micId ? { deviceId: { ideal: this.devices.micId } } : undefined);
    await participant.setCameraEnabled(
      true,
      this.devices.cameraId ? { deviceId: { ideal: this.devices.cameraId } } : { facingMode: 'user' },
    );
  }

  private async onDisconnected(reason: DisconnectReason | undefined): Promise<void> {
    if (this.finished) return;
    this.dropRoom();
    byId('remote-audio').replaceChildren();
    if (this.endRequested) return this.finish();
    // The room stopped our camera track; show the placeholder rather than a frozen frame.
    if (!this.preview) byId<HTMLVideoElement>('self-view').srcObject = null;
    if (reason === DisconnectReason.DUPLICATE_IDENTITY) {
      // The same resumeKey joined from another tab; two tabs taking turns would never settle.
      return this.fail('already_used');
    }
    await this.recover();
  }

  /**
   * Rejoins with the resumeKey a few times, checking first whether the interview is still live
   * (a room closed by the server usually means the interview ended).
   */
  private async recover(immediate = false): Promise<void> {
    if (this.recovering || this.finished) return;
    this.recovering = true;
    try {
      for (let attempt = 1; attempt <= REJOIN_DELAYS_MS.length; attempt += 1) {
        if (!(immediate && attempt === 1)) {
          this.view.setBanner({ kind: 'rejoining', attempt, max: REJOIN_DELAYS_MS.length });
          this.view.setAgentState('connecting');
          await sleep(REJOIN_DELAYS_MS[attempt - 1] ?? 10_000);
        }
        if (this.finished) return;
        const done = await this.tryRejoin();
        if (done) return;
      }
      this.fail('network');
    } finally {
      this.recovering = false;
    }
  }

  /** One rejoin attempt. True when the session reached a resting state (connected, done or failed). */
  private async tryRejoin(): Promise<boolean> {
    const resumeKey = this.getResumeKey();
    if (!resumeKey) {
      this.fail('already_used');
      return true;
    }
    try {
      const interview = await getInterview(this.interviewId);
      const outcome = outcomeForStatus(interview.status);
      if (outcome === 'done') return this.finish(), true;
      if (outcome !== 'live') return this.fail(outcome), true;
      const grant = await joinInterview(this.interviewId, resumeKey, disclosureVersion(getLang()));
      if (this.finished) return true;
      this.dropRoom();
      await this.connect(grant);
      this.view.setBanner(null);
      return true;
    } catch (error) {
      if (error instanceof DeviceFailure) return this.fail('devices_denied', error.problem), true;
      if (error instanceof ApiError) {
        const outcome = outcomeForApiError(error, true);
        if (outcome === 'done') return this.finish(), true;
        if (outcome === 'reload') return reloadForNewPage() || this.fail('network'), true;
        if (outcome !== 'live') return this.fail(outcome), true;
      }
      // Network trouble or a LiveKit connection failure: the next attempt may work.
      this.dropRoom();
      return false;
    }
  }

  private async end(): Promise<void> {
    const resumeKey = this.getResumeKey();
    if (!resumeKey) return this.fail('already_used');
    this.view.setEnding(true);
    try {
      await endInterview(this.interviewId, resumeKey);
    } catch (error) {
      const over = error instanceof ApiError && error.status === 410;
      if (!over) {
        if (error instanceof NetworkError || error instanceof ApiError) this.view.showEndFailed();
        else throw error;
        return;
      }
    }
    this.endRequested = true;
    this.finish();
  }

  private startStatusPolling(): void {
    window.clearInterval(this.statusTimer);
    // The server may end the interview (duration, operator) without the room closing at once.
    this.statusTimer = window.setInterval(() => void this.pollStatus(), STATUS_POLL_MS);
  }

  private async pollStatus(): Promise<void> {
    if (this.finished || this.recovering) return;
    try {
      const interview = await getInterview(this.interviewId);
      const outcome = outcomeForStatus(interview.status);
      if (outcome === 'done') this.finish();
      else if (outcome !== 'live') this.fail(outcome);
    } catch {
      // A missed poll changes nothing; the room connection is the real signal.
    }
  }

  private finish(): void {
    if (this.finished) return;
    this.dispose();
    this.callbacks.onEnded();
  }

  private fail(code: FatalCode, problem?: DeviceProblem): void {
    if (this.finished) return;
    this.dispose();
    this.callbacks.onFatal(code, problem);
  }

  private syncAgentState(): void {
    if (this.room) this.view.setAgentState(agentStateOf(this.room));
  }

  private syncAudioBlocked(): void {
    this.view.setAudioBlocked(this.room ? !this.room.canPlaybackAudio : false);
  }

  private attachRemote(track: RemoteTrack): void {
    if (track.kind !== Track.Kind.Audio) return;
    const element = track.attach();
    element.dataset.remoteAudio = 'true';
    this.recorder?.addRemoteAudio(track.mediaStreamTrack);
    byId('remote-audio').append(element);
    this.syncAudioBlocked();
  }

  private detachRemote(track: RemoteTrack): void {
    this.recorder?.removeRemoteAudio(track.mediaStreamTrack);
    for (const element of track.detach()) element.remove();
  }

  private listen(target: EventTarget, type: string, handler: (event: Event) => void): void {
    target.addEventListener(type, handler);
    this.cleanups.push(() => target.removeEventListener(type, handler));
  }
}
