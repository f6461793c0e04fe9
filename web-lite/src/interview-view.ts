// The interview screen's DOM: agent state, countdown, banners, self view and the End dialog.
// interview.ts drives it; nothing here knows about LiveKit.
import { CaptionLog } from './captions';
import type { CountdownView } from './countdown';
import { announce, byId } from './dom';
import { type MessageKey, t } from './i18n';

export type AgentState = 'connecting' | 'waiting' | 'initializing' | 'idle' | 'listening' | 'thinking' | 'speaking';

const AGENT_STATES: readonly AgentState[] = ['connecting', 'waiting', 'initializing', 'idle', 'listening', 'thinking', 'speaking'];

/** Reads LiveKit's `lk.agent.state` attribute; unknown values count as getting ready. */
export function parseAgentState(value: string | undefined): AgentState {
  if (value === undefined || value === '') return 'initializing';
  return (AGENT_STATES as readonly string[]).includes(value) ? (value as AgentState) : 'initializing';
}

export type BannerState = { kind: 'reconnecting' } | { kind: 'rejoining'; attempt: number; max: number } | null;

export class InterviewView implements CountdownView {
  readonly captions = new CaptionLog(byId('captions'), byId('captions-empty'));
  private readonly agent = byId('agent');
  private readonly agentState = byId('agent-state');
  private readonly countdown = byId('countdown');
  private readonly timer = byId('timer');
  private readonly banner = byId('reconnecting');
  private readonly bannerText = byId('reconnecting-text');
  private readonly audioUnlock = byId('audio-unlock');
  private readonly dialog = byId<HTMLDialogElement>('end-dialog');
  private readonly endButton = byId<HTMLButtonElement>('end');
  private readonly confirmButton = byId<HTMLButtonElement>('end-confirm');
  private readonly cancelButton = byId<HTMLButtonElement>('end-cancel');
  private readonly endError = byId('end-error');
  private state: AgentState = 'connecting';
  private bannerState: BannerState = null;
  private remaining = Number.NaN;
  private ending = false;

  /** Moves the one #self-view element from the preflight card into the call. */
  adoptSelfView(): HTMLVideoElement {
    const video = byId<HTMLVideoElement>('self-view');
    const slot = byId('self-slot');
    if (video.parentElement !== slot) slot.prepend(video);
    video.dataset.i18nAriaLabel = 'interview.selfViewLabel';
    video.setAttribute('aria-label', t('interview.selfViewLabel'));
    return video;
  }

  reset(): void {
    this.captions.clear();
    this.setAgentState('connecting');
    this.setBanner(null);
    this.setAudioBlocked(false);
    this.remaining = Number.NaN;
    this.countdown.textContent = '--:--';
    this.timer.dataset.low = 'false';
    this.setEnding(false);
    this.closeEndDialog();
  }

  setAgentState(state: AgentState): void {
    this.state = state;
    this.agent.dataset.state = state;
    this.agentState.dataset.state = state;
    this.agentState.textContent = t(`interview.state.${state}` as MessageKey);
  }

  setBanner(state: BannerState): void {
    this.bannerState = state;
    this.banner.hidden = state === null;
    if (state?.kind === 'reconnecting') this.bannerText.textContent = t('interview.reconnecting');
    if (state?.kind === 'rejoining') this.bannerText.textContent = t('interview.rejoining', { attempt: state.attempt, max: state.max });
  }

  setAudioBlocked(blocked: boolean): void {
    this.audioUnlock.hidden = !blocked;
  }

  update(remainingMs: number, text: string): void {
    this.remaining = remainingMs;
    this.countdown.textContent = text;
    this.timer.dataset.low = String(remainingMs <= 2 * 60_000);
    this.timer.dataset.over = String(remainingMs <= 0);
    byId('countdown-label').textContent = remainingMs <= 0 ? t('interview.timeUp') : t('interview.timeLeft');
  }

  announce(minutesLeft: number): void {
    announce(minutesLeft === 1 ? t('interview.oneMinuteLeft') : t('interview.minutesLeft', { minutes: minutesLeft }));
  }

  openEndDialog(): void {
    this.endError.hidden = true;
    this.setEnding(false);
    if (!this.dialog.open) this.dialog.showModal();
    this.cancelButton.focus();
  }

  closeEndDialog(): void {
    if (this.dialog.open) this.dialog.close();
  }

  setEnding(ending: boolean): void {
    this.ending = ending;
    this.confirmButton.disabled = ending;
    this.cancelButton.disabled = ending;
    this.confirmButton.textContent = ending ? t('end.ending') : t('end.confirm');
    this.confirmButton.dataset.busy = String(ending);
  }

  showEndFailed(): void {
    this.setEnding(false);
    this.endError.textContent = t('end.failed');
    this.endError.hidden = false;
  }

  /** Re-renders everything that carries text (after a language switch). */
  render(): void {
    this.setAgentState(this.state);
    this.setBanner(this.bannerState);
    this.setEnding(this.ending);
    if (!this.endError.hidden) this.endError.textContent = t('end.failed');
    if (!Number.isNaN(this.remaining)) this.update(this.remaining, this.countdown.textContent ?? '');
    this.captions.render();
  }

  get endElements(): { end: HTMLButtonElement; confirm: HTMLButtonElement; cancel: HTMLButtonElement; dialog: HTMLDialogElement; startAudio: HTMLButtonElement } {
    return { end: this.endButton, confirm: this.confirmButton, cancel: this.cancelButton, dialog: this.dialog, startAudio: byId<HTMLButtonElement>('start-audio') };
  }
}
