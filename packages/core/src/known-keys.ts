import { InvalidArgumentError } from './errors.js';
import { closestName } from './suggest.js';

/**
 * Rejects option keys that nobody reads, so a misspelt option (`strides`,
 * `therads`) fails loudly instead of silently running with the default — the
 * way PyTorch rejects an unexpected keyword argument.
 *
 * @param parameter name of the options object in the message (`problem`, `options`).
 * @param options the object to check (non-objects are left to the caller's own checks).
 * @param known every key the caller reads.
 * @throws {InvalidArgumentError} naming the first unknown key and listing the known ones, with
 * `(did you mean "…"?)` and `suggestion` set when a known key is close (see `closestName`).
 */
export function assertKnownKeys(parameter: string, options: unknown, known: readonly string[]): void {
  if (typeof options !== 'object' || options === null) return;
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new InvalidArgumentError(`${parameter}.${key}`, `one of the known options (${known.join(', ')})`, key, closestName(key, known));
    }
  }
}
