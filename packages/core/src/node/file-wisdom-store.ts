import { randomUUID } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { InvalidArgumentError } from '../errors.js';
import type { WisdomStore } from '../planner/wisdom-store.js';

/**
 * A wisdom store in a JSON file (Node only; import from `@pointwise/core/node`).
 * `load` returns `null` when the file does not exist; `save` writes a
 * temporary file of its own (a fresh name per save, so overlapping saves from
 * one process or its worker threads never share one) and renames it over the
 * file, so a crash or a concurrent save never leaves half a file: the last
 * rename wins, whole.
 * @throws {InvalidArgumentError} at once for a `path` that is not a non-empty string (a missing path
 *   made `load` throw a TypeError and `save` write a temporary file named `undefined.….tmp` first).
 * @throws {Error} on load for anything but a missing file, and on save, an error naming `path` and the
 *   file system's code (the original as its `cause`).
 */
export function fileWisdomStore(path: string): WisdomStore {
  if (typeof path !== 'string' || path === '') throw new InvalidArgumentError('path', 'the path of a wisdom file (a non-empty string)', path);
  return {
    async load() {
      try {
        return await readFile(path, 'utf8');
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOENT') return null;
        // As save's: named by the file the caller gave (a directory in its place was a bare EISDIR).
        throw new Error(`cannot load wisdom from ${path}: ${(error as { code?: string }).code ?? (error as Error).message}`, { cause: error });
      }
    },
    async save(json) {
      const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
      try {
        await writeFile(temporary, json);
        await rename(temporary, path);
      } catch (error) {
        await rm(temporary, { force: true });
        // Named by the file the caller gave, not the temporary one the error came from.
        throw new Error(`cannot save wisdom to ${path}: ${(error as { code?: string }).code ?? (error as Error).message}`, { cause: error });
      }
    },
  };
}
