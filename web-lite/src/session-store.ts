// What the page remembers in this tab. sessionStorage survives a reload but not a new tab or
// another device, which is exactly the reach a resumeKey should have.

export interface DeviceChoice {
  cameraId: string | null;
  micId: string | null;
}

function read(key: string): string | null {
  try {
    return window.sessionStorage.getItem(key);
  } catch {
    return null; // storage disabled (private mode on old Safari, blocked cookies)
  }
}

function write(key: string, value: string): void {
  try {
    window.sessionStorage.setItem(key, value);
  } catch {
    // Without storage a reload cannot resume; the interview itself still works.
  }
}

const resumeKeyName = (id: string) => `interviewctl:resume:${id}`;
const devicesKeyName = (id: string) => `interviewctl:devices:${id}`;
const LANG_KEY = 'interviewctl:lang';
const RELOAD_KEY = 'interviewctl:reloaded-for-disclosure';

/**
 * The server no longer knows the disclosure this page shows (a new release changed its text):
 * reload to get the current page. False, without reloading, when this tab did so moments ago
 * already, so a page and a server that keep disagreeing never loop.
 */
export function reloadForNewPage(): boolean {
  const last = Number(read(RELOAD_KEY) ?? 0);
  if (Date.now() - last < 30_000) return false;
  write(RELOAD_KEY, String(Date.now()));
  window.location.reload();
  return true;
}

export function loadResumeKey(id: string): string | null {
  return read(resumeKeyName(id));
}

export function saveResumeKey(id: string, resumeKey: string): void {
  write(resumeKeyName(id), resumeKey);
}

export function loadDeviceChoice(id: string): DeviceChoice {
  const raw = read(devicesKeyName(id));
  if (!raw) return { cameraId: null, micId: null };
  try {
    const parsed = JSON.parse(raw) as Partial<DeviceChoice>;
    return {
      cameraId: typeof parsed.cameraId === 'string' ? parsed.cameraId : null,
      micId: typeof parsed.micId === 'string' ? parsed.micId : null,
    };
  } catch {
    return { cameraId: null, micId: null };
  }
}

export function saveDeviceChoice(id: string, choice: DeviceChoice): void {
  write(devicesKeyName(id), JSON.stringify(choice));
}

/** The language the candidate picked with the toggle, if any. */
export function loadLangOverride(): string | null {
  return read(LANG_KEY);
}

export function saveLangOverride(lang: string): void {
  write(LANG_KEY, lang);
}
