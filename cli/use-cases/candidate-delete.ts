import { existsSync, readdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Sql } from '../adapters/db/connect.js';
import { createReceiptRepo, type DeletionReceipt } from '../adapters/db/deletion-receipts.js';
import type { InterviewRepo } from '../adapters/db/interviews.js';
import { enqueueEvent } from '../adapters/db/outbox.js';
import { createPersonalDataRepo, erasePersonalRows, type RowCounts } from '../adapters/db/personal-data.js';
import type { ObjectStorage, StoredItem } from '../adapters/storage/storage.js';
import { ConflictError } from '../core/errors.js';
import { candidateDeletedData } from '../core/hook-events.js';
import { storagePrefix } from '../core/personal-data.js';
import { isLive } from '../core/states.js';
import { tombstoneHash } from './find-candidate.js';

export interface DeleteDeps {
  sql: Sql;
  interviews: InterviewRepo;
  storage: ObjectStorage;
  /** Local folders that may hold copies: the agent's spool, and a local recordings folder. */
  localDirs: { spool: string; recordings?: string };
  by: string;
  /** How long a forced delete waits for a live interview to finish before failing it. */
  forceWaitMs?: number;
}

export interface DeleteOutcome {
  id: string;
  result: 'deleted' | 'already_deleted' | 'incomplete' | 'would_delete';
  receipt?: DeletionReceipt;
  /** --dry-run: what would go. */
  plan?: { rows: RowCounts; storage: StoredItem[]; local: string[]; storageError?: string };
}

/** Files under a folder, as paths relative to `base` (for the receipt: names, no contents). */
function filesUnder(dir: string, base: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const visit = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) visit(p);
      else out.push(relative(base, p));
    }
  };
  visit(dir);
  return out;
}

/** Spool and local-recording folders of one interview. */
function localPlaces(deps: DeleteDeps, id: string): { dir: string; base: string }[] {
  const places = [{ dir: join(deps.localDirs.spool, id), base: join(deps.localDirs.spool, '..') }];
  // With a bucket configured, a local recordings folder may still hold copies from before.
  if (deps.localDirs.recordings && deps.storage.kind === 's3') places.push({ dir: join(deps.localDirs.recordings, 'recordings', id), base: deps.localDirs.recordings });
  return places;
}

const same = (a: StoredItem, b: StoredItem) => a.key === b.key && a.kind === b.kind && a.id === b.id;

/**
 * Deletes everything held about one interview's candidate, resumably:
 *
 * 1. One transaction erases the personal rows (cli/core/personal-data.ts), turns the interview row
 *    into a tombstone and writes the receipt, listing the keys it knows of as still to delete.
 *    (`candidate.deleted` joins this transaction once outbound webhooks exist, issue 11.)
 * 2. Every item under the interview's storage prefix goes: objects, every version and delete
 *    marker, unfinished uploads; then the local spool and recording copies.
 * 3. The receipt is settled: complete, or incomplete with what remains. A rerun starts at 2.
 *
 * A live interview is refused unless `force`: then it is ended, given `forceWaitMs` to finish,
 * and failed if it has not.
 */
export async function deleteInterviewData(deps: DeleteDeps, id: string, opts: { dryRun: boolean; reason: string | null; force: boolean }): Promise<DeleteOutcome> {
  const { sql, storage } = deps;
  const receipts = createReceiptRepo(sql);
  const existing = await receipts.forInterview(id);
  if (existing?.status === 'complete') return opts.dryRun ? { id, result: 'already_deleted', receipt: existing } : sweepAgain(deps, existing);

  const personal = createPersonalDataRepo(sql);
  const row = await personal.deletionFacts(id);
  if (!existing && isLive(row!.status) && !opts.force) {
    throw new ConflictError(`interview ${id} is live (${row!.status}); end it first, or pass --force to end it and delete`, 'interview_live');
  }
  const prefix = storagePrefix(id);

  if (opts.dryRun) {
    let items: StoredItem[] = [];
    let storageError: string | undefined;
    try {
      items = await storage.listEverything(prefix);
    } catch (err) {
      storageError = (err as Error).message;
    }
    const local = localPlaces(deps, id).flatMap((p) => filesUnder(p.dir, p.base));
    return { id, result: 'would_delete', plan: { rows: existing ? {} : await personal.countErasable(id), storage: items, local, storageError } };
  }

  if (!existing && isLive(row!.status)) await endLive(deps, id);
  // A link not used yet must not open a session for a person who asked to be forgotten.
  if (!existing && row!.status === 'created') {
    await deps.interviews.applyEvent(id, 'revoke', { actor: 'operator', reason: 'candidate data deleted' }).catch((err) => {
      if (!(err instanceof ConflictError)) throw err;
    });
  }

  let receipt = existing;
  if (!receipt) {
    const known: StoredItem[] = row!.keys.map((key) => ({ key, kind: 'object' }));
    // Until the prefix is listed, it is itself still to delete.
    const remaining: StoredItem[] = [{ key: prefix, kind: 'prefix' }, ...known];
    receipt = await sql.begin(async (t) => {
      const tx = t as unknown as Sql;
      const rows = await erasePersonalRows(tx, id, {
        deleted_at: new Date(),
        erased_email_sha256: row!.candidateEmail ? tombstoneHash('email', row!.candidateEmail) : null,
        erased_ref_sha256: row!.ref ? tombstoneHash('ref', row!.ref) : null,
        recording_key: null,
        transcript_key: null,
        vtt_key: null,
      });
      const opened = await receipts.open(tx, { interviewId: id, by: deps.by, reason: opts.reason, rows, remaining });
      // Downstream copies can go too: candidate.deleted commits with the erasure (after the
      // interview's earlier events were erased above), to the endpoints subscribed to it.
      // objects_deleted counts the objects known now; the receipt has the final list.
      await enqueueEvent(tx, {
        type: 'candidate.deleted',
        interviewId: id,
        data: candidateDeletedData({ interviewId: id, ref: row!.ref, deletedAt: opened.requestedAt, receiptId: String(opened.id), objectsDeleted: known.length }),
      });
      return opened;
    });
  }
  return { id, ...(await clearStorage(deps, receipt, existing !== undefined)) };
}

/**
 * A rerun after a complete deletion looks once more: a recorder that was still finishing (or a
 * spool kept on this machine) may have stored something since. Found items go the same way and
 * are added to the receipt; otherwise it is simply already deleted. Storage being down then is
 * not an error: the deletion is complete as far as anyone could see.
 */
async function sweepAgain(deps: DeleteDeps, receipt: DeletionReceipt): Promise<DeleteOutcome> {
  const id = receipt.interviewId;
  let found: StoredItem[];
  try {
    found = await deps.storage.listEverything(storagePrefix(id));
  } catch {
    return { id, result: 'already_deleted', receipt };
  }
  const local = localPlaces(deps, id).some((p) => existsSync(p.dir));
  if (found.length === 0 && !local) return { id, result: 'already_deleted', receipt };
  return { id, ...(await clearStorage(deps, receipt, true)) };
}

/** Step 2 and 3: storage and local copies, then the receipt says what went and what is left. */
async function clearStorage(deps: DeleteDeps, receipt: DeletionReceipt, retry: boolean): Promise<{ result: 'deleted' | 'incomplete'; receipt: DeletionReceipt }> {
  const { storage } = deps;
  const id = receipt.interviewId;
  const deleted: StoredItem[] = [];
  const failed: StoredItem[] = [];
  let error: string | null = null;
  let todo = receipt.remaining.filter((i) => i.kind !== 'prefix');
  let listed = false;
  try {
    const found = await storage.listEverything(storagePrefix(id));
    listed = true;
    // Known keys first; anything the listing adds after them. A known key the listing does not
    // show is gone already.
    todo = found;
  } catch (err) {
    error = (err as Error).message;
  }
  for (const item of todo) {
    try {
      await storage.removeItem(item);
      deleted.push(item);
    } catch (err) {
      failed.push(item);
      error ??= (err as Error).message;
    }
  }
  const localDeleted: string[] = [];
  for (const place of localPlaces(deps, id)) {
    const files = filesUnder(place.dir, place.base);
    try {
      await rm(place.dir, { recursive: true, force: true });
      localDeleted.push(...files);
    } catch (err) {
      error ??= `cannot remove ${place.dir}: ${(err as Error).message}`;
    }
  }
  const remaining = [...(listed ? [] : [{ key: storagePrefix(id), kind: 'prefix' as const }]), ...failed];
  const unique = remaining.filter((r, i) => remaining.findIndex((o) => same(o, r)) === i);
  const settled = await createReceiptRepo(deps.sql).settle(receipt.id, { deleted, remaining: unique, localDeleted, error, retry });
  return { result: settled.status === 'complete' ? 'deleted' : 'incomplete', receipt: settled };
}

/** --force on a live interview: end it, give the recorder time to finish, then fail it. */
async function endLive(deps: DeleteDeps, id: string): Promise<void> {
  const { interviews } = deps;
  const current = await interviews.get(id);
  if (current.status === 'used' || current.status === 'recording') {
    await interviews.applyEvent(id, 'end', { actor: 'operator', reason: 'candidate data deleted', patch: { end_reason: 'operator_ended' } }).catch((err) => {
      if (!(err instanceof ConflictError)) throw err;
    });
  }
  const deadline = Date.now() + (deps.forceWaitMs ?? 60_000);
  while (Date.now() < deadline && isLive((await interviews.get(id)).status)) await new Promise((r) => setTimeout(r, 500));
  if (isLive((await interviews.get(id)).status)) {
    await interviews.applyEvent(id, 'fail', { actor: 'operator', reason: 'candidate data deleted', patch: { error: 'candidate_deleted' } }).catch((err) => {
      if (!(err instanceof ConflictError)) throw err;
    });
  }
}
