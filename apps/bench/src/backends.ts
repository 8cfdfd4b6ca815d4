import { BackendRegistry, registerReferenceBackend } from '@pointwise/core';
import { registerCpuTiledBackend } from '@pointwise/backend-cpu-tiled';
import { registerGpujsBackend, type GpujsModeOption } from '@pointwise/backend-gpujs';
import { registerWorkersBackend } from '@pointwise/backend-workers';

/** Backend options the bench exposes on its command line. */
export interface BenchBackendOptions {
  /** Threads of the `workers` pool. */
  readonly threads: number;
  /** gpu.js mode of the `gpujs` backend (`auto` declines software renderers). */
  readonly gpujsMode: GpujsModeOption;
}

/**
 * A fresh registry (not the process-wide default, so the bench's options
 * cannot leak into it) holding `reference` and every Pointwise backend
 * package, with the bench's thread count and gpu.js mode. Backends load
 * lazily: registering costs nothing and an unavailable one is reported by
 * name with its reason when the harness loads it.
 */
export function createBenchRegistry(options: BenchBackendOptions): BackendRegistry {
  const registry = new BackendRegistry();
  registerReferenceBackend(registry);
  registerCpuTiledBackend(registry);
  registerWorkersBackend(registry, { threads: options.threads });
  registerGpujsBackend(registry, { mode: options.gpujsMode });
  return registry;
}

/** Registry names the bench runs by default: every registered backend but the slow `reference` oracle, lowest priority first. */
export function defaultBackendNames(registry: BackendRegistry): string[] {
  return registry
    .names()
    .filter((name) => name !== 'reference')
    .reverse();
}
