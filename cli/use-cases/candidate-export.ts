import { recordAccess } from '../adapters/db/access-log.js';
import type { Sql } from '../adapters/db/connect.js';
import { disclosureTexts } from '../adapters/db/consents.js';
import { createReceiptRepo } from '../adapters/db/deletion-receipts.js';
import { createPersonalDataRepo } from '../adapters/db/personal-data.js';
import { sha256, type ExportSink } from '../adapters/export/sink.js';
import type { ObjectStorage } from '../adapters/storage/storage.js';
import { PERSONAL_TABLES, storagePrefix } from '../core/personal-data.js';
import type { SubjectInterview } from './find-candidate.js';

/** One file of an export, as its manifest lists it. */
export interface ManifestItem {
  path: string | null;
  /** Where it came from: `postgres:<table>` or the storage key with its location. */
  source: string;
  description: string;
  rows?: number;
  bytes?: number;
  sha256?: string;
  /** Listed but not included (e.g. media under --no-media). */
  skipped?: string;
}

export interface ExportSummary {
  where: string;
  interviews: { id: string; deleted: boolean }[];
  items: ManifestItem[];
  mediaBytes: number;
}

/** Media is everything in storage that is not a small text document (transcripts, evaluations). */
export const isMedia = (key: string) => !/\.(json|vtt|txt|md|html)$/i.test(key);

const json = (v: unknown) => Buffer.from(`${JSON.stringify(v, null, 2)}\n`);

/**
 * Writes everything held about the subject's interviews into `sink`: the interview row, every
 * table of cli/core/personal-data.ts, the disclosure texts consented to, a deletion receipt if
 * any, and the storage objects (media only without `noMedia`), then `manifest.json` with each
 * item's source and sha256. Each interview's access is logged before its data is read.
 */
export async function exportCandidate(
  deps: { sql: Sql; storage: ObjectStorage; by: string },
  interviews: SubjectInterview[],
  opts: { sink: ExportSink; noMedia: boolean; progress: (done: number, total: number) => void },
): Promise<ExportSummary> {
  const { sql, storage, by } = deps;
  const data = createPersonalDataRepo(sql);
  const receipts = createReceiptRepo(sql);
  const items: ManifestItem[] = [];
  const add = async (path: string, body: Buffer, source: string, description: string, rows?: number) => {
    await opts.sink.addBuffer(path, body);
    items.push({ path, source, description, rows, bytes: body.length, sha256: sha256(body) });
  };

  // What is in storage, listed first so the progress bar knows the total.
  const stored = new Map<string, { key: string; size: number }[]>();
  let mediaTotal = 0;
  for (const i of interviews) {
    // No target path in the log: a file named after the candidate would outlive their deletion here.
    await recordAccess(sql, { by, what: 'candidate export', interviewId: i.id, detail: { media: !opts.noMedia } });
    const objects = await storage.list(storagePrefix(i.id));
    stored.set(i.id, objects);
    for (const o of objects) if (isMedia(o.key) && !opts.noMedia) mediaTotal += o.size;
  }

  let mediaDone = 0;
  for (const i of interviews) {
    const dir = `interviews/${i.id}`;
    const row = await data.interviewRow(i.id);
    await add(`${dir}/interview.json`, json(row), 'postgres:interviews', 'the interview: candidate, times, status, questions, storage keys', 1);
    for (const t of PERSONAL_TABLES) {
      const rows = await data.rows(t, i.id);
      await add(`${dir}/${t.exportName}.json`, json(rows), `postgres:${t.table}`, t.description, rows.length);
    }
    const consented = [...new Set((await data.rows(PERSONAL_TABLES.find((t) => t.table === 'consents')!, i.id)).map((c) => c.version as string))];
    if (consented.length > 0) {
      const texts = await disclosureTexts(sql, consented);
      await add(`${dir}/disclosures.json`, json(texts), 'postgres:disclosure_versions', 'the exact disclosure texts the candidate agreed to', texts.length);
    }
    const receipt = await receipts.forInterview(i.id);
    if (receipt) await add(`${dir}/deletion_receipt.json`, json(receipt), 'postgres:deletion_receipts', 'the receipt of the deletion of this interview\'s data', 1);

    for (const o of stored.get(i.id) ?? []) {
      const path = `${dir}/storage/${o.key.slice(storagePrefix(i.id).length)}`;
      const source = `${storage.where} ${o.key}`;
      if (isMedia(o.key) && opts.noMedia) {
        items.push({ path: null, source, description: 'recording', bytes: o.size, skipped: 'left out by --no-media' });
        continue;
      }
      const obj = await storage.read(o.key);
      if (!obj) {
        items.push({ path: null, source, description: 'stored object', skipped: 'gone from storage while exporting' });
        continue;
      }
      const media = isMedia(o.key);
      const done = await opts.sink.addStream(path, obj.stream, (n) => {
        if (!media) return;
        mediaDone += n;
        opts.progress(mediaDone, mediaTotal);
      }, { compress: !media });
      items.push({ path, source, description: media ? 'recording' : 'transcript or document', ...done });
    }
  }

  const manifest = {
    format: 'interviewctl-candidate-export/1',
    generatedAt: new Date().toISOString(),
    by,
    interviews: interviews.map((i) => ({ id: i.id, status: i.status, createdAt: i.createdAt, deleted: i.deleted })),
    items,
  };
  await opts.sink.addBuffer('manifest.json', json(manifest));
  await opts.sink.finish();
  return { where: opts.sink.where, interviews: interviews.map((i) => ({ id: i.id, deleted: i.deleted })), items, mediaBytes: mediaDone };
}
