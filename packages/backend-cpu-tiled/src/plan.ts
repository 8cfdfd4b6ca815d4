import { InvalidArgumentError, assertKnownKeys, layoutStrides, type Conv1x1Geometry, type LayoutStrides } from '@pointwise/core';
import { JS_MICROTILES, type JsMicrotileName } from './microkernels.js';

/**
 * Which microkernel a plan runs. `'js'` is the scalar TypeScript microkernel
 * of this package (`runConv1x1Range`); `'wasm-simd'` is the WebAssembly SIMD
 * microkernel of `src/wasm/` (tile 4 × 8, all of `K` in one pass, run with
 * `runConv1x1RangeWasm` over the operator's WebAssembly memory), behind the
 * same plan and packed-weight layout.
 */
export type MicrokernelKind = 'js' | 'wasm-simd';

/** Cache sizes the block heuristic is derived from, in bytes (per core). */
export interface CacheSizes {
  /** Level-1 data cache. Default 32 KiB (the smallest common x86-64 / Arm L1d). */
  readonly l1Bytes: number;
  /** Level-2 cache. Default 512 KiB (the smallest common private L2 of current desktop/server cores). */
  readonly l2Bytes: number;
}

/** The default cache sizes of {@link planConv1x1} (conservative, so blocks fit on most machines). */
export const DEFAULT_CACHE_SIZES: CacheSizes = { l1Bytes: 32 * 1024, l2Bytes: 512 * 1024 };

/**
 * Options of {@link planConv1x1} (also the options of the cpu-tiled backend).
 * Every block size given here overrides the heuristic; sizes are rounded up
 * to a multiple of the microtile and clamped to the problem.
 */
export interface PlanOptions {
  /** Microkernel kind. Default `'js'`. */
  readonly kernel?: MicrokernelKind;
  /** Microtile `mr × nr` (output channels × output pixels) of the JS microkernel. Default `'3x4'` (fastest
   * measured in V8: its 12 accumulators, 3 weights and 1 pixel value fit the 16 x86-64 vector registers). */
  readonly microtile?: JsMicrotileName;
  /** Output channels per block (`mc`), a multiple of `mr`. */
  readonly mc?: number;
  /** Output pixels per block (`nc`), a multiple of `nr`. */
  readonly nc?: number;
  /** Input channels per panel (`kc`) of the `K = Ci/g` reduction. */
  readonly kc?: number;
  /** Cache sizes the heuristic derives the block sizes from. */
  readonly cache?: Partial<CacheSizes>;
}

/**
 * Everything a thread needs to run the kernel on any part of the output: the
 * geometry, the microtile and block sizes, and the packed-weight layout.
 * A plain record of numbers and strings (structured-clone-able, so it can be
 * posted to a worker thread; the activation's `±Infinity` bounds survive
 * structured clone but not `JSON.stringify`).
 *
 * Packed weights (see `packWeights`): for each group `g` and each channel
 * tile `t` of `mr` output channels (`tilesPerGroup` tiles, the last padded
 * with zero rows), `K` rows of `mr` values: element `(co = g·Co/g + t·mr + r, k)`
 * sits at `(g·tilesPerGroup + t)·K·mr + k·mr + r`. After all tiles, at
 * `biasOffset`, the bias in the same tile order (`groups·tilesPerGroup·mr`
 * values, zero where there is no bias or the row is padding); then, at
 * `paddedOffset`, the value of every output cell whose source lies in the
 * padding, `act(b[co] + Σ_k w[co,k]·0)` (core's `paddedCellValues`: NaN for a
 * channel with a ±∞ or NaN weight), in the same tile order.
 */
export interface Conv1x1Plan {
  /** Layout version of this record and of the packed weights. */
  readonly version: 1;
  readonly geometry: Conv1x1Geometry;
  readonly kernel: MicrokernelKind;
  /** The JS microtile, `'<mr>x<nr>'`. */
  readonly microtile: JsMicrotileName;
  /** Element strides of the input in its layout. */
  readonly inputStrides: LayoutStrides;
  /** Element strides of the output in its layout. */
  readonly outputStrides: LayoutStrides;
  /** Output channels per microtile (rows of the register tile). */
  readonly mr: number;
  /** Output pixels per microtile (columns of the register tile). */
  readonly nr: number;
  /** Output channels per block (a multiple of `mr`): the channel unit of work split. */
  readonly mc: number;
  /** Output pixels per block (a multiple of `nr`): the pixel unit of work split. */
  readonly nc: number;
  /** Input channels per panel of the `K` reduction (`1 ≤ kc ≤ K`). */
  readonly kc: number;
  /** Channel tiles per group: `ceil((Co/g) / mr)`. */
  readonly tilesPerGroup: number;
  /** Offset of the packed bias in the packed-weight buffer. */
  readonly biasOffset: number;
  /** Offset of the padded-cell values (one per output channel, tile order) in the packed-weight buffer. */
  readonly paddedOffset: number;
  /** Length of the packed-weight buffer, in float32 elements. */
  readonly packedLength: number;
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

function roundDown(value: number, multiple: number): number {
  return Math.floor(value / multiple) * multiple;
}

function positiveInteger(parameter: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError(parameter, 'an integer ≥ 1', value);
  return value;
}

const MAX_PIXEL_BLOCK = 256;

/** The keys of {@link PlanOptions}. */
export const PLAN_OPTION_KEYS: readonly string[] = ['kernel', 'microtile', 'mc', 'nc', 'kc', 'cache'];

/** {@link PlanOptions} checked and with their defaults filled in (block sizes stay optional: they depend on the shape). */
export interface ResolvedPlanOptions {
  readonly kernel: MicrokernelKind;
  readonly microtile: JsMicrotileName;
  readonly mr: number;
  readonly nr: number;
  readonly l1Bytes: number;
  readonly l2Bytes: number;
  readonly mc: number | undefined;
  readonly nc: number | undefined;
  readonly kc: number | undefined;
}

/**
 * Checks plan options without a geometry, so a backend can reject bad options
 * when it is created rather than at its first `prepare`.
 * @throws {InvalidArgumentError} for an unknown kernel, microtile or `cache` key, a
 *   microtile other than 4×8 with the WASM kernel, or a block / cache size that
 *   is not a positive integer.
 */
export function resolvePlanOptions(options: PlanOptions = {}): ResolvedPlanOptions {
  const kernel = options.kernel ?? 'js';
  if (kernel !== 'js' && kernel !== 'wasm-simd') throw new InvalidArgumentError('kernel', '"js" or "wasm-simd"', kernel);
  // The WASM SIMD microkernel has one register tile (4 channels × 8 pixels) and reduces all of K in one pass.
  if (kernel === 'wasm-simd' && options.microtile !== undefined && options.microtile !== '4x8') {
    throw new InvalidArgumentError('microtile', '"4x8" with kernel "wasm-simd"', options.microtile);
  }
  const microtile = options.microtile ?? (kernel === 'wasm-simd' ? '4x8' : '3x4');
  const tile = JS_MICROTILES[microtile];
  if (tile === undefined) {
    throw new InvalidArgumentError('microtile', `one of ${Object.keys(JS_MICROTILES).map((n) => JSON.stringify(n)).join(', ')}`, microtile);
  }
  assertKnownKeys('cache', options.cache, ['l1Bytes', 'l2Bytes']);
  return {
    kernel,
    microtile,
    mr: tile.mr,
    nr: tile.nr,
    l1Bytes: positiveInteger('cache.l1Bytes', options.cache?.l1Bytes) ?? DEFAULT_CACHE_SIZES.l1Bytes,
    l2Bytes: positiveInteger('cache.l2Bytes', options.cache?.l2Bytes) ?? DEFAULT_CACHE_SIZES.l2Bytes,
    mc: positiveInteger('mc', options.mc),
    nc: positiveInteger('nc', options.nc),
    kc: positiveInteger('kc', options.kc),
  };
}

/**
 * Chooses the microtile and the block sizes for one geometry (the BLIS
 * heuristic, with float32 elements of 4 bytes):
 *
 * - `kc`: one `kc × nr` panel of packed input (the operand every microtile of
 *   a block reuses) fills at most half of L1, so it stays there while the
 *   `mr`-row weight tiles stream past: `kc = min(K, L1/2 / (4·nr))`.
 * - `mc`: one `mc × kc` block of packed weights fills at most half of L2, so
 *   it is reused from L2 across the block's pixel panels:
 *   `mc = min(Co/g rounded up to mr, L2/2 / (4·kc))`, rounded down to `mr`.
 * - `nc`: the packed input of a pixel block (`K × nc`, all panels, packed
 *   once per block and reused by every channel block) fills at most a quarter
 *   of L2: `nc = min(HoWo rounded up to nr, L2/4 / (4·K), 256)`, rounded down
 *   to `nr` (at least `nr`). The 256 cap bounds the float64 accumulator block
 *   `mc × nc`.
 *
 * @throws {InvalidArgumentError} for an unknown microtile or kernel, or a
 *   block size / cache size that is not a positive integer.
 */
export function planConv1x1(geometry: Conv1x1Geometry, options: PlanOptions = {}): Conv1x1Plan {
  const { kernel, microtile, mr, nr, l1Bytes: l1, l2Bytes: l2, mc: mcOption, nc: ncOption, kc: kcOption } = resolvePlanOptions(options);

  const k = geometry.inChannelsPerGroup;
  const channelsPadded = roundUp(geometry.outChannelsPerGroup, mr);
  const pixelsPadded = roundUp(Math.max(1, geometry.outHeight * geometry.outWidth), nr);

  const kc = kernel === 'wasm-simd' ? k : Math.min(k, kcOption ?? Math.max(1, Math.floor(l1 / 2 / (4 * nr))));

  const mcHeuristic = Math.max(mr, roundDown(l2 / 2 / (4 * kc), mr));
  const mc = Math.min(channelsPadded, mcOption === undefined ? mcHeuristic : roundUp(mcOption, mr));

  const ncHeuristic = Math.max(nr, roundDown(Math.min(l2 / 4 / (4 * k), MAX_PIXEL_BLOCK), nr));
  const nc = Math.min(pixelsPadded, ncOption === undefined ? ncHeuristic : roundUp(ncOption, nr));

  const tilesPerGroup = channelsPadded / mr;
  const biasOffset = geometry.groups * tilesPerGroup * mr * k;
  return {
    version: 1,
    geometry,
    kernel,
    microtile,
    inputStrides: layoutStrides(geometry.inputShape, geometry.inputLayout),
    outputStrides: layoutStrides(geometry.outputShape, geometry.outputLayout),
    mr,
    nr,
    mc,
    nc,
    kc,
    tilesPerGroup,
    biasOffset,
    paddedOffset: biasOffset + geometry.groups * tilesPerGroup * mr,
    packedLength: biasOffset + 2 * geometry.groups * tilesPerGroup * mr,
  };
}
