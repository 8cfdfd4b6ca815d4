import type { MicrokernelKind } from '@pointwise/backend-cpu-tiled';
import { GPUJS_MODES, type GpujsModeOption } from '@pointwise/backend-gpujs';
import { InvalidArgumentError } from '@pointwise/core';
import { KERNEL_BACKENDS, MICROKERNELS } from './backends.js';

/** The gpu.js modes a `gpujs[mode]` name or `--gpujs-mode` accepts. */
export const GPUJS_MODE_OPTIONS: readonly GpujsModeOption[] = ['auto', ...GPUJS_MODES];

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

const BRACKETED = /^([^[\]]+)\[([^[\]]+)\]$/;

/**
 * Parses a `--backends` list. A bracketed name selects one configuration of
 * a backend, as `--kernel` and `--gpujs-mode` name it: `cpu-tiled[js]`,
 * `workers[wasm-simd]` (microkernels of {@link MICROKERNELS}),
 * `gpujs[webasm]` (modes of {@link GPUJS_MODE_OPTIONS}). Plain names are
 * returned as given; the caller checks them against the registry and peers.
 * @throws {InvalidArgumentError} for an empty list, a bracket on another
 *   backend, or an unknown configuration.
 */
export function parseBackendSelection(text: string): BackendSelection {
  const names = [...new Set(text.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  if (names.length === 0) throw new InvalidArgumentError('--backends', 'at least one backend or peer', text);
  const kernels = new Set<MicrokernelKind>();
  const gpujsModes = new Set<GpujsModeOption>();
  for (const name of names) {
    const bracketed = BRACKETED.exec(name);
    if (bracketed === null) {
      if (/[[\]]/.test(name)) throw new InvalidArgumentError('--backends', 'a name, or backend[configuration] such as cpu-tiled[js]', name);
      continue;
    }
    const [, backend, config] = bracketed;
    if (KERNEL_BACKENDS.includes(backend)) {
      if (!(MICROKERNELS as readonly string[]).includes(config)) {
        throw new InvalidArgumentError('--backends', `${backend}[k] with k among ${MICROKERNELS.join(', ')}`, name);
      }
      kernels.add(config as MicrokernelKind);
    } else if (backend === 'gpujs') {
      if (!(GPUJS_MODE_OPTIONS as readonly string[]).includes(config)) {
        throw new InvalidArgumentError('--backends', `gpujs[mode] with mode among ${GPUJS_MODE_OPTIONS.join(', ')}`, name);
      }
      gpujsModes.add(config as GpujsModeOption);
    } else {
      throw new InvalidArgumentError('--backends', `a bracketed configuration only on ${[...KERNEL_BACKENDS, 'gpujs'].join(', ')}`, name);
    }
  }
  return { names, kernels: [...kernels], gpujsModes: [...gpujsModes] };
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
