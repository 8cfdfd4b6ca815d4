import { registerAllBackends, type MissingBackendPackage, type RegisterAllOptions } from '@pointwise/backends';
import { BackendRegistry, registerReferenceBackend } from '@pointwise/core';
import type { BackendConfiguration } from './backend-configurations.js';
import type { BackendTarget } from './runner/target.js';

// The catalogue of engine packages lives in @pointwise/backends (re-exported here for this app's callers).
export { BACKEND_PACKAGES, registerAllBackends, type MissingBackendPackage, type RegisterAllOptions } from '@pointwise/backends';

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
