import type { Disclosure } from '../adapters/db/consents.js';
import { HttpError } from './http-utils.js';

/** The disclosure versions of the built page (web-lite/dist/disclosures.json), by version. */
export function parseDisclosures(body: Buffer | undefined): Map<string, Disclosure> {
  const known = new Map<string, Disclosure>();
  if (!body) return known;
  const list = JSON.parse(body.toString('utf8')) as Disclosure[];
  for (const d of list) if (typeof d.version === 'string' && typeof d.lang === 'string' && typeof d.text === 'string') known.set(d.version, d);
  return known;
}

/** Longest user agent kept with a consent: enough to name the browser, not a fingerprint store. */
const USER_AGENT_MAX = 256;

/** A user agent as stored: printable characters only, trimmed to USER_AGENT_MAX. */
export function trimUserAgent(ua: string | undefined): string | null {
  if (!ua) return null;
  // eslint-disable-next-line no-control-regex
  const clean = ua.replace(/[\x00-\x1f\x7f]/g, ' ').trim().slice(0, USER_AGENT_MAX);
  return clean === '' ? null : clean;
}

/**
 * The disclosure a join says it showed. Refused (409 disclosure_outdated, which the page answers
 * by reloading) when it is missing or not one the page being served shows.
 */
export function checkDisclosure(body: Record<string, unknown>, known: Map<string, Disclosure>): Disclosure {
  const d = body.disclosure as { version?: unknown; lang?: unknown } | null | undefined;
  const found = d && typeof d.version === 'string' ? known.get(d.version) : undefined;
  if (!found || found.lang !== d!.lang) {
    throw new HttpError(409, 'disclosure_outdated', 'this page is out of date: reload it to see the current disclosure before joining');
  }
  return found;
}
