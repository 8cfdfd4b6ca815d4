import { BackendRegistry, registerReferenceBackend } from '@pointwise/core';
import { KERNEL_BACKENDS } from '@pointwise/conformance/backend-configurations';
import type { MicrokernelKind } from '@pointwise/backend-cpu-tiled';
import type { GpujsModeOption } from '@pointwise/backend-gpujs';

/** Backend options the bench exposes on its command line. */
export interface BenchBackendOptions {
  /** Threads of the `workers` pool. */
  readonly threads: number;
  /** gpu.js mode of the `gpujs` backend (`auto` declines software renderers). */
  readonly gpujsMode: GpujsModeOption;
  /** Microkernel of `cpu-tiled` and `workers`; absent: each backend's own default (WASM SIMD where available). */
  readonly kernel?: MicrokernelKind;
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
 * the bench's thread count, microkernel and gpu.js mode. Backends load lazily: an
 * unavailable one is reported by name with its reason when the harness
 * loads it; a package that cannot be imported is returned in `missing`.
 */
export async function createBenchRegistry(options: BenchBackendOptions): Promise<BenchRegistry> {
  const registry = new BackendRegistry();
  registerReferenceBackend(registry);
  const missing = new Map<string, string>();
  const kernelOption = options.kernel === undefined ? {} : { kernel: options.kernel };
  try {
    const { registerAllBackends } = await import('@pointwise/conformance');
    const failed = await registerAllBackends(registry, {
      options: {
        'cpu-tiled': kernelOption,
        workers: { threads: options.threads, ...kernelOption },
        gpujs: { mode: options.gpujsMode },
      },
    });
    for (const m of failed) missing.set(m.name, `${m.packageName}: ${m.reason}`);
  } catch (error) {
    const reason = `@pointwise/conformance (which registers the engines) failed to load: ${error instanceof Error ? error.message : String(error)}`;
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

/**
 * The microkernels `--kernel` accepts, and the backends that run one (so
 * `--kernel` makes one contender per microkernel of each): the conformance
 * app's, which parses the bracketed names of both apps.
 */
export { KERNEL_BACKENDS, MICROKERNELS } from '@pointwise/conformance/backend-configurations';

/**
 * One configuration of a backend run as its own contender: `cpu-tiled` with
 * the JS microkernel (`cpu-tiled[js]`), `gpujs` in `webasm` mode
 * (`gpujs[webasm]`), … Each lives in a registry of its own, created with
 * that configuration.
 */
export interface BackendVariant {
  /** Registry name of the backend, e.g. `cpu-tiled`. */
  readonly backend: string;
  /** Contender name: the backend name and the configuration in brackets, e.g. `cpu-tiled[js]`. */
  readonly name: string;
  readonly bench: BenchRegistry;
}

/** What {@link createBenchRegistries} takes: the shared options, and the configurations to compare. */
export interface BenchVariantOptions {
  readonly threads: number;
  /** gpu.js mode of the plain `gpujs`. */
  readonly gpujsMode: GpujsModeOption;
  /** Microkernels each made a `cpu-tiled[k]` and a `workers[k]` contender of. */
  readonly kernels: readonly MicrokernelKind[];
  /** gpu.js modes each made a `gpujs[mode]` contender of. */
  readonly gpujsVariantModes: readonly GpujsModeOption[];
}

/** The bench's main registry and the per-configuration ones (disposed together by {@link disposeBenchRegistries}). */
export interface BenchRegistries {
  readonly main: BenchRegistry;
  readonly variants: readonly BackendVariant[];
}

/**
 * The main registry (the given gpu.js mode, default microkernel) and, for
 * each microkernel and each variant gpu.js mode, a registry of its own whose
 * affected backends become contenders named `backend[configuration]`. Backends
 * initialise lazily, so a
 * registry whose backends are not benchmarked costs nothing but the
 * registration.
 */
export async function createBenchRegistries(options: BenchVariantOptions): Promise<BenchRegistries> {
  const { gpujsMode } = options;
  const main = await createBenchRegistry({ threads: options.threads, gpujsMode });
  const variants: BackendVariant[] = [];
  for (const kernel of options.kernels) {
    const bench = await createBenchRegistry({ threads: options.threads, gpujsMode, kernel });
    for (const backend of KERNEL_BACKENDS) variants.push({ backend, name: `${backend}[${kernel}]`, bench });
  }
  for (const mode of options.gpujsVariantModes) {
    const bench = await createBenchRegistry({ threads: options.threads, gpujsMode: mode });
    variants.push({ backend: 'gpujs', name: `gpujs[${mode}]`, bench });
  }
  return { main, variants };
}

/** Disposes the main registry and every configuration's (each once). */
export async function disposeBenchRegistries(registries: BenchRegistries): Promise<void> {
  const all = new Set([registries.main, ...registries.variants.map((v) => v.bench)]);
  for (const bench of all) await bench.registry.dispose();
}
