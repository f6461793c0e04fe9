// The body of a candidate join as the built page sends it: consent and the disclosure version it
// shows (web-lite/dist/disclosures.json, written by the page's build). For tests and benches that
// join over HTTP without a browser.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

let cached;

/** @param {'en' | 'ja'} [lang] @returns {{version: string, lang: string}} */
export function disclosureShown(lang = 'en') {
  cached ??= JSON.parse(readFileSync(join(repoRoot, 'web-lite', 'dist', 'disclosures.json'), 'utf8'));
  const found = cached.find((d) => d.lang === lang);
  if (!found) throw new Error(`web-lite/dist/disclosures.json has no ${lang} disclosure; run npm run build`);
  return { version: found.version, lang: found.lang };
}

/** @param {Record<string, unknown>} [extra] e.g. {resumeKey} */
export function joinBody(extra = {}, lang = 'en') {
  return { consent: true, disclosure: disclosureShown(lang), ...extra };
}
