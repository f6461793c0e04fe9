// The preflight screen: camera preview, microphone meter, device pickers, disclosure, consent.
import type { PublicInterview } from './api';
import { byId } from './dom';
import { getLang, t } from './i18n';
import { MicMeter } from './mic-meter';
import type { DeviceChoice } from './session-store';
import { canRecordInterview, classifyMediaError, type DeviceProblem } from './support';

export interface PreflightCallbacks {
  /** Called on Join, inside the click (a user gesture), with the devices in use. */
  onJoin(choice: DeviceChoice): void;
  /** The camera or microphone could not be opened at all. */
  onDeviceProblem(problem: DeviceProblem): void;
  /** The chosen devices changed; worth remembering for a rejoin after reload. */
  onDeviceChoice(choice: DeviceChoice): void;
}

type CheckState = 'pending' | 'ok' | 'fail';
type CheckName = 'browser' | 'camera' | 'mic';

function videoConstraints(deviceId: string | null): MediaTrackConstraints {
  const base: MediaTrackConstraints = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };
  return deviceId ? { ...base, deviceId: { exact: deviceId } } : { ...base, facingMode: 'user' };
}

function audioConstraints(deviceId: string | null): MediaTrackConstraints | true {
  // Echo cancellation, noise suppression and gain control stay at the browser defaults: the
  // meter should show what the interviewer will hear.
  return deviceId ? { deviceId: { exact: deviceId } } : true;
}

function isStaleDeviceError(error: unknown): boolean {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  return name === 'OverconstrainedError' || name === 'NotFoundError';
}

export class Preflight {
  private readonly video = byId<HTMLVideoElement>('self-view');
  private readonly previewStatus = byId('preview-status');
  private readonly cameraSelect = byId<HTMLSelectElement>('camera-select');
  private readonly micSelect = byId<HTMLSelectElement>('mic-select');
  private readonly consent = byId<HTMLInputElement>('consent');
  private readonly joinButton = byId<HTMLButtonElement>('join');
  private readonly joinHint = byId('join-hint');
  private readonly meter: MicMeter;
  private stream: MediaStream | null = null;
  private joining = false;
  private rateLimited = false;
  private active = false;
  /** RECORDER=browser and this browser records none of the page's types: no join from here. */
  private readonly cannotRecord: boolean;
  private readonly cleanups: Array<() => void> = [];

  constructor(
    private readonly interview: PublicInterview,
    private readonly callbacks: PreflightCallbacks,
  ) {
    this.meter = new MicMeter(byId('mic-meter'), byId('mic-meter').querySelector<HTMLElement>('.meter-fill')!);
    this.cannotRecord = interview.recorder === 'browser' && !canRecordInterview();
  }

  /** Wires the controls and asks for the camera and microphone. */
  async start(initial: DeviceChoice): Promise<void> {
    this.active = true;
    this.consent.checked = false;
    this.joining = false;
    this.rateLimited = false;
    this.setCheck('browser', this.cannotRecord ? 'fail' : 'ok');
    byId('pf-cannot-record').hidden = !this.cannotRecord;
    this.consent.disabled = this.cannotRecord;
    this.setCheck('camera', 'pending');
    this.setCheck('mic', 'pending');
    this.previewStatus.hidden = false;
    this.render();
    this.listen(this.consent, 'change', () => {
      this.rateLimited = false;
      this.updateJoin();
    });
    this.listen(this.joinButton, 'click', () => this.join());
    this.listen(this.cameraSelect, 'change', () => void this.switchDevice('videoinput', this.cameraSelect.value));
    this.listen(this.micSelect, 'change', () => void this.switchDevice('audioinput', this.micSelect.value));
    this.listen(navigator.mediaDevices, 'devicechange', () => void this.refreshDeviceLists());
    // The meter's AudioContext may start suspended until the first interaction with the page.
    const resume = () => void this.meter.resume().then(() => this.updateJoin());
    this.listen(document, 'pointerdown', resume);
    this.listen(document, 'keydown', resume);

    try {
      this.stream = await this.open(initial);
    } catch (error) {
      if (!this.active) return;
      this.setCheck('camera', 'fail');
      this.setCheck('mic', 'fail');
      this.callbacks.onDeviceProblem(classifyMediaError(error));
      return;
    }
    if (!this.active) {
      this.stopStream();
      return;
    }
    this.showStream();
    await this.refreshDeviceLists();
    this.callbacks.onDeviceChoice(this.choice());
  }

  /** Re-renders everything that carries text (after a language switch). */
  render(): void {
    const name = this.interview.firstName.trim();
    byId('preflight-title').textContent = name ? t('preflight.titleNamed', { name }) : t('preflight.title');
    const minutes = Math.max(1, Math.round(this.interview.durationSeconds / 60));
    byId('pf-duration').textContent = t('preflight.duration', { minutes });
    const expires = new Date(this.interview.expiresAt);
    const expiresItem = byId('pf-expires');
    expiresItem.hidden = Number.isNaN(expires.getTime());
    if (!expiresItem.hidden) {
      const date = new Intl.DateTimeFormat(getLang() === 'ja' ? 'ja-JP' : 'en', { dateStyle: 'long', timeStyle: 'short' }).format(expires);
      expiresItem.textContent = t('preflight.expires', { date });
    }
    for (const name of ['browser', 'camera', 'mic'] as const) this.setCheck(name, (byId(`check-${name}`).dataset.ok ?? 'pending') as CheckState);
    this.relabelOptions(this.cameraSelect, t('preflight.camera'));
    this.relabelOptions(this.micSelect, t('preflight.mic'));
    this.updateJoin();
  }

  /** Join failed in a way the candidate can retry from here (e.g. 429). */
  joinFailed(rateLimited: boolean): void {
    this.joining = false;
    this.rateLimited = rateLimited;
    this.updateJoin();
  }

  choice(): DeviceChoice {
    const camera = this.stream?.getVideoTracks()[0]?.getSettings().deviceId ?? (this.cameraSelect.value || null);
    const mic = this.stream?.getAudioTracks()[0]?.getSettings().deviceId ?? (this.micSelect.value || null);
    return { cameraId: camera || null, micId: mic || null };
  }

  /** Stops the preview and the meter; keeps the video element. */
  stop(): void {
    this.stopStream(this.handOff());
  }

  /**
   * Ends the preflight but gives the running preview to the caller, so the candidate keeps
   * seeing themselves while the call connects and opens its own tracks.
   */
  handOff(): MediaStream | null {
    this.active = false;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.meter.close();
    const stream = this.stream;
    this.stream = null;
    return stream;
  }

  private join(): void {
    if (this.joinButton.disabled) return;
    this.joining = true;
    this.updateJoin();
    this.callbacks.onJoin(this.choice());
  }

  private async open(choice: DeviceChoice): Promise<MediaStream> {
    try {
      return await navigator.mediaDevices.getUserMedia({ video: videoConstraints(choice.cameraId), audio: audioConstraints(choice.micId) });
    } catch (error) {
      // A remembered device may be gone (unplugged, ids rotated): fall back to the defaults.
      if ((choice.cameraId || choice.micId) && isStaleDeviceError(error)) {
        return navigator.mediaDevices.getUserMedia({ video: videoConstraints(null), audio: audioConstraints(null) });
      }
      throw error;
    }
  }

  private showStream(): void {
    if (!this.stream) return;
    this.video.srcObject = this.stream;
    void this.video.play().catch(() => {});
    this.previewStatus.hidden = true;
    const [videoTrack] = this.stream.getVideoTracks();
    const [audioTrack] = this.stream.getAudioTracks();
    this.setCheck('camera', videoTrack?.readyState === 'live' ? 'ok' : 'fail');
    this.setCheck('mic', audioTrack?.readyState === 'live' ? 'ok' : 'fail');
    for (const track of this.stream.getTracks()) {
      track.addEventListener('ended', () => {
        if (!this.active) return;
        this.setCheck(track.kind === 'video' ? 'camera' : 'mic', 'fail');
        this.updateJoin();
      });
    }
    this.meter.attach(this.stream);
    this.updateJoin();
  }

  private async switchDevice(kind: 'videoinput' | 'audioinput', deviceId: string): Promise<void> {
    if (!this.stream || !deviceId) return;
    const isVideo = kind === 'videoinput';
    const old = isVideo ? this.stream.getVideoTracks() : this.stream.getAudioTracks();
    // Phones cannot open two cameras at once, so release the old device first.
    for (const track of old) track.stop();
    let replacement: MediaStream;
    try {
      replacement = await navigator.mediaDevices.getUserMedia(
        isVideo ? { video: videoConstraints(deviceId) } : { audio: audioConstraints(deviceId) },
      );
    } catch (error) {
      if (!this.active) return;
      if (classifyMediaError(error) === 'denied') {
        this.callbacks.onDeviceProblem('denied');
        return;
      }
      // Put the previous device back rather than leaving the candidate with nothing.
      replacement = await navigator.mediaDevices
        .getUserMedia(isVideo ? { video: videoConstraints(null) } : { audio: audioConstraints(null) })
        .catch(() => new MediaStream());
    }
    if (!this.active) {
      for (const track of replacement.getTracks()) track.stop();
      return;
    }
    const kept = isVideo ? this.stream.getAudioTracks() : this.stream.getVideoTracks();
    this.stream = new MediaStream([...kept, ...replacement.getTracks()]);
    this.showStream();
    await this.refreshDeviceLists();
    this.callbacks.onDeviceChoice(this.choice());
  }

  private async refreshDeviceLists(): Promise<void> {
    if (!this.active) return;
    let devices: MediaDeviceInfo[];
    try {
      devices = await navigator.mediaDevices.enumerateDevices();
    } catch {
      return;
    }
    const current = this.choice();
    this.fillSelect(this.cameraSelect, devices.filter((d) => d.kind === 'videoinput'), current.cameraId, t('preflight.camera'));
    this.fillSelect(this.micSelect, devices.filter((d) => d.kind === 'audioinput'), current.micId, t('preflight.mic'));
  }

  private fillSelect(select: HTMLSelectElement, devices: MediaDeviceInfo[], selectedId: string | null, kindLabel: string): void {
    const options = devices
      .filter((device) => device.deviceId)
      .map((device, index) => {
        const option = document.createElement('option');
        option.value = device.deviceId;
        option.dataset.index = String(index + 1);
        option.dataset.label = device.label;
        option.textContent = device.label || t('preflight.noLabel', { kind: kindLabel, n: index + 1 });
        return option;
      });
    select.replaceChildren(...options);
    if (selectedId && options.some((o) => o.value === selectedId)) select.value = selectedId;
    select.disabled = options.length === 0;
  }

  private relabelOptions(select: HTMLSelectElement, kindLabel: string): void {
    for (const option of select.options) {
      if (!option.dataset.label) option.textContent = t('preflight.noLabel', { kind: kindLabel, n: option.dataset.index ?? '' });
    }
  }

  private devicesReady(): boolean {
    const live = (tracks: MediaStreamTrack[] | undefined) => tracks?.some((track) => track.readyState === 'live') ?? false;
    return live(this.stream?.getVideoTracks()) && live(this.stream?.getAudioTracks());
  }

  private updateJoin(): void {
    const devicesReady = this.devicesReady();
    this.joinButton.disabled = this.cannotRecord || this.joining || !devicesReady || !this.consent.checked;
    this.joinButton.textContent = this.joining ? t('preflight.joining') : t('preflight.join');
    this.joinButton.dataset.busy = String(this.joining);
    let hint: string;
    if (this.cannotRecord) hint = t('preflight.cannotRecord.body');
    else if (this.rateLimited) hint = t('preflight.rateLimited');
    else if (!devicesReady) hint = t('preflight.needDevices');
    else if (!this.consent.checked) hint = t('preflight.needConsent');
    else hint = t('preflight.ready');
    byId('mic-hint').textContent = this.meter.suspended ? t('preflight.audioSuspended') : t('preflight.micHint');
    this.joinHint.textContent = hint;
    this.joinHint.dataset.tone = this.rateLimited || this.cannotRecord ? 'error' : 'neutral';
  }

  private setCheck(name: CheckName, state: CheckState): void {
    const item = byId(`check-${name}`);
    item.dataset.ok = state;
    const key = name === 'browser' && state === 'fail' && this.cannotRecord ? 'preflight.check.browser.noRecording' : (`preflight.check.${name}.${state}` as const);
    item.querySelector('.check-text')!.textContent = t(key);
  }

  private stopStream(stream: MediaStream | null = this.stream): void {
    for (const track of stream?.getTracks() ?? []) track.stop();
    if (stream === this.stream) this.stream = null;
  }

  private listen(target: EventTarget, type: string, handler: (event: Event) => void): void {
    target.addEventListener(type, handler);
    this.cleanups.push(() => target.removeEventListener(type, handler));
  }
}
