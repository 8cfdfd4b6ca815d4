import type { BackendRegistry } from '../registry.js';
import { REFERENCE_BACKEND_NAME, ReferenceBackend } from './reference-backend.js';

/** Priority of the reference backend: 0, below every engine, so it is chosen only as the last resort. */
export const REFERENCE_PRIORITY = 0;

/** Registers the float64 reference backend as `reference`. Returns `false` when the name is taken. */
export function registerReferenceBackend(registry: BackendRegistry): boolean {
  return registry.register(REFERENCE_BACKEND_NAME, () => new ReferenceBackend(), { priority: REFERENCE_PRIORITY });
}
