import type { MicrokernelKind } from '@pointwise/backend-cpu-tiled';
import type { GpujsModeOption } from '@pointwise/backend-gpujs';
import { GPUJS_MODE_OPTIONS, KERNEL_BACKENDS, parseBackendList } from '@pointwise/conformance/backend-configurations';
import { InvalidArgumentError } from '@pointwise/core';

export { GPUJS_MODE_OPTIONS };

/**
 * What `--backends` asks for: the names in order (duplicates dropped), and
 * the configurations its bracketed names need a registry for — the
 * microkernels of `cpu-tiled[k]` / `workers[k]` and the modes of
 * `gpujs[mode]`.
 */
export interface BackendSelection {
  readonly names: readonly string[];
  readonly kernels: readonly MicrokernelKind[];
  readonly gpujsModes: readonly GpujsModeOption[];
}

/**
 * Parses a `--backends` list with the conformance app's parser of bracketed
 * configurations (`parseBackendList`: `cpu-tiled[js]`, `workers[wasm-simd]`,
 * `gpujs[webasm]`), keeping the ones the bench times: one microkernel or one
 * gpu.js mode. Plain names are returned as given; the caller checks them
 * against the registry and peers.
 * @throws {InvalidArgumentError} for an empty list, a malformed name, a
 *   bracket on another backend, an unknown configuration, or the
 *   conformance-only `workers[pool]`.
 */
export function parseBackendSelection(text: string): BackendSelection {
  const configurations = parseBackendList(text, '--backends');
  const pooled = configurations.find((c) => c.pool === true);
  if (pooled !== undefined) {
    throw new InvalidArgumentError('--backends', 'one microkernel or gpu.js mode (workers[pool] is a conformance configuration that forces every run onto the pool; the bench times workers as users run it)', pooled.name);
  }
  const kernels = new Set<MicrokernelKind>();
  const gpujsModes = new Set<GpujsModeOption>();
  for (const c of configurations) {
    if (c.kernel !== undefined) kernels.add(c.kernel);
    if (c.gpujsMode !== undefined) gpujsModes.add(c.gpujsMode);
  }
  return { names: configurations.map((c) => c.name), kernels: [...kernels], gpujsModes: [...gpujsModes] };
}

/**
 * The contender names a plain backend name stands for: every `--kernel`
 * microkernel of `cpu-tiled` / `workers` when `--kernel` was given, every
 * `--gpujs-mode` of `gpujs` when several were given, else the name itself
 * (the backend with its default configuration).
 */
export function expandBackendName(name: string, kernelOption: readonly MicrokernelKind[] | undefined, gpujsModeOption: readonly GpujsModeOption[]): string[] {
  if (KERNEL_BACKENDS.includes(name) && kernelOption !== undefined) return kernelOption.map((k) => `${name}[${k}]`);
  if (name === 'gpujs' && gpujsModeOption.length > 1) return gpujsModeOption.map((m) => `gpujs[${m}]`);
  return [name];
}
