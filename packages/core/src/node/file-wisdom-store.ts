import { readFile, writeFile, rename } from 'node:fs/promises';
import type { WisdomStore } from '../planner/wisdom-store.js';

/**
 * A wisdom store in a JSON file (Node only; import from `@pointwise/core/node`).
 * `load` returns `null` when the file does not exist; `save` writes a
 * temporary file and renames it, so a crash never leaves half a file.
 * @throws {Error} from the file system for anything but a missing file.
 */
export function fileWisdomStore(path: string): WisdomStore {
  return {
    async load() {
      try {
        return await readFile(path, 'utf8');
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOENT') return null;
        throw error;
      }
    },
    async save(json) {
      const temporary = `${path}.${process.pid}.tmp`;
      await writeFile(temporary, json);
      await rename(temporary, path);
    },
  };
}
