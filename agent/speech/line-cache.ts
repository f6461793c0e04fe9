import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lang } from '../../cli/core/lang.js';
import { SPEECH_SAMPLE_RATE, type Synthesizer } from './synthesizers.js';

/** Lines kept; past this the older half (by when it was made) goes. A line is ~0.3-1 MB of 48 kHz PCM. */
const MAX_LINES = 400;

/** The installed espeak-ng package's version (its WASM build and voice data), or '' when unknown. */
const voiceBuild = (() => {
  try {
    return String((createRequire(import.meta.url)('espeak-ng/package.json') as { version?: string }).version ?? '');
  } catch {
    return '';
  }
})();

/**
 * The offline voice's prepared lines, kept on disk and shared by every interview this machine runs:
 * a campaign asks the same questions in the same words, and espeak-ng took ~2 CPU-s per minute of
 * a short interview making them again (bench:agent-cpu). Only for lines without personal data: the
 * caller passes none that names the candidate (preparedLines marks them) and never a model's words.
 * A file that cannot be read or written is made again: the cache can only save work.
 */
export function cacheLines(inner: Synthesizer, dir: string, maxLines = MAX_LINES): { synthesize(text: string, lang: Lang): Promise<Int16Array> } {
  let pruned = false;
  // The voice's build is in the key: an upgraded espeak-ng says its lines anew.
  const keyOf = (text: string, lang: Lang) => createHash('sha256').update(JSON.stringify([inner.label, voiceBuild, lang, SPEECH_SAMPLE_RATE, text])).digest('hex');
  return {
    async synthesize(text, lang) {
      const file = join(dir, `${keyOf(text, lang)}.pcm`);
      try {
        const bytes = await readFile(file);
        if (bytes.byteLength > 0 && bytes.byteLength % 2 === 0) return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
      } catch {
        // Not made yet.
      }
      const pcm = await inner.synthesize(text, lang);
      try {
        await mkdir(dir, { recursive: true });
        // Whole or not at all: another job process may be reading it.
        const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
        await writeFile(tmp, Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
        await rename(tmp, file);
        if (!pruned) {
          pruned = true;
          await prune(dir, maxLines);
        }
      } catch {
        // A full or read-only disk costs only the saving.
      }
      return pcm;
    },
  };
}

async function prune(dir: string, maxLines: number): Promise<void> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.pcm'));
  if (names.length <= maxLines) return;
  const aged = await Promise.all(names.map(async (n) => ({ n, at: (await stat(join(dir, n)).catch(() => undefined))?.mtimeMs ?? 0 })));
  aged.sort((a, b) => a.at - b.at);
  await Promise.all(aged.slice(0, Math.ceil(names.length / 2)).map(({ n }) => unlink(join(dir, n)).catch(() => {})));
}
