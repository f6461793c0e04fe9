import type { Utterance } from './transcript.js';

/** What a masked name reads as in the text an evaluating model sees. */
export const NAME_PLACEHOLDER = '[candidate]';

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The candidate's name taken out of what was said (the interviewer's greeting says it; a candidate
 * may too), so a model scoring the answers cannot be swayed by a name. Each part of the name of two
 * characters or more is masked wherever it stands as a whole word; in scripts written without spaces
 * (Japanese) wherever it appears. Case-insensitive; texts without the name are returned as they were.
 */
export function maskCandidateName(utterances: readonly Utterance[], name: string | null | undefined): Utterance[] {
  const parts = [...new Set((name ?? '').normalize('NFC').split(/[\s,.]+/u).filter((p) => [...p].length >= 2))];
  if (parts.length === 0) return [...utterances];
  // Longest first, so "Anna-Lena" is masked before "Anna".
  parts.sort((a, b) => b.length - a.length);
  const patterns = parts.map((p) => {
    const spaced = /^[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{N}'’-]+$/u.test(p);
    return spaced ? new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegex(p)}(?![\\p{L}\\p{N}])`, 'giu') : new RegExp(escapeRegex(p), 'gu');
  });
  return utterances.map((u) => {
    if (u.text === null) return u;
    let text = u.text.normalize('NFC');
    for (const re of patterns) text = text.replace(re, NAME_PLACEHOLDER);
    return text === u.text.normalize('NFC') ? u : { ...u, text };
  });
}

