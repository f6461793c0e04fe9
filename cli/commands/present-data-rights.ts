import type { ConsentRecord } from '../adapters/db/consents.js';
import type { DeletionReceipt } from '../adapters/db/deletion-receipts.js';
import { printable } from '../ui/row-text.js';

const when = (d: Date | null) => (d ? d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-');

/** The consent line(s) of `show` (and of a report): time, disclosure version and language, browser. */
export function consentLines(consents: ConsentRecord[]): [string, string][] {
  if (consents.length === 0) return [['consent', 'none recorded (not joined yet, or joined before consent records existed)']];
  return consents.map((c) => [
    'consent',
    `${when(c.at)}  disclosure ${c.version.slice(0, 12)} (${c.lang})  ${c.userAgent === null ? 'browser: erased' : `browser: ${printable(c.userAgent)}`}`,
  ]);
}

/** The data-rights lines of `show`: consents, and the deletion receipt of a tombstone. */
export function dataRightsDetails(consents: ConsentRecord[], deletion: DeletionReceipt | null): [string, string][] {
  const lines = consentLines(consents);
  if (deletion) {
    lines.push([
      'deleted',
      deletion.status === 'complete'
        ? `${when(deletion.completedAt)} by ${printable(deletion.by)} (receipt ${deletion.id}): personal data and recordings erased`
        : `incomplete (receipt ${deletion.id}): ${deletion.remaining.length} storage item(s) remain; run candidate delete again`,
    ]);
  }
  return lines;
}
