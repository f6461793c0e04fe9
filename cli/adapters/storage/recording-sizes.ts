import { stat } from 'node:fs/promises';
import { localPathsOf } from './storage.js';

/**
 * Sizes of recordings in the local recordings folder, by interview id (null: not there yet).
 * A recording still being written may carry a `.part` suffix.
 */
export async function readRecordingSizes(dir: string, wanted: { id: string; key: string }[]): Promise<Map<string, number | null>> {
  const sizes = new Map<string, number | null>();
  for (const { id, key } of wanted) {
    let size: number | null = null;
    const { path, legacy } = localPathsOf(dir, key);
    // The finished file, or the upload still being written (see createLocalStorage), in either layout.
    for (const name of [path, `${path}.partial`, ...(legacy ? [legacy, `${legacy}.partial`] : [])]) {
      const s = await stat(name).catch(() => undefined);
      if (s) {
        size = s.size;
        break;
      }
    }
    sizes.set(id, size);
  }
  return sizes;
}
