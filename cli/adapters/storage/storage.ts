import { createReadStream, createWriteStream } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
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
}

/** Multipart parts of 8 MiB: S3's minimum is 5 MiB; a crash loses at most the part in flight. */
const PART_SIZE = 8 * 1024 * 1024;

function checkKey(key: string): void {
  if (key.startsWith('/') || key.split('/').some((p) => p === '..' || p === '')) throw new UsageError(`bad storage key ${JSON.stringify(key)}`);
}

/** A local folder laid out like the bucket. Uploads land under a `.partial` name until complete. */
export function createLocalStorage(dir: string): ObjectStorage {
  const root = resolve(dir);
  const path = (key: string) => {
    checkKey(key);
    const p = join(root, ...key.split('/'));
    if (!p.startsWith(root + sep)) throw new UsageError(`bad storage key ${JSON.stringify(key)}`);
    return p;
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
        return (await stat(path(key))).size;
      } catch {
        return undefined;
      }
    },
    async get(key) {
      return readFile(path(key));
    },
    async read(key, start = 0) {
      const size = await this.size(key);
      if (size === undefined) return undefined;
      return { stream: createReadStream(path(key), { start }), size };
    },
    async presign(key) {
      return pathToFileURL(path(key)).toString();
    },
    async remove(key) {
      await rm(path(key), { force: true });
    },
  };
}

/** An S3-compatible bucket (AWS, R2, MinIO, versitygw). The SDK is loaded only when used. */
export async function createS3Storage(s3: NonNullable<Settings['s3']>): Promise<ObjectStorage> {
  const { S3Client, PutObjectCommand, HeadObjectCommand, GetObjectCommand, DeleteObjectCommand } = await import('@aws-sdk/client-s3');
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
