import { InvalidArgumentError } from '../errors.js';
import type { BackendRegistry } from '../registry.js';
import { REFERENCE_BACKEND_NAME, ReferenceBackend } from './reference-backend.js';

/** Priority of the reference backend: 0, below every engine, so it is chosen only as the last resort. */
export const REFERENCE_PRIORITY = 0;

/**
 * Rejects any option: the reference backend has none, so `reference[therads=2]` is a typo to report, not a
 * configuration to run (without this check it ran, as a second reference backend under that name).
 * @throws {InvalidArgumentError} naming the first option key.
 */
function noOptions(options: Readonly<Record<string, unknown>>): void {
  const key = Object.keys(options)[0];
  if (key !== undefined) throw new InvalidArgumentError(`options.${key}`, 'no options (the reference backend has none)', key);
}

/** Registers the float64 reference backend as `reference`. Returns `false` when the name is taken. */
export function registerReferenceBackend(registry: BackendRegistry): boolean {
  return registry.register(REFERENCE_BACKEND_NAME, () => new ReferenceBackend(), { priority: REFERENCE_PRIORITY, validate: noOptions });
}
