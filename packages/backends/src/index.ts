/**
 * @pointwise/backends — the catalogue of Pointwise's engine packages, and one
 * call that registers them all into a registry (what the conformance and
 * benchmark apps do, and what a library user who wants "every engine there
 * is" does). Side-effect free: nothing registers, and no backend package is
 * even loaded, until {@link registerAllBackends} runs.
 */
import type { BackendRegistry } from '@pointwise/core';

/** One engine package: its registry name, its npm name, its register function's export name, and a lazy import of it. */
export interface BackendPackage {
  /** The name it registers under (`cpu-tiled`, `workers`, `gpujs`). */
  readonly name: string;
  readonly packageName: string;
  /** The export that registers it: `register…Backend(registry, options)`. */
  readonly register: string;
  /** Imports the package's side-effect-free entry (a literal `import()`, so bundlers see it). */
  readonly load: () => Promise<Record<string, unknown>>;
}

/** The engine packages and their register functions, in the order the root README lists them. */
export const BACKEND_PACKAGES: readonly BackendPackage[] = [
  { name: 'cpu-tiled', packageName: '@pointwise/backend-cpu-tiled', register: 'registerCpuTiledBackend', load: () => import('@pointwise/backend-cpu-tiled') },
  { name: 'workers', packageName: '@pointwise/backend-workers', register: 'registerWorkersBackend', load: () => import('@pointwise/backend-workers') },
  { name: 'gpujs', packageName: '@pointwise/backend-gpujs', register: 'registerGpujsBackend', load: () => import('@pointwise/backend-gpujs') },
];

/** A backend package that could not be registered, with the reason. */
export interface MissingBackendPackage {
  readonly name: string;
  readonly packageName: string;
  readonly reason: string;
}

/** Options of {@link registerAllBackends}. */
export interface RegisterAllOptions {
  /** Per-backend options passed to its register function, by registry name (e.g. `{ workers: { threads: 2 } }`). */
  readonly options?: Readonly<Record<string, unknown>>;
  /** The packages to register (default {@link BACKEND_PACKAGES}). */
  readonly packages?: readonly BackendPackage[];
}

type RegisterFunction = (registry: BackendRegistry, options?: unknown) => unknown;

/**
 * Registers every engine package into `registry` (core's `reference` is
 * registered by core itself, or with `registerReferenceBackend`) by importing
 * each package's side-effect-free entry lazily and calling its
 * `register…Backend(registry, options)`. A package that cannot be loaded or
 * registered (not installed or not built, a bad option) is not fatal: it is
 * returned with the reason, so a caller can list it. gpu.js, the optional
 * peer of `@pointwise/backend-gpujs`, is loaded only when that backend
 * initialises, so its absence makes `gpujs` unavailable, not this call fail.
 *
 * @returns the packages that could not be registered (empty when all were).
 */
export async function registerAllBackends(registry: BackendRegistry, options: RegisterAllOptions = {}): Promise<MissingBackendPackage[]> {
  const missing: MissingBackendPackage[] = [];
  for (const { name, packageName, register, load } of options.packages ?? BACKEND_PACKAGES) {
    try {
      const module = await load();
      const fn = module[register];
      if (typeof fn !== 'function') throw new Error(`${packageName} exports no ${register}()`);
      (fn as RegisterFunction)(registry, options.options?.[name]);
    } catch (error) {
      missing.push({ name, packageName, reason: error instanceof Error ? error.message.split('\n')[0] : String(error) });
    }
  }
  return missing;
}
