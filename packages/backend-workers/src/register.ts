import { getDefaultRegistry, type BackendRegistry } from '@pointwise/core';
import { WorkersBackend, type WorkersBackendOptions } from './workers-backend.js';
import { WORKERS_BACKEND_NAME } from './workers-operator.js';

/**
 * Named configurations of the selection syntax. `workers[pool]` (also
 * `workers[js,pool]`) computes every run of `N > 0` on pool threads, cut into
 * the most tiles, with the calling thread idle and three pool threads: the
 * path a conformance run must exercise, which default thresholds reserve for
 * large layers.
 */
export const WORKERS_PRESETS = {
  pool: { threads: 3, callerComputes: false, minParallelFlops: 0, minTileFlops: 1 },
} as const;

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
  return registry.register(WORKERS_BACKEND_NAME, (merged) => new WorkersBackend(merged as WorkersBackendOptions), {
    priority: WORKERS_PRIORITY,
    options: options as Readonly<Record<string, unknown>>,
    // `workers[js]` means { kernel: 'js' }; `workers[threads=4,kernel=js]` sets both. The constructor checks them.
    shorthand: 'kernel',
    presets: WORKERS_PRESETS,
    validate: (merged) => void new WorkersBackend(merged as WorkersBackendOptions),
  });
}

declare module '@pointwise/core' {
  interface BackendOptionsByName {
    /** `workers`, `workers[js]`, `workers[threads=4]`, `{ name: 'workers', threads: 4, kernel: 'js' }`. */
    workers: WorkersBackendOptions;
  }
}
