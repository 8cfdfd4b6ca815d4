import { BackendRegistry, registerReferenceBackend } from '@pointwise/core';
import type { GpujsModeOption } from '@pointwise/backend-gpujs';
import type { MicrokernelKind } from '@pointwise/backend-cpu-tiled';
import { MICROKERNELS as CONFIGURATION_MICROKERNELS } from '@pointwise/conformance/backend-configurations';

/**
 * Backend options the bench exposes on its command line, registered as each
 * backend's defaults (an entry's own options, `workers[threads=2]`, override them).
 */
export interface BenchBackendOptions {
  /** Threads of the `workers` pool. */
  readonly threads: number;
  /** gpu.js mode of the `gpujs` backend (`auto` declines software renderers). */
  readonly gpujsMode: GpujsModeOption;
}

/** The bench's registry, and the backends that could not even be registered (with why). */
export interface BenchRegistry {
  readonly registry: BackendRegistry;
  /** Registry name → reason, for packages that failed to load. */
  readonly missing: ReadonlyMap<string, string>;
}

/** Registry names of the Pointwise engine packages,. */
const ENGINE_NAMES = ['cpu-tiled', 'workers', 'gpujs'] as const;

/**
 * A fresh registry (not the process-wide default, so the bench's options
 * cannot leak into it) holding `reference` and every Pointwise engine
 * package, registered by the conformance app's `registerAllBackends` with
 * the bench's thread count and gpu.js mode. Every contender lives in it:
 * core keeps one backend per configuration (`cpu-tiled`, `cpu-tiled[kernel=js]`,
 * …), so configurations of one backend are compared side by side. Backends
 * load lazily: an unavailable one is reported by name with its reason when
 * the harness loads it; a package that cannot be imported is returned in `missing`.
 */
export async function createBenchRegistry(options: BenchBackendOptions): Promise<BenchRegistry> {
  const registry = new BackendRegistry();
  registerReferenceBackend(registry);
  const missing = new Map<string, string>();
  try {
    const { registerAllBackends } = await import('@pointwise/backends');
    const failed = await registerAllBackends(registry, {
      options: {
        workers: { threads: options.threads },
        gpujs: { mode: options.gpujsMode },
      },
    });
    for (const m of failed) missing.set(m.name, `${m.packageName}: ${m.reason}`);
  } catch (error) {
    const reason = `@pointwise/backends (which registers the engines) failed to load: ${error instanceof Error ? error.message : String(error)}`;
    for (const name of ENGINE_NAMES) missing.set(name, reason);
  }
  return { registry, missing };
}

/**
 * Backend names the bench runs by default: every registered backend but the
 * slow `reference` oracle, lowest priority first, then the engines that
 * could not be registered (so they are listed with their reason).
 */
export function defaultBackendNames(bench: BenchRegistry): string[] {
  const registered = bench.registry
    .names()
    .filter((name) => name !== 'reference')
    .reverse();
  return [...registered, ...[...bench.missing.keys()].filter((name) => !registered.includes(name))];
}

/** The backends that run a microkernel (so `--kernel` makes one contender per microkernel of each). */
export { KERNEL_BACKENDS } from '@pointwise/conformance/backend-configurations';

/**
 * The microkernels `--kernel` accepts: the configurations' list and `wasm-relaxed-simd` (the option value
 * exists in cpu-tiled and workers; where relaxed SIMD does not validate — Node without
 * `--experimental-wasm-relaxed-simd` — the operator runs wasm-simd and says why in `details.kernelFallback`).
 */
export const MICROKERNELS: readonly MicrokernelKind[] = [...new Set<MicrokernelKind>([...CONFIGURATION_MICROKERNELS, 'wasm-relaxed-simd'])];
