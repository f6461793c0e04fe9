// The disclosure the candidate agrees to: the exact texts shown above the consent box, in the
// language shown. Its version is the sha256 of the language and these texts, computed at build
// time (web-lite/build.mjs) from this same module, so the page and the server cannot drift: serve
// knows the versions of the page it serves (dist/disclosures.json) and refuses any other.
import { type Lang, MESSAGES, type MessageKey } from './i18n';

/** What the preflight screen shows as the disclosure, in order. */
export const DISCLOSURE_KEYS: readonly MessageKey[] = ['preflight.aboutAi', 'preflight.aboutRecording', 'preflight.consent'];

/** The exact disclosure text in one language (no placeholders in these messages). */
export function disclosureText(lang: Lang): string {
  return DISCLOSURE_KEYS.map((k) => MESSAGES[lang][k]).join('\n\n');
}

/** What is hashed: the language, a newline, the text. */
export function disclosureHashInput(lang: Lang): string {
  return `${lang}\n${disclosureText(lang)}`;
}

declare const __DISCLOSURE_VERSIONS__: Record<Lang, string> | undefined;

/** The version sent with a join: the build-time hash of what this page shows in `lang`. */
export function disclosureVersion(lang: Lang): { version: string; lang: Lang } | null {
  const versions = typeof __DISCLOSURE_VERSIONS__ === 'undefined' ? undefined : __DISCLOSURE_VERSIONS__;
  const version = versions?.[lang];
  return version ? { version, lang } : null;
}
