import type { Conv1x1Plan } from './plan.js';

/** Gather-table entry of a pixel whose source lies in the padding (never a byte offset: those are multiples of 4). */
export const GATHER_PADDING = 0xffffffff;

/**
 * Where the pixels of one pixel block come from and go: the one pixel map of
 * the driver, shared by every kernel. Interior pixels (source inside the
 * input) get their input and output offsets, in order; pixels whose source
 * is in the padding get only their output offset (they hold `act(b + Σ w·0)`).
 * Offsets are element indices below 2^32 (the largest typed array V8 allows
 * has 2^32 elements), kept exactly in `Uint32Array` tables.
 */
export interface PixelMap {
  /** Spatial offset in the input (relative to image and channel) of each interior pixel. */
  readonly inputOffsets: Uint32Array;
  /** Spatial offset in the output (relative to image and channel) of each interior pixel. */
  readonly outputOffsets: Uint32Array;
  /** Spatial offset in the output of each pixel whose source is in the padding. */
  readonly paddedOffsets: Uint32Array;
  /** Interior / padded pixels of the current block. */
  interior: number;
  padded: number;
}

/** A pixel map for blocks of up to `nc` pixels. */
export function createPixelMap(nc: number): PixelMap {
  return { inputOffsets: new Uint32Array(nc), outputOffsets: new Uint32Array(nc), paddedOffsets: new Uint32Array(nc), interior: 0, padded: 0 };
}

/**
 * Maps the output pixels `[pixelStart, pixelEnd)` (row-major `i·Wo + j`) of
 * one block, applying stride and padding here so a gather reads only the
 * input pixels that are used (output `(i, j)` reads input
 * `(i·sH − pT, j·sW − pL)`, zero when outside).
 *
 * With `table`, also writes one entry per pixel of the block, in pixel order
 * (`table[tableAt + q]` for pixel `pixelStart + q`): the byte offset of its
 * source (the form a WebAssembly gather reads, exact as u32 because its
 * memory is at most 4 GiB), or {@link GATHER_PADDING}.
 */
export function mapPixelBlock(plan: Conv1x1Plan, pixelStart: number, pixelEnd: number, map: PixelMap, table: Uint32Array | null = null, tableAt = 0): void {
  const { outWidth, strideH, strideW, padTop, padLeft, inHeight, inWidth } = plan.geometry;
  const inputStrideH = plan.inputStrides.h;
  const inputStrideW = plan.inputStrides.w;
  const outputPixelStride = plan.outputStrides.w;
  const { inputOffsets, outputOffsets, paddedOffsets } = map;
  let interior = 0;
  let padded = 0;
  let i = Math.floor(pixelStart / outWidth);
  let j = pixelStart - i * outWidth;
  for (let p = pixelStart; p < pixelEnd; p++) {
    const si = i * strideH - padTop;
    const sj = j * strideW - padLeft;
    if (si >= 0 && si < inHeight && sj >= 0 && sj < inWidth) {
      const source = si * inputStrideH + sj * inputStrideW;
      inputOffsets[interior] = source;
      outputOffsets[interior++] = p * outputPixelStride;
      if (table !== null) table[tableAt + p - pixelStart] = source * 4;
    } else {
      paddedOffsets[padded++] = p * outputPixelStride;
      if (table !== null) table[tableAt + p - pixelStart] = GATHER_PADDING;
    }
    if (++j === outWidth) {
      j = 0;
      i++;
    }
  }
  map.interior = interior;
  map.padded = padded;
}
