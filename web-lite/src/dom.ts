// Small DOM helpers shared by the views. No framework: the markup lives in index.html and the
// code only fills text, toggles `hidden` and sets data-* attributes (styles come from classes,
// which keeps the page inside a CSP without 'unsafe-inline').
import { type MessageKey, t } from './i18n';

export type ScreenName = 'loading' | 'preflight' | 'interview' | 'done' | 'error';

/** The element with this id; a missing one is a bug in index.html, so fail loudly. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from index.html`);
  return element as T;
}

export function screenElement(name: ScreenName): HTMLElement {
  const element = document.querySelector<HTMLElement>(`[data-screen="${name}"]`);
  if (!element) throw new Error(`[data-screen="${name}"] is missing from index.html`);
  return element;
}

let currentScreen: ScreenName = 'loading';

export function activeScreen(): ScreenName {
  return currentScreen;
}

/**
 * Shows one screen and hides the others. Focus moves to the new screen's heading so keyboard
 * and screen-reader users land on what changed.
 */
export function showScreen(name: ScreenName): void {
  const changed = name !== currentScreen;
  currentScreen = name;
  for (const section of document.querySelectorAll<HTMLElement>('[data-screen]')) {
    const active = section.dataset.screen === name;
    section.hidden = !active;
    if (!active) section.removeAttribute('aria-busy');
  }
  document.body.dataset.activeScreen = name;
  if (changed) {
    const heading = screenElement(name).querySelector<HTMLElement>('h1');
    heading?.focus({ preventScroll: true });
    window.scrollTo({ top: 0 });
  }
}

/** Fills every `data-i18n` text and `data-i18n-aria-label` attribute under `root`. */
export function applyStaticText(root: ParentNode = document): void {
  for (const element of root.querySelectorAll<HTMLElement>('[data-i18n]')) {
    element.textContent = t(element.dataset.i18n as MessageKey);
  }
  for (const element of root.querySelectorAll<HTMLElement>('[data-i18n-aria-label]')) {
    element.setAttribute('aria-label', t(element.dataset.i18nAriaLabel as MessageKey));
  }
}

/** Says something to screen-reader users without moving focus. */
export function announce(message: string): void {
  const region = byId('announcer');
  // Clearing first makes a repeated message be read again.
  region.textContent = '';
  window.setTimeout(() => {
    region.textContent = message;
  }, 50);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => window.setTimeout(resolve, ms));
}
