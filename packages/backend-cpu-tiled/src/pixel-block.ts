import type { Conv1x1Geometry } from '@pointwise/core';
import type { KernelScratch } from './scratch.js';

/** How the pixels of one block split into computed (interior) and padded ones. */
export interface PixelBlockCounts {
  interior: number;
  padded: number;
}

/**
 * Maps the output pixels `[pixelStart, pixelEnd)` (row-major `i·Wo + j`) of
 * one block to memory offsets, applying stride and padding here so the panel
 * gather reads only the input pixels that are used (README “The operation”:
 * output `(i, j)` reads input `(i·sH − pT, j·sW − pL)`, zero when outside).
 * Interior pixels get their input and output offsets; pixels whose source is
 * in the padding get only their output offset (they hold `act(b + Σ w·0)`).
 * Offsets are element indices below 2^32 (the largest typed array V8 allows
 * has 2^32 elements), kept exactly in the scratch's `Uint32Array` tables.
 *
 * @param inputStrides element strides of the input's H and W axes.
 * @param outputPixelStride element stride of the output's W axis (the output
 *   offset of pixel `p` is `p · outputPixelStride` in both layouts).
 */
export function mapPixelBlock(
  geometry: Conv1x1Geometry,
  pixelStart: number,
  pixelEnd: number,
  inputStrideH: number,
  inputStrideW: number,
  outputPixelStride: number,
  scratch: KernelScratch,
  counts: PixelBlockCounts,
): void {
  const { outWidth, strideH, strideW, padTop, padLeft, inHeight, inWidth } = geometry;
  const { inputOffsets, outputOffsets, paddedOffsets } = scratch;
  let interior = 0;
  let padded = 0;
  let i = Math.floor(pixelStart / outWidth);
  let j = pixelStart - i * outWidth;
  for (let p = pixelStart; p < pixelEnd; p++) {
    const si = i * strideH - padTop;
    const sj = j * strideW - padLeft;
    if (si >= 0 && si < inHeight && sj >= 0 && sj < inWidth) {
      inputOffsets[interior] = si * inputStrideH + sj * inputStrideW;
      outputOffsets[interior++] = p * outputPixelStride;
    } else {
      paddedOffsets[padded++] = p * outputPixelStride;
    }
    if (++j === outWidth) {
      j = 0;
      i++;
    }
  }
  counts.interior = interior;
  counts.padded = padded;
}
