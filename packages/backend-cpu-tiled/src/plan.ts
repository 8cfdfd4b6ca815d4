import { InvalidArgumentError, assertKnownKeys, layoutStrides, type Conv1x1Geometry, type LayoutStrides } from '@pointwise/core';

/**
 * The kernel option values (`PlanOptions.kernel`): `'js'` selects the scalar
 * TypeScript microkernels (`f32-gemm-*-scalar`), `'wasm-simd'` the WebAssembly
 * SIMD one.
 */
export type MicrokernelKind = 'js' | 'wasm-simd' | 'wasm-relaxed-simd';

/** Name of a table entry, `f32-gemm-<mr>x<nr>-minmax-<isa>` (see `GEMM_KERNELS` for the ones there are). */
export type GemmKernelName = string;

/** A register tile `'<mr>x<nr>'` (the `microtile` option): `'3x4'` or `'4x8'` for the `js` kernel, `'4x8'` for `wasm-simd`. */
export type JsMicrotileName = '3x4' | '4x8';

/** Cache sizes the block heuristic is derived from, in bytes (per core). */
export interface CacheSizes {
  /** Level-1 data cache. Default 32 KiB (the smallest common x86-64 / Arm L1d). */
  readonly l1Bytes: number;
  /** Level-2 cache. Default 512 KiB (the smallest common private L2 of current desktop/server cores). */
  readonly l2Bytes: number;
}

/** The default cache sizes of `planConv1x1` in `./kernel` (conservative, so blocks fit on most machines). */
export const DEFAULT_CACHE_SIZES: CacheSizes = { l1Bytes: 32 * 1024, l2Bytes: 512 * 1024 };

/**
 * Options of `planConv1x1` in `./kernel`, which are also the options of the cpu-tiled backend.
 * Every block size given here overrides the heuristic; sizes are rounded up
 * to a multiple of the microtile and clamped to the problem.
 */
export interface PlanOptions {
  /**
   * Microkernel kind. Default: the first kernel of the table whose feature
   * this engine has (`'wasm-simd'` where WebAssembly SIMD exists, see
   * `chooseGemmKernel`), else `'js'`.
   */
  readonly kernel?: MicrokernelKind;
  /** Register tile `mr × nr` (output channels × output pixels): picks among the kernels of that shape. Default for
   * `'js'`: `'3x4'` (fastest measured in V8: its 12 accumulators, 3 weights and 1 pixel value fit the 16 x86-64
   * vector registers); `'wasm-simd'` has only `'4x8'`. */
  readonly microtile?: JsMicrotileName;
  /** Output channels per block (`mc`), a multiple of `mr`. */
  readonly mc?: number;
  /** Output pixels per block (`nc`), a multiple of `nr`. */
  readonly nc?: number;
  /** Input channels per panel (`kc`) of the `K = Ci/g` reduction, for kernels that split `K` (the scalar ones);
   * a kernel whose table entry says `wholeK` plans `kc = K` and ignores it. */
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
  readonly version: 2;
  readonly geometry: Conv1x1Geometry;
  /** The table entry that runs it (`f32-gemm-4x8-minmax-wasmsimd`, …). */
  readonly kernel: GemmKernelName;
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

/** The block and cache sizes of {@link PlanOptions}, checked, with the cache defaults filled in (block sizes stay optional: they depend on the shape). */
export interface ResolvedBlockOptions {
  readonly l1Bytes: number;
  readonly l2Bytes: number;
  readonly mc: number | undefined;
  readonly nc: number | undefined;
  readonly kc: number | undefined;
}

/**
 * Checks the block and cache sizes of plan options without a geometry (the
 * `kernel` and `microtile` options are the kernel table's: see `kernelForOptions`).
 * @throws {InvalidArgumentError} for an unknown `cache` key or a block / cache size that is not a positive integer.
 */
export function resolveBlockOptions(options: PlanOptions = {}): ResolvedBlockOptions {
  assertKnownKeys('cache', options.cache, ['l1Bytes', 'l2Bytes']);
  return {
    l1Bytes: positiveInteger('cache.l1Bytes', options.cache?.l1Bytes) ?? DEFAULT_CACHE_SIZES.l1Bytes,
    l2Bytes: positiveInteger('cache.l2Bytes', options.cache?.l2Bytes) ?? DEFAULT_CACHE_SIZES.l2Bytes,
    mc: positiveInteger('mc', options.mc),
    nc: positiveInteger('nc', options.nc),
    kc: positiveInteger('kc', options.kc),
  };
}

/** What the plan takes from a kernel's table entry: its name, register tile and whether it reduces all of `K` in one pass. */
export interface KernelTile {
  readonly name: GemmKernelName;
  readonly mr: number;
  readonly nr: number;
  readonly wholeK: boolean;
}

/**
 * Chooses the block sizes for one geometry and kernel (the BLIS heuristic,
 * with float32 elements of 4 bytes; `mr × nr` is the kernel's register tile):
 *
 * - `kc`: `K` for a kernel that reduces all of `K` in one pass (`wholeK`); else one `kc × nr` panel of packed input (the operand every microtile of
 *   a block reuses) fills at most half of L1, so it stays there while the
 *   `mr`-row weight tiles stream past: `kc = min(K, L1/2 / (4·nr))`.
 * - `mc`: one `mc × kc` block of packed weights fills at most half of L2, so
 *   it is reused from L2 across the block's pixel panels:
 *   `mc = min(Co/g rounded up to mr, L2/2 / (4·kc))`, rounded down to `mr`.
 * - `nc`: the packed input of a pixel block (`K × nc`, all panels, packed
 *   once per block and reused by every channel block) fills at most a quarter
 *   of L2: `nc = min(HoWo rounded up to nr, L2/4 / (4·K), 256)`, rounded down
 *   to `nr` (at least `nr`). The 256 cap bounds the float64 accumulator block
 *   `mc × nc`. Except, for a kernel that reduces all of `K` in one pass: when
 *   a group's packed weights (`4·K·Co/g` bytes) exceed twice L2 and the
 *   image's output pixels fit one block (≤ 256), `nc` covers them all. Such a
 *   kernel streams the weights once per pixel block from beyond L2, and the
 *   small blocks cost more than the large panel: ResNet-50's 2048→512 @7²
 *   (4 MiB of weights, `nc` 16 → 56, the last block of 1 pixel streamed them
 *   all for one pixel) runs in 0.87 of the time with the caches cold (as
 *   after another library's run), 0.96–0.98 warm.
 *
 * @param kernel the table entry (or any record of its tile) the plan is for.
 * @throws {InvalidArgumentError} for a block size / cache size that is not a positive integer.
 */
export function planConv1x1(geometry: Conv1x1Geometry, kernel: KernelTile, options: PlanOptions = {}): Conv1x1Plan {
  const { mr, nr } = kernel;
  const { l1Bytes: l1, l2Bytes: l2, mc: mcOption, nc: ncOption, kc: kcOption } = resolveBlockOptions(options);

  const k = geometry.inChannelsPerGroup;
  const channelsPadded = roundUp(geometry.outChannelsPerGroup, mr);
  const pixelsPadded = roundUp(Math.max(1, geometry.outHeight * geometry.outWidth), nr);

  const kc = kernel.wholeK ? k : Math.min(k, kcOption ?? Math.max(1, Math.floor(l1 / 2 / (4 * nr))));

  const mcHeuristic = Math.max(mr, roundDown(l2 / 2 / (4 * kc), mr));
  const mc = Math.min(channelsPadded, mcOption === undefined ? mcHeuristic : roundUp(mcOption, mr));

  const ncHeuristic = Math.max(nr, roundDown(Math.min(l2 / 4 / (4 * k), MAX_PIXEL_BLOCK), nr));
  // A whole-K kernel streams a group's weights once per pixel block; weights far larger than L2
  // come from further out each time, so a map that fits one block is one block (see the docstring).
  const streamsWeights = kernel.wholeK && 4 * k * channelsPadded > 2 * l2 && pixelsPadded <= MAX_PIXEL_BLOCK;
  const nc = Math.min(pixelsPadded, ncOption === undefined ? (streamsWeights ? pixelsPadded : ncHeuristic) : roundUp(ncOption, nr));

  const tilesPerGroup = channelsPadded / mr;
  const biasOffset = geometry.groups * tilesPerGroup * mr * k;
  return {
    version: 2,
    geometry,
    kernel: kernel.name,
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
