import { getDefaultRegistry, type BackendRegistry } from '@pointwise/core';
import { CPU_TILED_BACKEND_NAME, CpuTiledBackend, type CpuTiledBackendOptions } from './cpu-tiled-backend.js';

/** Priority of the cpu-tiled backend: 100, above `reference` (0), below `workers` (200) and `gpujs` (300). */
export const CPU_TILED_PRIORITY = 100;

/**
 * Registers the cpu-tiled backend as `cpu-tiled` (nothing registers on import).
 * @returns `false` when the name is already taken in `registry`.
 * @throws {InvalidArgumentError} for invalid options.
 */
export function registerCpuTiledBackend(
  registry: BackendRegistry = getDefaultRegistry(),
  options: CpuTiledBackendOptions = {},
): boolean {
  // The constructor checks the options: bad ones throw here, not later as "unavailable".
  // The factory makes a fresh backend, since the registry may dispose one and create it again.
  new CpuTiledBackend(options);
  return registry.register(CPU_TILED_BACKEND_NAME, (merged) => new CpuTiledBackend(merged as CpuTiledBackendOptions), {
    priority: CPU_TILED_PRIORITY,
    options: options as Readonly<Record<string, unknown>>,
    // `cpu-tiled[js]` means { kernel: 'js' }; the constructor checks every configuration before it runs.
    shorthand: 'kernel',
    validate: (merged) => void new CpuTiledBackend(merged as CpuTiledBackendOptions),
  });
}

declare module '@pointwise/core' {
  interface BackendOptionsByName {
    /** `cpu-tiled`, `cpu-tiled[js]`, `{ name: 'cpu-tiled', kernel: 'wasm-simd' }`. */
    'cpu-tiled': CpuTiledBackendOptions;
  }
}
