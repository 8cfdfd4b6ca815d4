import { getDefaultRegistry, type BackendRegistry } from '@pointwise/core';
import { WorkersBackend, type WorkersBackendOptions } from './workers-backend.js';
import { WORKERS_BACKEND_NAME } from './workers-operator.js';

/** Priority of the workers backend: above cpu-tiled (100), below gpujs (300). */
export const WORKERS_PRIORITY = 200;

/**
 * Registers the workers backend as `workers` (priority {@link WORKERS_PRIORITY}).
 * Nothing starts until the registry selects it. Returns `false` when the name is taken.
 * @throws {InvalidArgumentError} for invalid options.
 */
export function registerWorkersBackend(registry: BackendRegistry = getDefaultRegistry(), options: WorkersBackendOptions = {}): boolean {
  // The constructor checks the options: bad ones throw here, not later as "unavailable".
  // The factory makes a fresh backend, since the registry may dispose one and create it again.
  new WorkersBackend(options);
  return registry.register(WORKERS_BACKEND_NAME, () => new WorkersBackend(options), { priority: WORKERS_PRIORITY });
}
