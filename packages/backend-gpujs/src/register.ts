import { getDefaultRegistry, type BackendRegistry } from '@pointwise/core';
import { GpujsBackend } from './gpujs-backend.js';
import { GPUJS_BACKEND_NAME } from './gpujs-operator.js';
import type { GpujsBackendOptions } from './options.js';

/**
 * Priority of `gpujs`: above `workers` (200) and `cpu-tiled` (100), so a
 * real GPU wins automatic selection. In its default `auto` mode the backend
 * reports itself unavailable on software renderers and CPU-only gpu.js, so
 * there the CPU backends are chosen instead.
 */
export const GPUJS_PRIORITY = 300;

/**
 * Registers the gpu.js backend as `gpujs` (priority {@link GPUJS_PRIORITY}).
 * Nothing is loaded until the registry first probes it. Returns `false` when
 * the name is already taken (the first registration is kept).
 * @throws {InvalidArgumentError} for invalid options.
 */
export function registerGpujsBackend(registry: BackendRegistry = getDefaultRegistry(), options: GpujsBackendOptions = {}): boolean {
  // The constructor checks the options: bad ones throw here, not later as "unavailable".
  // The factory makes a fresh backend, since the registry may dispose one and create it again.
  new GpujsBackend(options);
  return registry.register(GPUJS_BACKEND_NAME, (merged) => new GpujsBackend(merged as GpujsBackendOptions), {
    priority: GPUJS_PRIORITY,
    options: options as Readonly<Record<string, unknown>>,
    // `gpujs[webgl2]` means { mode: 'webgl2' }; the constructor checks every configuration before it runs.
    shorthand: 'mode',
    validate: (merged) => void new GpujsBackend(merged as GpujsBackendOptions),
  });
}

declare module '@pointwise/core' {
  interface BackendOptionsByName {
    /** `gpujs`, `gpujs[webasm]`, `{ name: 'gpujs', mode: 'webgl2' }`. */
    gpujs: GpujsBackendOptions;
  }
}
