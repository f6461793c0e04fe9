import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { disclosureHashInput, disclosureText } from '../../web-lite/src/disclosure.js';
import { checkDisclosure, parseDisclosures, trimUserAgent } from './disclosures.js';
import { HttpError } from './http-utils.js';

const known = parseDisclosures(Buffer.from(JSON.stringify([{ version: 'a'.repeat(64), lang: 'en', text: 'You talk with an AI.' }, { version: 'b'.repeat(64), lang: 'ja', text: 'AI です。' }])));

const refusal = (body: Record<string, unknown>) => {
  try {
    checkDisclosure(body, known);
  } catch (err) {
    return err instanceof HttpError ? `${err.status} ${err.code}` : String(err);
  }
  return 'accepted';
};

describe('the disclosure version a join names', () => {
  it('accepts a version the served page shows, in its language', () => {
    expect(checkDisclosure({ consent: true, disclosure: { version: 'a'.repeat(64), lang: 'en' } }, known).text).toBe('You talk with an AI.');
  });

  it('refuses a stale page (unknown or missing version, or another language) with 409 disclosure_outdated', () => {
    expect(refusal({ consent: true })).toBe('409 disclosure_outdated');
    expect(refusal({ consent: true, disclosure: null })).toBe('409 disclosure_outdated');
    expect(refusal({ consent: true, disclosure: { version: 'c'.repeat(64), lang: 'en' } })).toBe('409 disclosure_outdated');
    expect(refusal({ consent: true, disclosure: { version: 'a'.repeat(64), lang: 'ja' } })).toBe('409 disclosure_outdated');
    expect(refusal({ consent: true, disclosure: { version: 42, lang: 'en' } })).toBe('409 disclosure_outdated');
    expect(refusal({ consent: true, disclosure: 'a'.repeat(64) })).toBe('409 disclosure_outdated');
  });

  it('knows no version when the page is not built', () => {
    expect(parseDisclosures(undefined).size).toBe(0);
  });
});

describe('trimUserAgent', () => {
  it('keeps a printable, bounded user agent', () => {
    expect(trimUserAgent('  Mozilla/5.0 (X11)  ')).toBe('Mozilla/5.0 (X11)');
    expect(trimUserAgent('a\u001b[31mb\nc')).toBe('a [31mb c');
    expect(trimUserAgent('x'.repeat(1000))).toHaveLength(256);
    expect(trimUserAgent(undefined)).toBeNull();
    expect(trimUserAgent('   ')).toBeNull();
  });
});

const built = fileURLToPath(new URL('../../web-lite/dist/disclosures.json', import.meta.url));

describe('the versions serve knows', () => {
  it.skipIf(!existsSync(built))('the built page carries the hash of these very texts, so page and server cannot drift', () => {
    const list = JSON.parse(readFileSync(built, 'utf8')) as { version: string; lang: 'en' | 'ja'; text: string }[];
    expect(list.map((d) => d.lang).sort()).toEqual(['en', 'ja']);
    for (const d of list) {
      expect(d.text).toBe(disclosureText(d.lang));
      expect(d.version).toBe(createHash('sha256').update(disclosureHashInput(d.lang), 'utf8').digest('hex'));
    }
    const app = readFileSync(fileURLToPath(new URL('../../web-lite/dist/app.js', import.meta.url)), 'utf8');
    for (const d of list) expect(app).toContain(d.version);
  });

});
