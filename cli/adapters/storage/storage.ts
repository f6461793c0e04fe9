import { createReadStream, createWriteStream } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UnavailableError, UsageError } from '../../core/errors.js';
import type { Settings } from '../../settings.js';

/** Where recordings and transcripts go: an S3-compatible bucket, or a local folder with the same keys. */
export interface ObjectStorage {
  kind: 's3' | 'local';
  /** For messages: bucket and endpoint, or the folder. Never a secret. */
  where: string;
  /** Streams a body of unknown length to `key` while it is produced (multipart upload on S3). */
  upload(key: string, body: Readable, contentType: string): Promise<void>;
  put(key: string, body: string | Buffer, contentType: string): Promise<void>;
  /** Size in bytes, or undefined when there is no such object. */
  size(key: string): Promise<number | undefined>;
  get(key: string): Promise<Buffer>;
  /** A stream of the object from byte `start` (to resume a download); undefined when absent. */
  read(key: string, start?: number): Promise<{ stream: Readable; size: number } | undefined>;
  /** A time-limited URL to view the object (S3); a file:// URL for the local folder. */
  presign(key: string, expiresSeconds: number): Promise<string>;
  remove(key: string): Promise<void>;
  /** Current objects under a prefix (what a reader would get), with their sizes. */
  list(prefix: string): Promise<{ key: string; size: number }[]>;
  /**
   * Everything stored under a prefix that an erasure must remove: every object, every version and
   * delete marker where the bucket keeps versions, and unfinished multipart uploads.
   */
  listEverything(prefix: string): Promise<StoredItem[]>;
  /** Removes one item of `listEverything` for good (a version by its id, an upload by aborting it). */
  removeItem(item: StoredItem): Promise<void>;
  /**
   * Multipart uploads begun under a prefix and neither completed nor aborted (a recorder whose
   * process was killed leaves one). A local folder has none: its half-written files are `.partial`.
   */
  listOpenUploads(prefix: string): Promise<OpenUpload[]>;
  /**
   * Aborts one open upload, dropping its parts. False when there is no such upload any more
   * (another sweep aborted it, or it completed), which is not an error.
   */
  abortUpload(upload: Pick<OpenUpload, 'key' | 'uploadId'>): Promise<boolean>;
}

/** A multipart upload left open in the bucket. */
export interface OpenUpload {
  key: string;
  uploadId: string;
  /** When it was begun; null when the server does not say. */
  initiatedAt: Date | null;
}

/** One thing in storage: an object, one version of it, or an unfinished upload. */
export interface StoredItem {
  key: string;
  /** `prefix`: everything under the key, not listed yet (a receipt's note; never removed as such). */
  kind: 'object' | 'version' | 'delete_marker' | 'upload' | 'prefix';
  /** The version id (versions and delete markers) or the upload id. */
  id?: string;
}

/** Multipart parts of 8 MiB: S3's minimum is 5 MiB; a crash loses at most the part in flight. */
const PART_SIZE = 8 * 1024 * 1024;

function checkKey(key: string): void {
  if (key.startsWith('/') || key.split('/').some((p) => p === '..' || p === '')) throw new UsageError(`bad storage key ${JSON.stringify(key)}`);
}

/** The bucket's keys all start with this; a local folder holds what is under it. */
const KEY_PREFIX = 'recordings/';

/**
 * Where a key lives in the local folder (RECORDINGS_DIR is the `recordings/` of the bucket:
 * `recordings/<id>/<file>` is `<dir>/<id>/<file>`), then where an older interviewctl put it
 * (`<dir>/recordings/<id>/<file>`), which is still read.
 */
export function localPathsOf(dir: string, key: string): { path: string; legacy: string | undefined } {
  checkKey(key);
  const root = resolve(dir);
  const inside = (parts: string[]) => {
    const p = join(root, ...parts);
    if (!p.startsWith(root + sep)) throw new UsageError(`bad storage key ${JSON.stringify(key)}`);
    return p;
  };
  const parts = key.split('/');
  if (!key.startsWith(KEY_PREFIX)) return { path: inside(parts), legacy: undefined };
  return { path: inside(parts.slice(1)), legacy: inside(parts) };
}

/** A local folder laid out like the bucket's `recordings/`. Uploads land under a `.partial` name until complete. */
export function createLocalStorage(dir: string): ObjectStorage {
  const root = resolve(dir);
  /** Where to write a key. */
  const path = (key: string) => localPathsOf(root, key).path;
  /** Where a key is: the current layout, else the older one, else (absent) the current. */
  const found = async (key: string) => {
    const { path: p, legacy } = localPathsOf(root, key);
    if (legacy === undefined || (await stat(p).catch(() => undefined))) return p;
    return (await stat(legacy).catch(() => undefined)) ? legacy : p;
  };
  return {
    kind: 'local',
    where: root,
    async upload(key, body) {
      const target = path(key);
      await mkdir(dirname(target), { recursive: true });
      const partial = `${target}.partial`;
      try {
        await pipeline(body, createWriteStream(partial));
      } catch (err) {
        throw new UnavailableError('storage', `cannot write ${key} under ${root}: ${(err as Error).message}`, { cause: err });
      }
      await rename(partial, target);
    },
    async put(key, body) {
      const target = path(key);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(`${target}.partial`, body);
      await rename(`${target}.partial`, target);
    },
    async size(key) {
      try {
        return (await stat(await found(key))).size;
      } catch {
        return undefined;
      }
    },
    async get(key) {
      return readFile(await found(key));
    },
    async read(key, start = 0) {
      const size = await this.size(key);
      if (size === undefined) return undefined;
      return { stream: createReadStream(await found(key), { start }), size };
    },
    async presign(key) {
      return pathToFileURL(await found(key)).toString();
    },
    async remove(key) {
      const { path: p, legacy } = localPathsOf(root, key);
      await rm(p, { force: true });
      if (legacy) await rm(legacy, { force: true });
    },
    async list(prefix) {
      const found: { key: string; size: number }[] = [];
      for (const { key, file } of await walk(root, prefix)) if (!key.endsWith('.partial')) found.push({ key, size: (await stat(file)).size });
      return found;
    },
    async listEverything(prefix) {
      // A folder keeps no versions; half-written `.partial` files are objects to remove too.
      return (await walk(root, prefix)).map(({ key }) => ({ key, kind: 'object' as const }));
    },
    async removeItem(item) {
      const { path: p, legacy } = localPathsOf(root, item.key);
      for (const file of legacy ? [p, legacy] : [p]) {
        await rm(file, { force: true });
        // Empty folders left behind go too, up to (not including) the root.
        for (let dir = dirname(file); dir.startsWith(root + sep); dir = dirname(dir)) {
          if ((await readdir(dir).catch(() => ['?'])).length > 0) break;
          await rmdir(dir).catch(() => {});
        }
      }
    },
    async listOpenUploads() {
      return [];
    },
    async abortUpload() {
      return false;
    },
  };
}

/**
 * The files under `prefix`, recursively, in order, with their keys: in the current layout and in
 * the older one (see localPathsOf), so a listing or a deletion misses neither.
 */
async function walk(root: string, prefix: string): Promise<{ key: string; file: string }[]> {
  const base = prefix.replace(/\/+$/, '');
  checkKey(base);
  const parts = base.split('/');
  // `recordings/<…>` lives at <root>/<…>, and at <root>/recordings/<…> for older homes.
  const places = base.startsWith(KEY_PREFIX) ? [join(root, ...parts.slice(1)), join(root, ...parts)] : [join(root, ...parts)];
  const out = new Map<string, string>();
  const visit = async (dir: string, key: string) => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw new UnavailableError('storage', `cannot read ${key} under ${root}: ${(err as Error).message}`, { cause: err });
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory()) await visit(join(dir, e.name), `${key}/${e.name}`);
      else if (!out.has(`${key}/${e.name}`)) out.set(`${key}/${e.name}`, join(dir, e.name));
    }
  };
  for (const place of places) await visit(place, base);
  return [...out].map(([key, file]) => ({ key, file })).sort((a, b) => a.key.localeCompare(b.key));
}

/** An S3-compatible bucket (AWS, R2, MinIO, versitygw). The SDK is loaded only when used. */
export async function createS3Storage(s3: NonNullable<Settings['s3']>): Promise<ObjectStorage> {
  const { S3Client, PutObjectCommand, HeadObjectCommand, GetObjectCommand, DeleteObjectCommand, ListObjectsV2Command, ListObjectVersionsCommand, ListMultipartUploadsCommand, AbortMultipartUploadCommand } =
    await import('@aws-sdk/client-s3');
  const { Upload } = await import('@aws-sdk/lib-storage');
  const client = new S3Client({
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: s3.forcePathStyle,
    credentials: s3.accessKeyId && s3.secretAccessKey ? { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } : undefined,
    // With the default (WHEN_SUPPORTED) a streamed upload is stored with its chunk framing inside
    // the object on several S3-compatible servers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 5,
  });
  const where = `s3://${s3.bucket}${s3.endpoint ? ` at ${s3.endpoint}` : ''}`;
  const unavailable = (what: string, key: string, err: unknown) =>
    new UnavailableError('storage', `${where}: ${what} ${key} failed: ${(err as Error)?.message ?? err}`, { cause: err });
  const storage: ObjectStorage = {
    kind: 's3',
    where,
    async upload(key, body, contentType) {
      checkKey(key);
      const upload = new Upload({ client, params: { Bucket: s3.bucket, Key: key, Body: body, ContentType: contentType }, partSize: PART_SIZE, queueSize: 2 });
      try {
        await upload.done();
      } catch (err) {
        throw unavailable('upload of', key, err);
      }
    },
    async put(key, body, contentType) {
      checkKey(key);
      try {
        await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body, ContentType: contentType }));
      } catch (err) {
        throw unavailable('put of', key, err);
      }
    },
    async size(key) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key }));
        return head.ContentLength ?? 0;
      } catch (err) {
        const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 404) return undefined;
        throw unavailable('head of', key, err);
      }
    },
    async get(key) {
      try {
        const res = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
        return Buffer.from(await res.Body!.transformToByteArray());
      } catch (err) {
        throw unavailable('get of', key, err);
      }
    },
    async read(key, start = 0) {
      const size = await storage.size(key);
      if (size === undefined) return undefined;
      try {
        const res = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key, Range: start > 0 ? `bytes=${start}-` : undefined }));
        return { stream: res.Body as Readable, size };
      } catch (err) {
        throw unavailable('get of', key, err);
      }
    },
    async presign(key, expiresSeconds) {
      const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
      return getSignedUrl(client, new GetObjectCommand({ Bucket: s3.bucket, Key: key }), { expiresIn: expiresSeconds });
    },
    async remove(key) {
      try {
        await client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: key }));
      } catch (err) {
        throw unavailable('delete of', key, err);
      }
    },
    async list(prefix) {
      const found: { key: string; size: number }[] = [];
      let token: string | undefined;
      try {
        do {
          const page = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix, ContinuationToken: token }));
          for (const o of page.Contents ?? []) if (o.Key) found.push({ key: o.Key, size: o.Size ?? 0 });
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
      } catch (err) {
        throw unavailable('listing of', prefix, err);
      }
      return found;
    },
    async listEverything(prefix) {
      const items: StoredItem[] = [];
      try {
        // Versions include the current objects; a bucket that never had versioning answers with
        // version id "null", which deletes the plain object.
        let keyMarker: string | undefined;
        let versionMarker: string | undefined;
        do {
          const page = await client.send(new ListObjectVersionsCommand({ Bucket: s3.bucket, Prefix: prefix, KeyMarker: keyMarker, VersionIdMarker: versionMarker }));
          for (const v of page.Versions ?? []) if (v.Key) items.push({ key: v.Key, kind: 'version', id: v.VersionId ?? 'null' });
          for (const m of page.DeleteMarkers ?? []) if (m.Key) items.push({ key: m.Key, kind: 'delete_marker', id: m.VersionId ?? 'null' });
          keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
          versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
        } while (keyMarker);
        for (const o of await storage.list(prefix)) if (!items.some((i) => i.key === o.key)) items.push({ key: o.key, kind: 'object' });
        for (const u of await storage.listOpenUploads(prefix)) items.push({ key: u.key, kind: 'upload', id: u.uploadId });
      } catch (err) {
        if (err instanceof UnavailableError) throw err;
        throw unavailable('listing of', prefix, err);
      }
      return items;
    },
    async removeItem(item) {
      checkKey(item.key);
      try {
        if (item.kind === 'upload') await client.send(new AbortMultipartUploadCommand({ Bucket: s3.bucket, Key: item.key, UploadId: item.id }));
        else await client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: item.key, VersionId: item.kind === 'object' ? undefined : item.id }));
      } catch (err) {
        throw unavailable('delete of', item.key, err);
      }
    },
    async listOpenUploads(prefix) {
      const uploads: OpenUpload[] = [];
      let keyMarker: string | undefined;
      let idMarker: string | undefined;
      try {
        do {
          const page = await client.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: idMarker }));
          for (const u of page.Uploads ?? []) if (u.Key && u.UploadId) uploads.push({ key: u.Key, uploadId: u.UploadId, initiatedAt: u.Initiated ?? null });
          keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
          idMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
        } while (keyMarker);
      } catch (err) {
        throw unavailable('listing of uploads under', prefix, err);
      }
      return uploads;
    },
    async abortUpload(upload) {
      checkKey(upload.key);
      try {
        await client.send(new AbortMultipartUploadCommand({ Bucket: s3.bucket, Key: upload.key, UploadId: upload.uploadId }));
        return true;
      } catch (err) {
        if ((err as { name?: string }).name === 'NoSuchUpload') return false;
        throw unavailable('abort of the upload of', upload.key, err);
      }
    },
  };
  return storage;
}

/** The configured storage: the bucket when S3_BUCKET is set, else RECORDINGS_DIR. */
export async function openStorage(settings: Pick<Settings, 's3' | 'recordingsDir'>): Promise<ObjectStorage> {
  return settings.s3 ? createS3Storage(settings.s3) : createLocalStorage(settings.recordingsDir);
}

/** Removes a local file if present (spool clean-up); never throws. */
export async function removeQuietly(file: string): Promise<void> {
  await rm(file, { force: true }).catch(() => {});
}
