// The done screen and the error screens: a heading, plain words, and at most one action.
import { byId, screenElement, showScreen } from './dom';
import { type MessageKey, t } from './i18n';
import type { ErrorCode } from './routing';
import type { DeviceProblem } from './support';

/** Errors the candidate can fix from this page get a Try again button. */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set(['devices_denied', 'network']);

interface ShownError {
  code: ErrorCode;
  deviceProblem: DeviceProblem | undefined;
}

export class MessageScreens {
  private shownError: ShownError | null = null;
  private firstName = '';
  private retryHandler: (() => void) | null = null;

  constructor() {
    byId('retry').addEventListener('click', () => {
      const handler = this.retryHandler;
      if (handler) handler();
    });
  }

  setFirstName(name: string): void {
    this.firstName = name.trim();
  }

  showDone(): void {
    this.shownError = null;
    this.renderDone();
    showScreen('done');
  }

  showError(code: ErrorCode, options: { deviceProblem?: DeviceProblem; retry?: () => void } = {}): void {
    this.shownError = { code, deviceProblem: options.deviceProblem };
    this.retryHandler = RETRYABLE.has(code) ? (options.retry ?? null) : null;
    this.renderError();
    showScreen('error');
  }

  /** Re-renders the visible texts (after a language switch). */
  render(): void {
    this.renderDone();
    if (this.shownError) this.renderError();
  }

  private renderDone(): void {
    byId('done-title').textContent = this.firstName ? t('done.titleNamed', { name: this.firstName }) : t('done.title');
  }

  private renderError(): void {
    if (!this.shownError) return;
    const { code, deviceProblem } = this.shownError;
    const section = screenElement('error');
    section.dataset.error = code;
    // A camera that is blocked and one that will not start share the hook but not the advice.
    const unavailable = code === 'devices_denied' && deviceProblem === 'unavailable';
    const texts = unavailable ? 'devices_unavailable' : code;
    byId('error-title').textContent = t(`error.${texts}.title` as MessageKey);
    byId('error-body').textContent = t(`error.${texts}.body` as MessageKey);
    byId('error-steps').hidden = !(code === 'devices_denied' && !unavailable);
    byId('retry').hidden = this.retryHandler === null;
  }
}
