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

/** The rows of a run and the registries behind them (see {@link createTargets}). */
export interface ConfiguredTargets {
  readonly targets: readonly BackendTarget[];
  /** Packages that could not be registered (from the registry of plain names). */
  readonly missing: readonly MissingBackendPackage[];
  /** Disposes every registry created. */
  dispose(): Promise<void>;
}

/**
 * One target per configuration: plain names share one registry registered
 * with `options`; each bracketed configuration gets a registry of its own in
 * which its backend is registered with `options` for it overlaid by the
 * configuration's ({@link BackendConfiguration.options}), so `workers[pool]`
 * and `workers` run side by side. Backends initialise lazily: a registry
 * costs its registration until its backend is used.
 */
export async function createTargets(configurations: readonly BackendConfiguration[], options: RegisterAllOptions = {}): Promise<ConfiguredTargets> {
  const registries: BackendRegistry[] = [];
  const fresh = async (overrides: Readonly<Record<string, unknown>>) => {
    const registry = new BackendRegistry();
    registerReferenceBackend(registry);
    registries.push(registry);
    const missing = await registerAllBackends(registry, { options: { ...options.options, ...overrides } });
    return { registry, missing };
  };
  const main = await fresh({});
  const targets: BackendTarget[] = [];
  for (const c of configurations) {
    if (!c.bracketed) {
      targets.push({ name: c.name, backend: c.backend, registry: main.registry });
      continue;
    }
    const base = (options.options?.[c.backend] ?? {}) as Record<string, unknown>;
    const { registry } = await fresh({ [c.backend]: { ...base, ...c.options } });
    targets.push({ name: c.name, backend: c.backend, registry, expectedDetails: c.expectedDetails });
  }
  return {
    targets,
    missing: main.missing,
    dispose: async () => {
      for (const registry of registries) await registry.dispose();
    },
  };
}
