import type { PixelBlockCounts } from './pixel-block.js';
import type { Conv1x1Plan } from './plan.js';
import type { StoreTarget } from './store.js';

/**
 * Per-thread working memory of {@link runConv1x1Range}, sized by the plan and
 * reused across runs (so a run allocates nothing). Not shareable between
 * threads running at the same time.
 */
export interface KernelScratch {
  /** Spatial offset in the input (relative to image and channel) of each interior pixel of the current block. */
  readonly inputOffsets: Uint32Array;
  /** Spatial offset in the output (relative to image and channel) of each interior pixel of the current block. */
  readonly outputOffsets: Uint32Array;
  /** Spatial offset in the output of each pixel of the current block that falls in the padding. */
  readonly paddedOffsets: Uint32Array;
  /** Packed input of a pixel block: slivers of `nr` pixels, each `K × nr` (`K·nc` float32). */
  readonly panel: Float32Array;
  /** Float64 accumulators of one `mc × nc` block, row stride `nc`. */
  readonly accumulators: Float64Array;
  /** Float64 accumulators of one edge tile of the fused-store path (`mr × nr`, row stride `nr`). */
  readonly tile: Float64Array;
  /** Interior / padded pixel counts of the current block. */
  readonly counts: PixelBlockCounts;
  /** Where the current block is stored. */
  readonly target: StoreTarget;
}

/** Allocates the scratch memory one thread needs to run ranges of a plan. */
export function createKernelScratch(plan: Conv1x1Plan): KernelScratch {
  return {
    inputOffsets: new Uint32Array(plan.nc),
    outputOffsets: new Uint32Array(plan.nc),
    paddedOffsets: new Uint32Array(plan.nc),
    panel: new Float32Array(plan.geometry.inChannelsPerGroup * plan.nc),
    accumulators: new Float64Array(plan.mc * plan.nc),
    tile: new Float64Array(plan.mr * plan.nr),
    counts: { interior: 0, padded: 0 },
    target: { firstChannel: 0, channelLo: 0, channelHi: 0, biasIndex: 0, imageBase: 0, channelStride: 0, pixelStride: 0 },
  };
}
