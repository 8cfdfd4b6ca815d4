/**
 * Backend configurations as both apps' command lines name them. The syntax
 * is core's (`parseBackendList`, the same as `POINTWISE_BACKEND` and
 * `prepareConv1x1`'s `backend`): `cpu-tiled`, `gpujs[webasm]`,
 * `workers[js,pool]`, `workers[threads=2,kernel=js]`; the registry resolves
 * bracketed words (a preset such as workers' `pool`, else the backend's
 * shorthand option) and checks the options with the backend's validator.
 *
 * What the apps add on top, here: the rows' display names, what an operator
 * of a configuration must report (so a configuration that silently ran
 * something else fails), the default configurations of a conformance run,
 * and the expansion of a plain name by `--kernel` / `--gpujs-mode`. The
 * bench imports this module through the
 * `@pointwise/conformance/backend-configurations` entry (no witness library).
 */
import type { MicrokernelKind } from '@pointwise/backend-cpu-tiled';
import { GPUJS_MODES, type GpujsModeOption } from '@pointwise/backend-gpujs';
import { WORKERS_PRESETS } from '@pointwise/backend-workers';
import {
  formatBackendEntry,
  InvalidArgumentError,
  parseBackendEntry,
  parseBackendList,
  PointwiseError,
  type BackendEntry,
  type BackendRegistry,
  type UnknownBackendError,
  type ParsedBackendEntry,
} from '@pointwise/core';

/** The microkernels of `cpu-tiled[k]` / `workers[k]` (those of `@pointwise/backend-cpu-tiled`). */
export const MICROKERNELS: readonly MicrokernelKind[] = ['js', 'wasm-simd'];

/** The backends that run a cpu-tiled microkernel, so `[js]` / `[wasm-simd]` and `--kernel` apply to them. */
export const KERNEL_BACKENDS: readonly string[] = ['cpu-tiled', 'workers'];

/** The gpu.js modes of `gpujs[mode]` and `--gpujs-mode`. */
export const GPUJS_MODE_OPTIONS: readonly GpujsModeOption[] = ['auto', ...GPUJS_MODES];

/** The word of workers' forced-pool preset: `workers[pool]`, `workers[js,pool]` (see `WORKERS_PRESETS` of `@pointwise/backend-workers`). */
export const POOL_CONFIGURATION = 'pool';

/**
 * The options `workers[pool]` sets, from the workers package's presets: no
 * small-work threshold, tiles as small as one operation, the calling thread
 * computing nothing and three pool threads, so every run with `N > 0`
 * computes all its tiles on pool threads and reports `dispatch: 'pool'`.
 */
export const FORCED_POOL_OPTIONS = WORKERS_PRESETS.pool;

/** One backend configuration, resolved by a registry: a row of the conformance matrix or a bench contender. */
export interface BackendConfiguration {
  /**
   * The row's name: a plain name as given (`workers`), else the short
   * canonical form (`workers[js,pool]` for `workers[pool,kernel=js]`, `gpujs[webasm]`).
   */
  readonly name: string;
  /** The registry name: `cpu-tiled`, `workers`, `gpujs`, `reference`, … */
  readonly backend: string;
  /**
   * What the registry is asked for: the canonical configuration
   * `registry.candidates` returns (`workers[callerComputes=false,kernel=js,…]`),
   * or the plain name. `prepareConv1x1(problem, { registry, backend: configuration })` runs it.
   */
  readonly configuration: string;
  /** The options the entry sets, presets and shorthand resolved (over the registration's). */
  readonly options: Readonly<Record<string, string | number | boolean>>;
  /**
   * What an operator of this configuration must report in
   * `ExecutionInfo.details` for a run with `N > 0` (`kernel`, gpu.js `mode`,
   * `dispatch: 'pool'` with `callerComputes: false`), so that a
   * configuration that silently ran something else is caught.
   */
  readonly expectedDetails: Readonly<Record<string, string | number | boolean>>;
}

/** An entry of a backend list, parsed by core, with the row name to show when it is not the canonical short form. */
export interface RequestedBackend {
  readonly entry: ParsedBackendEntry;
  /** Row name to use instead of the short canonical form (`gpujs` for the plain `gpujs` that `--gpujs-mode cpu` configures). */
  readonly display?: string;
}

/**
 * Parses a backend list (`--backends`, repeatable, or `POINTWISE_BACKEND`)
 * with core's {@link parseBackendList}: comma-separated entries, commas
 * inside brackets separating options.
 * @param parameter the flag or variable named in errors.
 * @throws {InvalidArgumentError} for an empty list or a malformed entry.
 */
export function parseBackendArguments(list: string | readonly string[], parameter = '--backends'): ParsedBackendEntry[] {
  const texts = typeof list === 'string' ? [list] : list;
  if (texts.length === 0) throw new InvalidArgumentError(parameter, 'at least one backend', '');
  return texts.flatMap((text) => parseBackendList(text, parameter));
}

/** The string form of a parsed entry (core's `formatBackendEntry`): what `registry.candidates` reads back to the same entry. */
export function backendEntryText(entry: ParsedBackendEntry): string {
  return formatBackendEntry(entry);
}

/** A parsed entry from a name or a `{ name, options }` pair (no parsing of bracketed text). */
export function backendEntry(name: string, options: Readonly<Record<string, string | number | boolean>> = {}): ParsedBackendEntry {
  return { name, options };
}

/**
 * The short canonical name of a configuration, from its registration (core's
 * `registry.resolve`): the shorthand option as a bare word, each preset whose
 * options all match as its word, the rest as `key=value` sorted
 * (`workers[js,pool]`, `workers[js,threads=2]`, `gpujs[webasm]`); it reads
 * back to the same configuration.
 */
export function shortConfigurationName(
  registry: BackendRegistry,
  backend: string,
  options: Readonly<Record<string, string | number | boolean>>,
): string {
  return registry.resolve({ name: backend, ...options }).shortName;
}

/**
 * What an operator of `backend` configured with `options` must report:
 * the microkernel asked for, the gpu.js mode (not for `auto`, which picks
 * one), and for workers without a small-work threshold and with the
 * calling thread idle (the `pool` preset) `dispatch: 'pool'`.
 */
export function expectedDetailsOf(backend: string, options: Readonly<Record<string, string | number | boolean>>): Record<string, string | number | boolean> {
  const expected: Record<string, string | number | boolean> = {};
  if (KERNEL_BACKENDS.includes(backend) && typeof options.kernel === 'string') expected.kernel = options.kernel;
  if (backend === 'gpujs' && typeof options.mode === 'string' && options.mode !== 'auto') expected.mode = options.mode;
  if (backend === 'workers') {
    if (typeof options.callerComputes === 'boolean') expected.callerComputes = options.callerComputes;
    if (options.minParallelFlops === 0 && options.callerComputes === false) expected.dispatch = 'pool';
  }
  return expected;
}

/**
 * Resolves one requested entry with `registry` (core's `candidates`: presets
 * and shorthand resolved, options checked by the backend's validator).
 * @param parameter the flag or variable named in errors.
 * @throws {InvalidArgumentError} for options the backend rejects, prefixed
 *   with `parameter` and the entry (`--backends: cpu-tiled[avx]: kernel: expected …`).
 */
export function resolveBackendConfiguration(registry: BackendRegistry, requested: RequestedBackend, parameter = '--backends'): BackendConfiguration {
  const { entry } = requested;
  const text = backendEntryText(entry);
  let configuration: string;
  try {
    [configuration] = registry.candidates({ backend: text as BackendEntry });
  } catch (error) {
    if (PointwiseError.isInstance(error) && error.code === 'INVALID_ARGUMENT') {
      const { parameter: inner, expected, received, suggestion } = error as InvalidArgumentError;
      // Core names the entry's own parameter `backend`; an option's error names the option (`kernel`, `threads`).
      throw new InvalidArgumentError(`${parameter}: ${text}${inner === 'backend' ? '' : `: ${inner}`}`, expected, received, suggestion);
    }
    if (PointwiseError.isInstance(error) && error.code === 'UNKNOWN_BACKEND') {
      throw new InvalidArgumentError(parameter, `a registered backend (${registry.names().join(', ')})`, entry.name, (error as UnknownBackendError).suggestion);
    }
    throw error;
  }
  const options = parseBackendEntry(configuration).options;
  const plain = Object.keys(options).length === 0 && (entry.words ?? []).length === 0;
  return {
    name: requested.display ?? (plain ? entry.name : shortConfigurationName(registry, entry.name, options)),
    backend: entry.name,
    configuration,
    options,
    expectedDetails: expectedDetailsOf(entry.name, options),
  };
}

/**
 * The configurations a conformance run checks for a registered backend
 * when none is named, in the selection syntax: every microkernel of
 * `cpu-tiled`; every microkernel of `workers`, with its default thresholds
 * and with the `pool` preset; `gpujs` in each of `gpujsModes` (default:
 * `auto`, which takes the GPU where there is one, and the software modes
 * `webasm` and `cpu`); any other backend by its name.
 */
export function defaultConfigurationNames(backend: string, gpujsModes: readonly GpujsModeOption[] = ['auto', 'webasm', 'cpu']): string[] {
  if (backend === 'cpu-tiled') return MICROKERNELS.map((k) => `cpu-tiled[${k}]`);
  if (backend === 'workers') return [...MICROKERNELS.map((k) => `workers[${k}]`), ...MICROKERNELS.map((k) => `workers[${k},${POOL_CONFIGURATION}]`)];
  if (backend === 'gpujs') return gpujsModes.map((m) => `gpujs[${m}]`);
  return [backend];
}

/**
 * The entries a plain name stands for under a flag that lists values of
 * one option (`--kernel js,wasm-simd` for `kernel`, `--gpujs-mode` for
 * `mode`): one entry `name[value]` per value. An entry with options or
 * words is returned as it is.
 */
export function expandPlainEntry(requested: RequestedBackend, option: string, values: readonly string[]): RequestedBackend[] {
  const { entry } = requested;
  if (Object.keys(entry.options).length > 0 || (entry.words ?? []).length > 0 || values.length === 0) return [requested];
  return values.map((value) => ({ entry: backendEntry(entry.name, { [option]: value }) }));
}
