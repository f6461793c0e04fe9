// Entry point: reads the interview id from the URL, asks the server where the interview stands,
// and routes to preflight, a straight rejoin (reload with a resumeKey), done, or an error.
import { ApiError, getInterview, joinInterview, type PublicInterview } from './api';
import { disclosureVersion } from './disclosure';
import { applyStaticText, byId, showScreen } from './dom';
import { getLang, guessLang, isLang, type Lang, PRODUCT_NAME, setLang, t } from './i18n';
import { InterviewSession } from './interview';
import { InterviewView } from './interview-view';
import { MessageScreens } from './message-screens';
import { Preflight } from './preflight';
import { type ErrorCode, interviewIdFromPath, landingFor, outcomeForApiError } from './routing';
import {
  type DeviceChoice,
  loadDeviceChoice,
  loadLangOverride,
  loadResumeKey,
  reloadForNewPage,
  saveDeviceChoice,
  saveLangOverride,
  saveResumeKey,
} from './session-store';
import { checkBrowserSupport, isSupported } from './support';

class App {
  private readonly id = interviewIdFromPath(window.location.pathname);
  private readonly messages = new MessageScreens();
  private readonly view = new InterviewView();
  private interview: PublicInterview | null = null;
  private preflight: Preflight | null = null;
  private session: InterviewSession | null = null;
  private booting = false;

  constructor() {
    const override = loadLangOverride();
    setLang(isLang(override) ? override : guessLang(navigator.languages ?? [navigator.language]));
    this.renderText();
    byId('lang-toggle').addEventListener('click', () => {
      const next: Lang = getLang() === 'en' ? 'ja' : 'en';
      saveLangOverride(next);
      setLang(next);
      this.renderText();
    });
  }

  /** Loads the interview's status and shows the screen that fits it. Also the Try again action. */
  async boot(): Promise<void> {
    if (this.booting) return;
    this.booting = true;
    try {
      await this.route();
    } finally {
      this.booting = false;
    }
  }

  private async route(): Promise<void> {
    this.teardown();
    showScreen('loading');
    const id = this.id;
    if (!id) return this.showError('not_found');

    let interview: PublicInterview;
    try {
      interview = await getInterview(id);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return this.showError('not_found');
      return this.showError('network');
    }
    this.interview = interview;
    this.messages.setFirstName(interview.firstName ?? '');
    if (!isLang(loadLangOverride()) && isLang(interview.lang)) setLang(interview.lang);
    this.renderText();

    const landing = landingFor(interview.status, loadResumeKey(id) !== null);
    if (landing === 'preflight') return this.enterPreflight(interview);
    if (landing === 'rejoin') return this.rejoin();
    if (landing === 'done') return this.messages.showDone();
    return this.showError(landing);
  }

  private async enterPreflight(interview: PublicInterview): Promise<void> {
    if (!isSupported(checkBrowserSupport())) return this.showError('unsupported');
    const id = this.id!;
    const preflight = new Preflight(interview, {
      onJoin: (choice) => void this.join(choice),
      onDeviceProblem: (problem) => {
        this.teardown();
        this.messages.showError('devices_denied', { deviceProblem: problem, retry: () => void this.boot() });
      },
      onDeviceChoice: (choice) => saveDeviceChoice(id, choice),
    });
    this.preflight = preflight;
    // The preview goes back into the preflight card if a previous call had borrowed it.
    const video = byId<HTMLVideoElement>('self-view');
    video.dataset.i18nAriaLabel = 'preflight.previewLabel';
    byId('preview-slot').prepend(video);
    applyStaticText();
    showScreen('preflight');
    // Not awaited: the permission prompt may stay open for a long time.
    void preflight.start(loadDeviceChoice(id));
  }

  /** Runs inside the Join click: the session is created first so audio is unlocked by the gesture. */
  private async join(choice: DeviceChoice): Promise<void> {
    const id = this.id!;
    const session = this.createSession(choice);
    session.unlockAudio();
    let grant;
    try {
      grant = await joinInterview(id, loadResumeKey(id), disclosureVersion(getLang()));
    } catch (error) {
      session.dispose();
      if (this.session === session) this.session = null;
      if (error instanceof ApiError) {
        const outcome = outcomeForApiError(error, false);
        if (outcome === 'reload') return void (reloadForNewPage() || this.showError('network'));
        if (outcome !== 'live' && outcome !== 'done') return this.showError(outcome);
        // 429 (and a 400 that should not happen): stay on the preflight and let them try again.
        if (error.status === 429 || error.status === 400) return this.preflight?.joinFailed(error.status === 429);
      }
      return this.showError('network');
    }
    saveResumeKey(id, grant.resumeKey);
    saveDeviceChoice(id, choice);
    const preview = this.preflight?.handOff() ?? null;
    this.preflight = null;
    showScreen('interview');
    await session.start(grant, preview);
  }

  private async rejoin(): Promise<void> {
    if (!isSupported(checkBrowserSupport())) return this.showError('unsupported');
    const session = this.createSession(loadDeviceChoice(this.id!));
    showScreen('interview');
    void session.resume();
  }

  private createSession(devices: DeviceChoice): InterviewSession {
    this.session?.dispose();
    const id = this.id!;
    const session = new InterviewSession(
      id,
      () => loadResumeKey(id),
      (grant) => saveResumeKey(id, grant.resumeKey),
      devices,
      this.view,
      {
        onEnded: () => {
          if (this.session === session) this.session = null;
          this.messages.showDone();
        },
        onFatal: (code, deviceProblem) => {
          if (this.session === session) this.session = null;
          this.showError(code, deviceProblem);
        },
      },
    );
    this.session = session;
    return session;
  }

  private showError(code: ErrorCode, deviceProblem?: 'denied' | 'unavailable'): void {
    this.teardown();
    this.messages.showError(code, { deviceProblem, retry: () => void this.boot() });
  }

  private teardown(): void {
    this.preflight?.stop();
    this.preflight = null;
    this.session?.dispose();
    this.session = null;
  }

  private renderText(): void {
    const lang = getLang();
    document.documentElement.lang = lang;
    document.title = t('doc.title', { product: PRODUCT_NAME });
    byId('lang-toggle').setAttribute('lang', lang === 'en' ? 'ja' : 'en');
    applyStaticText();
    this.preflight?.render();
    this.view.render();
    this.messages.render();
  }
}

function start(): void {
  void new App().boot();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
