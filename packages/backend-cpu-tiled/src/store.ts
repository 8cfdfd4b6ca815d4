import type { ClampActivation } from '@pointwise/core';

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
 * layout: the loop runs along the output's contiguous axis).
 *
 * @param accumulators float64 block, row = channel − `firstChannel`, column = interior pixel, row stride `ldc`.
 * @param outputOffsets output offset of each of the `count` interior pixels.
 * @param firstPixel when ≥ 0, the block's pixels are the consecutive output
 *   pixels `firstPixel …` (no padding cell among them) and `outputOffsets`
 *   is not read: the common case, with a cheaper inner loop.
 */
export function storeBlock(
  out: Float32Array,
  accumulators: Float64Array,
  ldc: number,
  packed: Float32Array,
  target: StoreTarget,
  outputOffsets: Int32Array,
  count: number,
  firstPixel: number,
  activation: ClampActivation,
): void {
  const { firstChannel, channelLo, channelHi, biasIndex, imageBase, channelStride, pixelStride } = target;
  const { min, max } = activation;
  const clamps = min !== -Infinity || max !== Infinity;
  if (channelStride === 1) {
    // NHWC output: channels contiguous.
    for (let m = 0; m < count; m++) {
      const base = imageBase + (firstPixel >= 0 ? (firstPixel + m) * pixelStride : outputOffsets[m]);
      let at = (channelLo - firstChannel) * ldc + m;
      for (let co = channelLo; co < channelHi; co++) {
        const v = accumulators[at] + packed[biasIndex + co - firstChannel];
        out[base + co] = v < min ? min : v > max ? max : v;
        at += ldc;
      }
    }
  } else {
    for (let co = channelLo; co < channelHi; co++) {
      const row = co - firstChannel;
      const bias = packed[biasIndex + row];
      const base = imageBase + co * channelStride;
      const rowBase = row * ldc;
      if (firstPixel >= 0 && !clamps) {
        const start = base + firstPixel;
        for (let m = 0; m < count; m++) out[start + m] = accumulators[rowBase + m] + bias;
      } else if (firstPixel >= 0) {
        const start = base + firstPixel;
        for (let m = 0; m < count; m++) {
          const v = accumulators[rowBase + m] + bias;
          out[start + m] = v < min ? min : v > max ? max : v;
        }
      } else {
        for (let m = 0; m < count; m++) {
          const v = accumulators[rowBase + m] + bias;
          out[base + outputOffsets[m]] = v < min ? min : v > max ? max : v;
        }
      }
    }
  }
}

/**
 * Writes `act(bias)` to the output pixels whose source lies in the padding
 * (their dot product is empty, so nothing is computed), for channels
 * `[channelLo, channelHi)` of the target.
 */
export function storePadded(
  out: Float32Array,
  packed: Float32Array,
  target: StoreTarget,
  paddedOffsets: Int32Array,
  count: number,
  activation: ClampActivation,
): void {
  const { firstChannel, channelLo, channelHi, biasIndex, imageBase, channelStride } = target;
  const { min, max } = activation;
  for (let co = channelLo; co < channelHi; co++) {
    const b = packed[biasIndex + co - firstChannel];
    const v = b < min ? min : b > max ? max : b;
    const base = imageBase + co * channelStride;
    for (let m = 0; m < count; m++) out[base + paddedOffsets[m]] = v;
  }
}
