import { InvalidArgumentError } from '@pointwise/core';
import { assertRangeInOutput, type OutputRange } from '../run-range.js';
import type { Conv1x1Plan } from '../plan.js';
import { storePadded, type StoreTarget } from '../store.js';
import type { WasmConvInstance } from './wasm-kernel.js';

/** Gather-table entry of a pixel whose source lies in the padding (never a byte offset: those are multiples of 4). */
export const GATHER_PADDING = 0xffffffff;

/**
 * Fills the gather table of one pixel block (output pixels `[p0, p0 + count)`,
 * row-major `i·Wo + j`): the byte offset, relative to channel 0 of the group
 * in its image, of each pixel's source in the input, or {@link GATHER_PADDING}
 * when the source lies in the padding; the output element offset (relative to
 * image and channel) of each padded pixel goes to `paddedOffsets`.
 *
 * Offsets are unsigned 32-bit: the input lives in a WebAssembly memory of at
 * most 4 GiB, so every byte offset into it is `< 2^32`, and `gather_panels`
 * reads the table as u32 (an int32 table broke past 2 GiB: issue 11 item 1).
 * Computed in float64 (exact below 2^53), stored exactly.
 *
 * @param table a `Uint32Array` view of the operator's memory; entries `[at, at + count)` are written.
 * @returns the number of padded pixels (entries of `paddedOffsets` written).
 */
export function writeGatherTable(plan: Conv1x1Plan, p0: number, count: number, table: Uint32Array, at: number, paddedOffsets: Uint32Array): number {
  const g = plan.geometry;
  const xs = plan.inputStrides;
  const ys = plan.outputStrides;
  let padded = 0;
  let i = Math.floor(p0 / g.outWidth);
  let j = p0 - i * g.outWidth;
  for (let q = 0; q < count; q++) {
    const si = i * g.strideH - g.padTop;
    const sj = j * g.strideW - g.padLeft;
    if (si >= 0 && si < g.inHeight && sj >= 0 && sj < g.inWidth) {
      table[at + q] = (si * xs.h + sj * xs.w) * 4;
    } else {
      table[at + q] = GATHER_PADDING;
      paddedOffsets[padded++] = (p0 + q) * ys.w;
    }
    if (++j === g.outWidth) {
      j = 0;
      i++;
    }
  }
  return padded;
}

/** Per-thread JavaScript-side state of {@link runConv1x1RangeWasm} (the memory-side scratch is in the layout). */
export interface WasmRangeScratch {
  /** Which per-thread region of the layout this thread uses. */
  readonly thread: number;
  /** Output element offsets (relative to image and channel) of the padded pixels of the current block. */
  readonly paddedOffsets: Uint32Array;
  /** Where the padded cells of the current block are stored (see `storePadded`). */
  readonly target: StoreTarget;
}

/** Creates the scratch of one thread; `thread` indexes `layout.threads`. */
export function createWasmRangeScratch(instance: WasmConvInstance, thread = 0): WasmRangeScratch {
  if (!Number.isInteger(thread) || thread < 0 || thread >= instance.layout.threads.length) {
    throw new InvalidArgumentError('thread', `an integer in [0, ${instance.layout.threads.length - 1}]`, thread);
  }
  return {
    thread,
    paddedOffsets: new Uint32Array(instance.plan.nc),
    target: { firstChannel: 0, channelLo: 0, channelHi: 0, biasIndex: 0, imageBase: 0, channelStride: 0, pixelStride: 0 },
  };
}


/**
 * The WASM SIMD counterpart of `runConv1x1Range`: computes exactly the
 * outputs of `range` from the input already in the operator's memory
 * (`copyInputToWasm`) into the output region of that memory
 * (`copyOutputFromWasm` reads it). Padded-border cells get `act(b + Σ w·0)` (see `storePadded`).
 *
 * Every element is `act(bias + Σ_{k<K} w·x)` summed in float32, `k`
 * ascending, in one pass (the reduction is never split), whatever the range:
 * ranges run on any threads over one shared memory assemble a result
 * bit-identical to one full run.
 *
 * Loop nest: image → pixel block (`plan.nc`; gathered into panels of 8 once
 * per group unless the input is NCHW with stride 1 and no padding, which the
 * microkernel reads in place) → group → channel block (`plan.mc`) → in WASM:
 * 8-pixel panel → 4-channel tile → `K`.
 *
 * @param range any pixel and batch bounds; `channelStart` must be a multiple
 *   of 4 (`plan.mr`) counted from the start of its group (so multiples of
 *   `plan.mc` always are); `channelEnd` may be any value.
 * @throws {InvalidArgumentError} for a range outside the output or a misaligned `channelStart`.
 */
export function runConv1x1RangeWasm(instance: WasmConvInstance, range: OutputRange, scratch: WasmRangeScratch): void {
  const { plan, layout, exports, f32 } = instance;
  const u32 = instance.u32;
  const g = plan.geometry;
  const pixels = g.outHeight * g.outWidth;
  assertRangeInOutput(plan, range);
  const { channelStart, channelEnd, pixelStart, pixelEnd } = range;
  if (channelStart === channelEnd || pixelStart === pixelEnd || range.batchStart === range.batchEnd) return;
  const channelsPerGroup = g.outChannelsPerGroup;
  if ((channelStart % channelsPerGroup) % plan.mr !== 0) {
    throw new InvalidArgumentError('range.channelStart', `a multiple of ${plan.mr} within its group of ${channelsPerGroup} channels`, channelStart);
  }

  const k = g.inChannelsPerGroup;
  const { mc, nc, tilesPerGroup, biasOffset } = plan;
  const xs = plan.inputStrides;
  const ys = plan.outputStrides;
  const region = layout.threads[scratch.thread];
  const { paddedOffsets, target } = scratch;
  target.channelStride = ys.c;
  target.pixelStride = ys.w;
  const inPlace = g.inputLayout === 'NCHW' && g.strideH === 1 && g.strideW === 1 &&
    g.padTop === 0 && g.padLeft === 0 && g.padBottom === 0 && g.padRight === 0;
  const pixelMajor = g.outputLayout === 'NHWC' ? 1 : 0;
  const ldo = (pixelMajor ? ys.w : ys.c) * 4;
  const tilesPerBlock = mc / plan.mr;
  const weightsIndex = layout.weights / 4;
  const offsetsIndex = region.offsets / 4;
  const firstGroup = Math.floor(channelStart / channelsPerGroup);
  const lastGroup = Math.floor((channelEnd - 1) / channelsPerGroup);

  for (let n = range.batchStart; n < range.batchEnd; n++) {
    const imageBase = layout.output / 4 + n * ys.n;
    for (let p0 = pixelStart; p0 < pixelEnd; p0 += nc) {
      const count = Math.min(nc, pixelEnd - p0);
      const padded = inPlace ? 0 : writeGatherTable(plan, p0, count, u32, offsetsIndex, paddedOffsets);
      for (let group = firstGroup; group <= lastGroup; group++) {
        const groupChannel = group * channelsPerGroup;
        const lo = Math.max(channelStart, groupChannel);
        const hi = Math.min(channelEnd, groupChannel + channelsPerGroup);
        const groupInput = layout.input + (n * xs.n + group * k * xs.c) * 4;
        let x: number, ldx: number, panelStride: number;
        if (inPlace) {
          x = groupInput + p0 * 4;
          ldx = xs.c * 4;
          panelStride = 32;
        } else {
          exports.gather_panels(region.panel, groupInput, region.offsets, count, k, xs.c * 4);
          x = region.panel;
          ldx = 32;
          panelStride = k * 32;
        }
        const tileEnd = Math.ceil((hi - groupChannel) / plan.mr);
        for (let t0 = (lo - groupChannel) / plan.mr; t0 < tileEnd; t0 += tilesPerBlock) {
          const t1 = Math.min(t0 + tilesPerBlock, tileEnd);
          const tile = group * tilesPerGroup + t0;
          exports.gemm_block(
            layout.weights + tile * k * plan.mr * 4,
            layout.weights + (biasOffset + tile * plan.mr) * 4,
            x, ldx, panelStride, k,
            layout.output + (n * ys.n + (groupChannel + t0 * plan.mr) * ys.c + p0 * ys.w) * 4,
            ldo, t1 - t0, Math.min(plan.mr, hi - groupChannel - (t1 - 1) * plan.mr), count,
            layout.clamp, region.stage, pixelMajor,
          );
        }
        if (padded > 0) {
          // The microkernel computed the padded pixels from zeros in float32; they get the packed
          // act(b + Σ w·0) of each channel, the same bits as the JS kernel and the reference.
          target.firstChannel = groupChannel;
          target.channelLo = lo;
          target.channelHi = hi;
          target.biasIndex = weightsIndex + plan.paddedOffset + group * tilesPerGroup * plan.mr;
          target.imageBase = imageBase;
          storePadded(f32, f32, target, paddedOffsets, padded);
        }
      }
    }
  }
}
