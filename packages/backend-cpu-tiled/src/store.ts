import type { ClampActivation } from '@pointwise/core';
import { clampFloat32Bits, clampFloat32BitsAtZero, nonNegativeClampBits } from './clamp-bits.js';

/**
 * Where one block of accumulators goes: output channels `[channelLo,
 * channelHi)` (absolute indices), whose accumulator rows start at row
 * `channelLo − firstChannel` and whose packed bias starts at
 * `biasIndex + (channelLo − firstChannel)`.
 */
export interface StoreTarget {
  /** Absolute output channel of accumulator row 0. */
  firstChannel: number;
  channelLo: number;
  channelHi: number;
  /** Index in the packed buffer of the bias of `firstChannel`. */
  biasIndex: number;
  /** Offset of image `n` in the output. */
  imageBase: number;
  /** Element stride of the output's C axis. */
  channelStride: number;
  /** Element stride between consecutive output pixels (`1` in NCHW, `Co` in NHWC). */
  pixelStride: number;
}

/**
 * Writes `act(accumulator + bias)` of one block to the output, rounding to
 * float32 once on store (bias and activation fused here, in either output
 * layout: the loop runs along the output's contiguous axis, which is also
 * the accumulator block's contiguous axis).
 *
 * @param accumulators float64 block: channel row `co − firstChannel`, pixel column `m`
 *   at `row·rowStride + m·colStride`.
 * @param outputOffsets output offset of each of the `count` interior pixels.
 * @param firstPixel when ≥ 0, the block's pixels are the consecutive output
 *   pixels `firstPixel …` (no padding cell among them) and `outputOffsets`
 *   is not read: the common case, with a cheaper inner loop.
 */
export function storeBlock(
  out: Float32Array,
  accumulators: Float64Array,
  rowStride: number,
  colStride: number,
  packed: Float32Array,
  target: StoreTarget,
  outputOffsets: Uint32Array,
  count: number,
  firstPixel: number,
  activation: ClampActivation,
): void {
  const { firstChannel, channelLo, channelHi, biasIndex, imageBase, channelStride, pixelStride } = target;
  const { min, max } = activation;
  const clamps = min !== -Infinity || max !== Infinity;
  const firstRow = channelLo - firstChannel;
  const bias = biasIndex + firstRow;
  const rows = channelHi - channelLo;
  if (channelStride === 1) {
    // NHWC output: one pixel's channels are contiguous in the output and in the block.
    for (let m = 0; m < count; m++) {
      const base = imageBase + channelLo + (firstPixel >= 0 ? (firstPixel + m) * pixelStride : outputOffsets[m]);
      const at = firstRow * rowStride + m * colStride;
      if (clamps) {
        for (let r = 0; r < rows; r++) {
          const v = accumulators[at + r * rowStride] + packed[bias + r];
          out[base + r] = v < min ? min : v > max ? max : v;
        }
      } else {
        for (let r = 0; r < rows; r++) out[base + r] = accumulators[at + r * rowStride] + packed[bias + r];
      }
    }
  } else {
    // NCHW output: one channel's pixels are contiguous in the output and in the block.
    for (let r = 0; r < rows; r++) {
      const b = packed[bias + r];
      const base = imageBase + (channelLo + r) * channelStride;
      const at = (firstRow + r) * rowStride;
      if (firstPixel >= 0 && !clamps) {
        const start = base + firstPixel;
        for (let m = 0; m < count; m++) out[start + m] = accumulators[at + m * colStride] + b;
      } else if (firstPixel >= 0) {
        const start = base + firstPixel;
        for (let m = 0; m < count; m++) {
          const v = accumulators[at + m * colStride] + b;
          out[start + m] = v < min ? min : v > max ? max : v;
        }
      } else {
        for (let m = 0; m < count; m++) {
          const v = accumulators[at + m * colStride] + b;
          out[base + outputOffsets[m]] = v < min ? min : v > max ? max : v;
        }
      }
    }
  }
}

/**
 * Applies the activation in place to output channels `[channelLo,
 * channelHi)` × the consecutive output pixels `[firstPixel, firstPixel +
 * count)` of the target's image: the second half of the fused-store path,
 * whose microkernel stores `acc + bias` unclamped. Clamping the stored
 * float32 gives the same value as storing the clamped float64 (rounding is
 * monotonic, and a bound is stored rounded either way), so the result does not
 * depend on which path stored an element. Idempotent.
 */
export function clampStored(
  out: Float32Array,
  target: StoreTarget,
  firstPixel: number,
  count: number,
  activation: ClampActivation,
): void {
  const { channelLo, channelHi, imageBase, channelStride, pixelStride } = target;
  const { min, max } = activation;
  if (min === -Infinity && max === Infinity) return;
  // Outer loop along the output's strided axis, inner loop along its contiguous one.
  const rows = channelHi - channelLo;
  const nhwc = channelStride === 1;
  const outerCount = nhwc ? count : rows;
  const outerStride = nhwc ? pixelStride : channelStride;
  const innerCount = nhwc ? rows : count;
  const innerStride = nhwc ? channelStride : pixelStride;
  let base = imageBase + channelLo * channelStride + firstPixel * pixelStride;
  const bounds = nonNegativeClampBits(activation);
  if (bounds !== null) {
    // relu, relu6 and the like: branch-free on the bit patterns (see clampFloat32Bits).
    const { low, high } = bounds;
    const outBits = new Int32Array(out.buffer, out.byteOffset, out.length);
    for (let i = 0; i < outerCount; i++) {
      let at = base;
      for (let j = 0; j < innerCount; j++) {
        outBits[at] = low === 0 ? clampFloat32BitsAtZero(outBits[at], high) : clampFloat32Bits(outBits[at], low, high);
        at += innerStride;
      }
      base += outerStride;
    }
    return;
  }
  for (let i = 0; i < outerCount; i++) {
    let at = base;
    for (let j = 0; j < innerCount; j++) {
      const v = out[at];
      out[at] = v < min ? min : v > max ? max : v;
      at += innerStride;
    }
    base += outerStride;
  }
}

/**
 * Writes the padded-cell value of each channel, `act(b[co] + Σ_k w[co,k]·0)`
 * as packed by `packWeights` at `plan.paddedOffset` (NaN for a channel with an
 * infinite or NaN weight), to the output pixels whose source lies in the
 * padding, for channels `[channelLo, channelHi)` of the target. Here
 * `target.biasIndex` is the index of the padded value of `firstChannel`.
 * Shared by the JS and the WASM kernels (and so by the workers backend).
 *
 * @param values the packed buffer (JS kernel) or a float32 view of the WASM memory.
 * @param paddedOffsets element offset in the output (relative to image and channel) of each of the `count` padded pixels.
 */
export function storePadded(
  out: Float32Array,
  values: Float32Array,
  target: StoreTarget,
  paddedOffsets: Uint32Array,
  count: number,
): void {
  const { firstChannel, channelLo, channelHi, biasIndex, imageBase, channelStride } = target;
  for (let co = channelLo; co < channelHi; co++) {
    const v = values[biasIndex + co - firstChannel];
    const base = imageBase + co * channelStride;
    for (let m = 0; m < count; m++) out[base + paddedOffsets[m]] = v;
  }
}
