import { InvalidArgumentError } from '@pointwise/core';
import type { OutputRange } from './gemm-kernel.js';
import { createPixelMap, mapPixelBlock, type PixelMap } from './pixel-block.js';
import type { Conv1x1Plan } from './plan.js';
import { storePadded, type StoreTarget } from './store.js';

export type { OutputRange } from './gemm-kernel.js';

/**
 * What differs between kernels inside the one loop driver ({@link driveRange}):
 * how the input of a pixel block is gathered, how a block of channel tiles is
 * computed and stored, and where the output and the packed padded-cell
 * values live. A kernel's `bind` makes one per thread; the driver owns the
 * loops, the pixel map and the padded-cell store.
 */
export interface BlockSteps {
  /** A range's `channelStart` must lie on an `mr` tile of its group. */
  readonly alignedChannelStart: boolean;
  /**
   * Whether the kernel reads the pixel map. `false` only for a plan whose
   * pixels are all interior (no padding) and whose input the kernel reads in
   * place: the driver then counts the block's pixels as interior without mapping them.
   */
  readonly mapsPixels: boolean;
  /**
   * Gathers the interior pixels of the block `[p0, p0 + count)` of image `n`
   * and group `group`, as mapped in `map` (and in the gather table the
   * driver was given), for the `compute` calls that follow.
   */
  gather(n: number, group: number, p0: number, count: number, map: PixelMap): void;
  /**
   * Computes channel tiles `[t0, t1)` of `group` over the gathered block and
   * stores `act(acc + bias)` of its channels within `[lo, hi)` (absolute) to
   * the block's interior pixels. Padded pixels may be written too: the driver
   * stores their value afterwards.
   */
  compute(n: number, group: number, lo: number, hi: number, t0: number, t1: number, p0: number, count: number, map: PixelMap): void;
  /** The array the output tensor lives in (for a kernel without memory: the run's `out`), and the element index of its start there. */
  output: Float32Array;
  readonly outputBase: number;
  /** The array the packed weights live in, and the element index of their start there. */
  readonly packed: Float32Array;
  readonly packedBase: number;
}

/** Per-thread state of the driver: the pixel map and the padded-cell store target (reused across runs). */
export interface DriverScratch {
  readonly map: PixelMap;
  readonly target: StoreTarget;
}

/** The driver scratch of one thread for a plan. */
export function createDriverScratch(plan: Conv1x1Plan): DriverScratch {
  return {
    map: createPixelMap(plan.nc),
    target: { firstChannel: 0, channelLo: 0, channelHi: 0, biasIndex: 0, imageBase: 0, channelStride: 0, pixelStride: 0 },
  };
}

/** The range that covers the whole output of a plan. */
export function fullOutputRange(plan: Conv1x1Plan): OutputRange {
  const g = plan.geometry;
  return { batchStart: 0, batchEnd: g.batch, channelStart: 0, channelEnd: g.outChannels, pixelStart: 0, pixelEnd: g.outHeight * g.outWidth };
}

function checkBounds(parameter: string, start: number, end: number, size: number): void {
  if (!Number.isInteger(start) || start < 0 || start > size) {
    throw new InvalidArgumentError(`range.${parameter}Start`, `an integer in [0, ${size}]`, start);
  }
  if (!Number.isInteger(end) || end < start || end > size) {
    throw new InvalidArgumentError(`range.${parameter}End`, `an integer in [${start}, ${size}]`, end);
  }
}

/**
 * Checks that a range lies inside the plan's output: integer bounds with
 * `0 ≤ start ≤ end ≤ size` for images, output channels and output pixels.
 * @throws {InvalidArgumentError} naming the offending bound.
 */
export function assertRangeInOutput(plan: Conv1x1Plan, range: OutputRange): void {
  const g = plan.geometry;
  checkBounds('batch', range.batchStart, range.batchEnd, g.batch);
  checkBounds('channel', range.channelStart, range.channelEnd, g.outChannels);
  checkBounds('pixel', range.pixelStart, range.pixelEnd, g.outHeight * g.outWidth);
}

/**
 * The one loop driver of every kernel: computes exactly the outputs of
 * `range` (padded-border cells included, as `act(b + Σ w·0)` from the packed
 * weights) and nothing else.
 *
 * Loop nest (BLIS order): image → pixel block (`plan.nc`; mapped once by the
 * pixel map, see `mapPixelBlock`) → group (input gathered once per block and
 * group) → channel block (`plan.mc`, the kernel's `compute`) → padded cells
 * of the group (stored here, after the kernel, so a kernel that computes
 * padded pixels from zeros is overwritten with the packed value).
 *
 * @param table where the pixel map writes the per-pixel gather table of a
 *   kernel that reads one (a view of its memory), or `null`.
 * @throws {InvalidArgumentError} for a range outside the output, or a
 *   `channelStart` not on an `mr` tile of its group for a kernel that needs it.
 */
export function driveRange(plan: Conv1x1Plan, steps: BlockSteps, range: OutputRange, scratch: DriverScratch, table: Uint32Array | null, tableAt: number): void {
  assertRangeInOutput(plan, range);
  const g = plan.geometry;
  const { channelStart, channelEnd, pixelStart, pixelEnd } = range;
  if (channelStart === channelEnd || pixelStart === pixelEnd || range.batchStart === range.batchEnd) return;
  const { mr, mc, nc, tilesPerGroup } = plan;
  const channelsPerGroup = g.outChannelsPerGroup;
  if (steps.alignedChannelStart && (channelStart % channelsPerGroup) % mr !== 0) {
    throw new InvalidArgumentError('range.channelStart', `a multiple of ${mr} within its group of ${channelsPerGroup} channels`, channelStart);
  }
  const ys = plan.outputStrides;
  const { map, target } = scratch;
  target.channelStride = ys.c;
  target.pixelStride = ys.w;
  const tilesPerBlock = mc / mr;
  const firstGroup = Math.floor(channelStart / channelsPerGroup);
  const lastGroup = Math.floor((channelEnd - 1) / channelsPerGroup);

  for (let n = range.batchStart; n < range.batchEnd; n++) {
    for (let p0 = pixelStart; p0 < pixelEnd; p0 += nc) {
      const count = Math.min(nc, pixelEnd - p0);
      if (steps.mapsPixels) mapPixelBlock(plan, p0, p0 + count, map, table, tableAt);
      else {
        map.interior = count;
        map.padded = 0;
      }
      for (let group = firstGroup; group <= lastGroup; group++) {
        const groupChannel = group * channelsPerGroup;
        const lo = Math.max(channelStart, groupChannel);
        const hi = Math.min(channelEnd, groupChannel + channelsPerGroup);
        if (map.interior > 0) {
          steps.gather(n, group, p0, count, map);
          const tileEnd = Math.ceil((hi - groupChannel) / mr);
          for (let t0 = Math.floor((lo - groupChannel) / mr); t0 < tileEnd; t0 += tilesPerBlock) {
            steps.compute(n, group, lo, hi, t0, Math.min(t0 + tilesPerBlock, tileEnd), p0, count, map);
          }
        }
        if (map.padded > 0) {
          target.firstChannel = groupChannel;
          target.channelLo = lo;
          target.channelHi = hi;
          target.imageBase = steps.outputBase + n * ys.n;
          target.biasIndex = steps.packedBase + plan.paddedOffset + group * tilesPerGroup * mr;
          storePadded(steps.output, steps.packed, target, map.paddedOffsets, map.padded);
        }
      }
    }
  }
}
