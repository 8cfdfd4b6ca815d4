import { InvalidArgumentError } from '@pointwise/core';
import { JS_MICROTILES } from './microkernels.js';
import { packInputPanel } from './pack-input.js';
import { mapPixelBlock } from './pixel-block.js';
import type { Conv1x1Plan } from './plan.js';
import type { KernelScratch } from './scratch.js';
import { clampStored, storeBlock, storePadded } from './store.js';

/**
 * A box of the output: images `[batchStart, batchEnd)`, output channels
 * `[channelStart, channelEnd)` and output pixels `[pixelStart, pixelEnd)` in
 * row-major `i·Wo + j` order. Any integer bounds inside the output are
 * allowed; splitting at multiples of `plan.mc` (channels) and `plan.nc`
 * (pixels) wastes no work.
 */
export interface OutputRange {
  readonly batchStart: number;
  readonly batchEnd: number;
  readonly channelStart: number;
  readonly channelEnd: number;
  readonly pixelStart: number;
  readonly pixelEnd: number;
}

/**
 * The fused-store path of one pixel block, group and channel block (tiles
 * `[tileStart, tileEnd)`), taken when `K` is a single panel and the block's
 * pixels are consecutive: full tiles go straight
 * from the microkernel's registers to the output (no accumulator block, no
 * second pass over it). Tiles cut by the range's channel bounds, and the
 * block's last partial sliver, are reduced the same way into a one-tile
 * buffer and stored element-wise, so an element's value never depends on
 * which path stored it. The activation follows as one pass over the block.
 */
function storeFusedTiles(
  plan: Conv1x1Plan,
  packed: Float32Array,
  out: Float32Array,
  scratch: KernelScratch,
  group: number,
  lo: number,
  hi: number,
  tileStart: number,
  tileEnd: number,
  firstPixel: number,
  interior: number,
): void {
  const { mr, nr, tilesPerGroup, biasOffset, geometry } = plan;
  const { kernel, storeKernel } = JS_MICROTILES[plan.microtile];
  const k = geometry.inChannelsPerGroup;
  const ys = plan.outputStrides;
  const { panel, tile, outputOffsets, target } = scratch;
  const groupChannel = group * geometry.outChannelsPerGroup;
  const imageBase = target.imageBase;
  const slivers = Math.ceil(interior / nr);
  for (let s = 0; s < slivers; s++) {
    const columns = Math.min(nr, interior - s * nr);
    const pixel = firstPixel + s * nr;
    const bOffset = s * k * nr;
    for (let t = tileStart; t < tileEnd; t++) {
      const firstChannel = groupChannel + t * mr;
      const tileIndex = group * tilesPerGroup + t;
      if (columns === nr && firstChannel >= lo && firstChannel + mr <= hi) {
        const outOffset = imageBase + firstChannel * ys.c + pixel * ys.w;
        storeKernel(k, packed, tileIndex * k * mr, panel, bOffset, out, outOffset, ys.c, ys.w, packed, biasOffset + tileIndex * mr);
      } else {
        kernel(k, packed, tileIndex * k * mr, panel, bOffset, tile, 0, nr, 1, false);
        target.firstChannel = firstChannel;
        target.channelLo = Math.max(lo, firstChannel);
        target.channelHi = Math.min(hi, firstChannel + mr);
        target.biasIndex = biasOffset + tileIndex * mr;
        storeBlock(out, tile, nr, 1, packed, target, outputOffsets, columns, pixel, geometry.activation);
      }
    }
  }
  target.channelLo = Math.max(lo, groupChannel + tileStart * mr);
  target.channelHi = Math.min(hi, groupChannel + tileEnd * mr);
  clampStored(out, target, firstPixel, interior, geometry.activation);
}

/** The range that covers the whole output of a plan. */
export function fullOutputRange(plan: Conv1x1Plan): OutputRange {
  const g = plan.geometry;
  return {
    batchStart: 0,
    batchEnd: g.batch,
    channelStart: 0,
    channelEnd: g.outChannels,
    pixelStart: 0,
    pixelEnd: g.outHeight * g.outWidth,
  };
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
 * Shared by the range functions of every microkernel.
 * @throws {InvalidArgumentError} naming the offending bound.
 */
export function assertRangeInOutput(plan: Conv1x1Plan, range: OutputRange): void {
  const g = plan.geometry;
  checkBounds('batch', range.batchStart, range.batchEnd, g.batch);
  checkBounds('channel', range.channelStart, range.channelEnd, g.outChannels);
  checkBounds('pixel', range.pixelStart, range.pixelEnd, g.outHeight * g.outWidth);
}

/**
 * Computes exactly the outputs of `range` (padded-border cells included, as
 * `act(b + Σ w·0)`) and nothing else. Every output element is reduced over its
 * whole `K = Ci/g` in the same order (panels of `plan.kc`, `k` ascending,
 * float64 accumulators, one rounding on store) whatever the range, so an
 * output assembled from disjoint ranges — in any order, on any threads — is
 * bit-identical to one full run.
 *
 * Loop nest (BLIS order): image → pixel block (`nc`, input panel packed once
 * for all of `K`) → group → channel block (`mc`) → `K` panel (`kc`) → pixel
 * sliver (`nr`) → channel tile (`mr`) → microkernel; then bias, activation
 * and the layout change are fused into the store of the block. When `K` is
 * one panel and the pixel block has no padding cell, full tiles are stored
 * by the microkernel itself (see `storeFusedTiles`).
 *
 * @param packed the weights packed by `packWeights` for this plan.
 * @param x input data, `geometry.inputShape` in `geometry.inputLayout` (read only).
 * @param out output data, `geometry.outputShape` in `geometry.outputLayout`; must not alias `x`.
 * @param scratch from `createKernelScratch(plan)`, not used by another thread at the same time.
 * @throws {InvalidArgumentError} for a range outside the output.
 */
export function runConv1x1Range(
  plan: Conv1x1Plan,
  packed: Float32Array,
  x: Float32Array,
  out: Float32Array,
  range: OutputRange,
  scratch: KernelScratch,
): void {
  assertRangeInOutput(plan, range);
  const g = plan.geometry;
  const { channelStart, channelEnd, pixelStart, pixelEnd } = range;
  if (channelStart === channelEnd || pixelStart === pixelEnd) return;

  const { mr, nr, mc, nc, kc, tilesPerGroup, biasOffset } = plan;
  const kernel = JS_MICROTILES[plan.microtile].kernel;
  const k = g.inChannelsPerGroup;
  const channelsPerGroup = g.outChannelsPerGroup;
  const xs = plan.inputStrides;
  const ys = plan.outputStrides;
  const { panel, accumulators, inputOffsets, outputOffsets, paddedOffsets, counts, target } = scratch;
  const tilesPerBlock = mc / mr;
  const sliverLength = k * nr;
  target.channelStride = ys.c;
  // Accumulator block: channel-major (row stride nc) for NCHW output, pixel-major (column stride mc) for NHWC.
  const rowStride = ys.c === 1 ? 1 : nc;
  const colStride = ys.c === 1 ? mc : 1;
  target.pixelStride = ys.w;
  const firstGroup = Math.floor(channelStart / channelsPerGroup);
  const lastGroup = Math.floor((channelEnd - 1) / channelsPerGroup);

  for (let n = range.batchStart; n < range.batchEnd; n++) {
    target.imageBase = n * ys.n;
    for (let p0 = pixelStart; p0 < pixelEnd; p0 += nc) {
      mapPixelBlock(g, p0, Math.min(p0 + nc, pixelEnd), xs.h, xs.w, ys.w, scratch, counts);
      const interior = counts.interior;
      const slivers = Math.ceil(interior / nr);
      for (let group = firstGroup; group <= lastGroup; group++) {
        const groupChannel = group * channelsPerGroup;
        const lo = Math.max(channelStart, groupChannel);
        const hi = Math.min(channelEnd, groupChannel + channelsPerGroup);
        if (counts.padded > 0) {
          target.firstChannel = groupChannel;
          target.channelLo = lo;
          target.channelHi = hi;
          target.biasIndex = plan.paddedOffset + group * tilesPerGroup * mr;
          storePadded(out, packed, target, paddedOffsets, counts.padded);
        }
        if (interior === 0) continue;
        packInputPanel(x, n * xs.n + group * k * xs.c, xs.c, k, nr, inputOffsets, interior, panel);
        const tileStart = Math.floor((lo - groupChannel) / mr);
        const tileEnd = Math.ceil((hi - groupChannel) / mr);
        const fused = k <= kc && counts.padded === 0;
        for (let t0 = tileStart; t0 < tileEnd; t0 += tilesPerBlock) {
          const t1 = Math.min(t0 + tilesPerBlock, tileEnd);
          if (fused) {
            storeFusedTiles(plan, packed, out, scratch, group, lo, hi, t0, t1, p0, interior);
            continue;
          }
          const tileBase = (group * tilesPerGroup + t0) * k * mr;
          for (let pc = 0; pc < k; pc += kc) {
            const steps = Math.min(kc, k - pc);
            for (let s = 0; s < slivers; s++) {
              const bOffset = s * sliverLength + pc * nr;
              let aOffset = tileBase + pc * mr;
              let cOffset = s * nr * colStride;
              for (let t = t0; t < t1; t++) {
                kernel(steps, packed, aOffset, panel, bOffset, accumulators, cOffset, rowStride, colStride, pc > 0);
                aOffset += k * mr;
                cOffset += mr * rowStride;
              }
            }
          }
          const firstChannel = groupChannel + t0 * mr;
          target.firstChannel = firstChannel;
          target.channelLo = Math.max(lo, firstChannel);
          target.channelHi = Math.min(hi, groupChannel + t1 * mr);
          target.biasIndex = biasOffset + (group * tilesPerGroup + t0) * mr;
          storeBlock(out, accumulators, rowStride, colStride, packed, target, outputOffsets, interior, counts.padded === 0 ? p0 : -1, g.activation);
        }
      }
    }
  }
}
