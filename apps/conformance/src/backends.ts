import { BackendRegistry, registerReferenceBackend } from '@pointwise/core';
import type { BackendConfiguration } from './backend-configurations.js';
import type { BackendTarget } from './runner/target.js';

/** A backend package that could not be loaded, with the reason. */
export interface MissingBackendPackage {
  readonly name: string;
  readonly packageName: string;
  readonly reason: string;
}

/** Options of {@link registerAllBackends}: per-backend constructor options, by registry name. */
export interface RegisterAllOptions {
  readonly options?: Readonly<Record<string, unknown>>;
}

/** The engine packages and their agreed register functions (the names the root README lists). */
export const BACKEND_PACKAGES: readonly { readonly name: string; readonly packageName: string; readonly register: string }[] = [
  { name: 'cpu-tiled', packageName: '@pointwise/backend-cpu-tiled', register: 'registerCpuTiledBackend' },
  { name: 'workers', packageName: '@pointwise/backend-workers', register: 'registerWorkersBackend' },
  { name: 'gpujs', packageName: '@pointwise/backend-gpujs', register: 'registerGpujsBackend' },
];

type RegisterFunction = (registry: BackendRegistry, options?: unknown) => unknown;

/**
 * Registers every engine package into `registry` (the reference is already
 * in core's registries) by importing each package's side-effect-free entry
 * and calling its `register…Backend(registry, options)`. A package that
 * cannot be loaded (not built, a missing optional dependency) is not fatal:
 * it is returned with the reason, so the runner can list it.
 *
 * @returns the packages that could not be registered.
 */
export async function registerAllBackends(registry: BackendRegistry, options: RegisterAllOptions = {}): Promise<MissingBackendPackage[]> {
  const missing: MissingBackendPackage[] = [];
  for (const { name, packageName, register } of BACKEND_PACKAGES) {
    try {
      // A non-literal specifier: the package may not have landed or been built yet.
      const specifier: string = packageName;
      const module = (await import(specifier)) as Record<string, unknown>;
      const fn = module[register];
      if (typeof fn !== 'function') throw new Error(`${packageName} exports no ${register}()`);
      (fn as RegisterFunction)(registry, options.options?.[name]);
    } catch (error) {
      missing.push({ name, packageName, reason: error instanceof Error ? error.message.split('\n')[0] : String(error) });
    }
  }
  return missing;
}

/** A registry holding `reference` and every engine package that could be loaded. */
export interface ConformanceRegistry {
  readonly registry: BackendRegistry;
  /** Packages that could not be registered, with why. */
  readonly missing: readonly MissingBackendPackage[];
}

/**
 * A fresh registry (not core's default, so nothing leaks into it) with
 * `reference` and every engine package registered with `options`. Every
 * configuration of a run lives in it: core keeps one backend per
 * configuration (`workers`, `workers[kernel=js]`, the `pool` preset, …), so
 * they run side by side. Backends initialise lazily, on first use.
 */
export async function createConformanceRegistry(options: RegisterAllOptions = {}): Promise<ConformanceRegistry> {
  const registry = new BackendRegistry();
  registerReferenceBackend(registry);
  const missing = await registerAllBackends(registry, options);
  return { registry, missing };
}

/**
 * One target per configuration, all in `registry`: the row name, and the
 * configuration the registry is asked for (its canonical string), with the
 * details its operators must report.
 */
export function createTargets(configurations: readonly BackendConfiguration[], registry: BackendRegistry): BackendTarget[] {
  return configurations.map((c) => ({ name: c.name, backend: c.configuration, registry, expectedDetails: c.expectedDetails }));
}
