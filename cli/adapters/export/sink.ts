import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UsageError } from '../../core/errors.js';

/** Where an export is written: a folder, or one .zip file. Paths inside are `/`-separated. */
export interface ExportSink {
  /** For messages: the folder or the file. */
  where: string;
  addBuffer(path: string, body: Buffer): Promise<void>;
  /**
   * Streams a body in, counting its bytes as they pass; resolves with its size and sha256.
   * `compress: false` stores it as is in a zip (a recording is compressed already).
   */
  addStream(path: string, body: Readable, onBytes?: (n: number) => void, opts?: { compress?: boolean }): Promise<{ bytes: number; sha256: string }>;
  /** Completes the export (the zip's directory, the rename into place). */
  finish(): Promise<void>;
  /** Removes what a failed export wrote. */
  abort(): Promise<void>;
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function hashing(onBytes?: (n: number) => void) {
  const hash = createHash('sha256');
  let bytes = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      onBytes?.(chunk.length);
      cb(null, chunk);
    },
  });
  return { t, result: () => ({ bytes, sha256: hash.digest('hex') }) };
}

function safe(root: string, path: string): string {
  const p = resolve(root, ...path.split('/'));
  if (!p.startsWith(root + sep)) throw new Error(`export path escapes its folder: ${path}`);
  return p;
}

/**
 * Opens the target of `-o PATH`: a .zip file when PATH ends in .zip, else a folder. An existing
 * non-empty folder (or an existing file) is refused unless `force`; a zip is written beside its
 * name and renamed into place when complete, so a crash never leaves a half zip under that name.
 */
export async function openExportSink(path: string, force: boolean): Promise<ExportSink> {
  const target = resolve(path);
  if (target.toLowerCase().endsWith('.zip')) {
    if (existsSync(target) && !force) throw new UsageError(`-o ${path}: the file exists; pass --force to replace it`);
    if (existsSync(target) && statSync(target).isDirectory()) throw new UsageError(`-o ${path}: is a folder, not a .zip file`);
    await mkdir(dirname(target), { recursive: true });
    const partial = `${target}.partial`;
    const { ZipFile } = await import('yazl');
    const zip = new ZipFile();
    const written = pipeline(zip.outputStream as Readable, createWriteStream(partial));
    written.catch(() => {});
    return {
      where: target,
      async addBuffer(p, body) {
        zip.addBuffer(body, p);
      },
      async addStream(p, body, onBytes, o) {
        const h = hashing(onBytes);
        const through = new PassThrough();
        zip.addReadStream(through, p, { compress: o?.compress ?? true });
        await pipeline(body, h.t, through);
        return h.result();
      },
      async finish() {
        zip.end();
        await written;
        await rename(partial, target);
      },
      async abort() {
        zip.end();
        await written.catch(() => {});
        await rm(partial, { force: true });
      },
    };
  }
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) throw new UsageError(`-o ${path}: a file is in the way (give a folder, or a name ending in .zip)`);
    if (readdirSync(target).length > 0 && !force) throw new UsageError(`-o ${path}: the folder is not empty; pass --force to write into it`);
  }
  await mkdir(target, { recursive: true });
  const written: string[] = [];
  return {
    where: target,
    async addBuffer(p, body) {
      const file = safe(target, p);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, body);
      written.push(file);
    },
    async addStream(p, body, onBytes) {
      const file = safe(target, p);
      await mkdir(dirname(file), { recursive: true });
      const h = hashing(onBytes);
      written.push(file);
      await pipeline(body, h.t, createWriteStream(file));
      return h.result();
    },
    async finish() {},
    async abort() {
      // Only what this export wrote; the manifest is written last, so without it the folder says
      // it is incomplete anyway.
      for (const f of written) await rm(f, { force: true });
    },
  };
}

/** Joins path segments of an export. */
export const exportPath = (...parts: string[]) => join(...parts).split(sep).join('/');
