import { getDefaultRegistry, type BackendRegistry } from '@pointwise/core';
import { WorkersBackend, type WorkersBackendOptions } from './workers-backend.js';
import { WORKERS_BACKEND_NAME } from './workers-operator.js';

/** Priority of the workers backend: above cpu-tiled (100), below gpujs (300). */
export const WORKERS_PRIORITY = 200;

/**
 * Registers the workers backend as `workers` (priority {@link WORKERS_PRIORITY}).
 * Nothing starts until the registry selects it. Returns `false` when the name is taken.
 */
export function registerWorkersBackend(registry: BackendRegistry = getDefaultRegistry(), options: WorkersBackendOptions = {}): boolean {
  return registry.register(WORKERS_BACKEND_NAME, () => new WorkersBackend(options), { priority: WORKERS_PRIORITY });
}
