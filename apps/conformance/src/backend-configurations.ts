/**
 * Bracketed backend configurations — `cpu-tiled[js]`, `workers[wasm-simd]`,
 * `workers[pool]`, `gpujs[webasm]`, … — as the conformance CLI and the
 * benchmark harness both name them. The one parser of that syntax in the
 * apps (the bench imports it from here through the
 * `@pointwise/conformance/backend-configurations` entry, which loads no
 * witness library); small on purpose, so that a parser in core can replace it.
 */
import type { MicrokernelKind } from '@pointwise/backend-cpu-tiled';
import { GPUJS_MODES, type GpujsModeOption } from '@pointwise/backend-gpujs';
import { InvalidArgumentError } from '@pointwise/core';

/** The microkernels of `cpu-tiled[k]` / `workers[k]` (those of `@pointwise/backend-cpu-tiled`). */
export const MICROKERNELS: readonly MicrokernelKind[] = ['js', 'wasm-simd'];

/** The backends that run a cpu-tiled microkernel, so `[js]` / `[wasm-simd]` apply to them. */
export const KERNEL_BACKENDS: readonly string[] = ['cpu-tiled', 'workers'];

/** The gpu.js modes of `gpujs[mode]` and `--gpujs-mode`. */
export const GPUJS_MODE_OPTIONS: readonly GpujsModeOption[] = ['auto', ...GPUJS_MODES];

/** The word of the forced-pool configuration of `workers`: `workers[pool]`, `workers[js,pool]`. */
export const POOL_CONFIGURATION = 'pool';

/**
 * The `workers` options of `workers[pool]`: no small-work threshold
 * (`minParallelFlops: 0`), tiles as small as one floating-point operation
 * (`minTileFlops: 1`, so even a tiny problem is cut into many tiles), the
 * calling thread computing nothing (`callerComputes: false`) and three pool
 * threads (an odd count, more than the 2 cores of a small CI machine): every
 * run with `N > 0` computes all its tiles on pool threads, and its operator
 * reports `dispatch: 'pool'`.
 */
export const FORCED_POOL_OPTIONS = { threads: 3, callerComputes: false, minParallelFlops: 0, minTileFlops: 1 } as const;

/** One configuration of a registry backend, parsed from its name. */
export interface BackendConfiguration {
  /** The canonical name: `workers[js,pool]` for `workers[pool, js]`; a plain name as given. */
  readonly name: string;
  /** The registry name: `cpu-tiled`, `workers`, `gpujs`, `reference`, … */
  readonly backend: string;
  /** `true` for a bracketed name (a configuration of its own), `false` for a plain name (the backend's defaults). */
  readonly bracketed: boolean;
  readonly kernel?: MicrokernelKind;
  readonly gpujsMode?: GpujsModeOption;
  /** `workers[pool]`: every run on pool threads ({@link FORCED_POOL_OPTIONS}). */
  readonly pool?: boolean;
  /** The backend constructor options this configuration sets (over any the caller passes). */
  readonly options: Readonly<Record<string, unknown>>;
  /**
   * What an operator of this configuration must report in
   * `ExecutionInfo.details` for a run with `N > 0`, so that a configuration
   * that silently ran something else is caught (`kernel`, gpu.js `mode`,
   * `dispatch: 'pool'`).
   */
  readonly expectedDetails: Readonly<Record<string, string | number | boolean>>;
}

const BRACKETED = /^([^[\],]+)\[([^[\]]*)\]$/;
const SYNTAX = 'a name, or backend[configuration] such as cpu-tiled[js] or workers[js,pool]';

/**
 * Parses one name: a plain registry name (returned as is, for the caller to
 * check against its registry) or `backend[word,…]`, where the words are a
 * microkernel of {@link MICROKERNELS} and/or `pool` for `cpu-tiled` /
 * `workers` (`pool` on `workers` only), or one mode of
 * {@link GPUJS_MODE_OPTIONS} for `gpujs`.
 *
 * @param flag the option named in errors.
 * @throws {InvalidArgumentError} for a malformed name, a configuration on
 *   another backend, an unknown, repeated or conflicting word.
 */
export function parseBackendConfiguration(text: string, flag = '--backends'): BackendConfiguration {
  const name = text.trim();
  const match = BRACKETED.exec(name);
  if (match === null) {
    if (/[[\],]/.test(name) || name === '') throw new InvalidArgumentError(flag, SYNTAX, text);
    return { name, backend: name, bracketed: false, options: {}, expectedDetails: {} };
  }
  const backend = match[1].trim();
  const words = match[2].split(',').map((w) => w.trim());
  if (words.some((w) => w === '') || new Set(words).size !== words.length) throw new InvalidArgumentError(flag, SYNTAX, text);
  if (KERNEL_BACKENDS.includes(backend)) {
    const kernels = words.filter((w): w is MicrokernelKind => (MICROKERNELS as readonly string[]).includes(w));
    const pool = words.includes(POOL_CONFIGURATION) && backend === 'workers';
    const allowed = backend === 'workers' ? `${MICROKERNELS.join(', ')} and/or ${POOL_CONFIGURATION}` : MICROKERNELS.join(', ');
    if (kernels.length > 1 || kernels.length + (pool ? 1 : 0) !== words.length) {
      throw new InvalidArgumentError(flag, `${backend}[…] with ${allowed}`, text);
    }
    const kernel = kernels[0];
    const canonical = `${backend}[${[...(kernel ? [kernel] : []), ...(pool ? [POOL_CONFIGURATION] : [])].join(',')}]`;
    return {
      name: canonical,
      backend,
      bracketed: true,
      ...(kernel ? { kernel } : {}),
      ...(pool ? { pool } : {}),
      options: { ...(kernel ? { kernel } : {}), ...(pool ? FORCED_POOL_OPTIONS : {}) },
      expectedDetails: { ...(kernel ? { kernel } : {}), ...(pool ? { dispatch: 'pool', callerComputes: false } : {}) },
    };
  }
  if (backend === 'gpujs') {
    const [mode] = words;
    if (words.length !== 1 || !(GPUJS_MODE_OPTIONS as readonly string[]).includes(mode)) {
      throw new InvalidArgumentError(flag, `gpujs[mode] with one mode among ${GPUJS_MODE_OPTIONS.join(', ')}`, text);
    }
    const gpujsMode = mode as GpujsModeOption;
    return {
      name: `gpujs[${gpujsMode}]`,
      backend,
      bracketed: true,
      gpujsMode,
      options: { mode: gpujsMode },
      expectedDetails: gpujsMode === 'auto' ? {} : { mode: gpujsMode },
    };
  }
  throw new InvalidArgumentError(flag, `a bracketed configuration only on ${[...KERNEL_BACKENDS, 'gpujs'].join(', ')}`, text);
}

/** Splits a comma-separated list at the commas outside brackets: `workers[js,pool],gpujs` → two names. */
export function splitBackendList(text: string): string[] {
  const names: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if ((c === ',' && depth === 0) || i === text.length) {
      const name = text.slice(start, i).trim();
      if (name !== '') names.push(name);
      start = i + 1;
    }
  }
  return names;
}

/**
 * Parses a backend list (`--backends`, `POINTWISE_BACKEND`): comma-separated
 * or already split names, each by {@link parseBackendConfiguration}, in
 * order, duplicates (by canonical name) dropped.
 * @throws {InvalidArgumentError} for an empty list or an invalid name.
 */
export function parseBackendList(list: string | readonly string[], flag = '--backends'): BackendConfiguration[] {
  const names = typeof list === 'string' ? splitBackendList(list) : list.flatMap(splitBackendList);
  if (names.length === 0) throw new InvalidArgumentError(flag, 'at least one backend', typeof list === 'string' ? list : list.join(','));
  const seen = new Map<string, BackendConfiguration>();
  for (const name of names) {
    const configuration = parseBackendConfiguration(name, flag);
    if (!seen.has(configuration.name)) seen.set(configuration.name, configuration);
  }
  return [...seen.values()];
}

/**
 * The configurations a run checks for a registered backend when none is
 * named: every microkernel of `cpu-tiled`; every microkernel of `workers`,
 * with its default thresholds and forced onto the pool; `gpujs` in each of
 * `gpujsModes` (default: `auto`, which takes the GPU where there is one, and
 * the software modes `webasm` and `cpu`); any other backend by its name.
 */
export function defaultConfigurationNames(backend: string, gpujsModes: readonly GpujsModeOption[] = ['auto', 'webasm', 'cpu']): string[] {
  if (backend === 'cpu-tiled') return MICROKERNELS.map((k) => `cpu-tiled[${k}]`);
  if (backend === 'workers') return [...MICROKERNELS.map((k) => `workers[${k}]`), ...MICROKERNELS.map((k) => `workers[${k},${POOL_CONFIGURATION}]`)];
  if (backend === 'gpujs') return gpujsModes.map((m) => `gpujs[${m}]`);
  return [backend];
}
