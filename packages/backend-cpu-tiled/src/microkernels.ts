/**
 * Register-tiled microkernels in plain TypeScript: one `mr × nr` tile of the
 * output (`mr` output channels × `nr` output pixels) held in local float64
 * variables while the `K` reduction streams through packed operands.
 *
 * Float64 accumulation: V8 computes on doubles anyway (a `Float32Array` load
 * widens to float64), so keeping the sum in float64 and rounding once on store
 * costs nothing, avoids a `Math.fround` per step, and is at least as accurate
 * as float32 accumulation (the products of two float32 values are exact in
 * float64). The summation order of an element is `k = 0 … kc−1` in every
 * microkernel, so the tile position of an element never changes its value.
 */

/**
 * Computes one `mr × nr` tile over `kc` reduction steps:
 * `tile[r][q] = Σ_{s<kc} a[aOffset + s·mr + r] · b[bOffset + s·nr + q]`, then
 * writes it to `c[cOffset + r·rowStride + q·colStride]` (`accumulate`: adds
 * it instead). The two strides let the block be channel-major (NCHW output)
 * or pixel-major (NHWC output), so the store pass reads it contiguously.
 *
 * @param a packed weights: `kc` columns of `mr` output channels.
 * @param b packed input panel: `kc` rows of `nr` output pixels.
 * @param c float64 accumulator block.
 */
export type Microkernel = (
  kc: number,
  a: Float32Array,
  aOffset: number,
  b: Float32Array,
  bOffset: number,
  c: Float64Array,
  cOffset: number,
  rowStride: number,
  colStride: number,
  accumulate: boolean,
) => void;

/**
 * Computes one full `mr × nr` tile over all `kc` reduction steps (as
 * {@link Microkernel}) and stores `tile[r][q] + bias[biasIndex + r]` straight
 * to `out[outOffset + r·rowStride + q·colStride]`, rounded to float32 once:
 * the store fused into the microkernel, used when `K` is one panel and the
 * block's pixels are consecutive. No activation here: a clamp inside the
 * microkernel measured slower than a separate pass over the stored block,
 * and clamping the rounded value gives the same float32 as rounding the
 * clamped one (rounding is monotonic).
 */
export type StoreMicrokernel = (
  kc: number,
  a: Float32Array,
  aOffset: number,
  b: Float32Array,
  bOffset: number,
  out: Float32Array,
  outOffset: number,
  rowStride: number,
  colStride: number,
  bias: Float32Array,
  biasIndex: number,
) => void;

/**
 * The 4×8 microkernel: see {@link Microkernel}. 32 float64 accumulators, one
 * weight column of 4 and one pixel row of 8 loaded per step of `k`.
 */
export function microkernel4x8(kc: number, a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, c: Float64Array, cOffset: number, rowStride: number, colStride: number, accumulate: boolean): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c04 = 0, c05 = 0, c06 = 0, c07 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0, c14 = 0, c15 = 0, c16 = 0, c17 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c24 = 0, c25 = 0, c26 = 0, c27 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0, c34 = 0, c35 = 0, c36 = 0, c37 = 0;
  let ai = aOffset;
  let bi = bOffset;
  for (let step = 0; step < kc; step++) {
    const a0 = a[ai]; const a1 = a[ai + 1]; const a2 = a[ai + 2]; const a3 = a[ai + 3];
    const b0 = b[bi];
    c00 += a0 * b0; c10 += a1 * b0; c20 += a2 * b0; c30 += a3 * b0;
    const b1 = b[bi + 1];
    c01 += a0 * b1; c11 += a1 * b1; c21 += a2 * b1; c31 += a3 * b1;
    const b2 = b[bi + 2];
    c02 += a0 * b2; c12 += a1 * b2; c22 += a2 * b2; c32 += a3 * b2;
    const b3 = b[bi + 3];
    c03 += a0 * b3; c13 += a1 * b3; c23 += a2 * b3; c33 += a3 * b3;
    const b4 = b[bi + 4];
    c04 += a0 * b4; c14 += a1 * b4; c24 += a2 * b4; c34 += a3 * b4;
    const b5 = b[bi + 5];
    c05 += a0 * b5; c15 += a1 * b5; c25 += a2 * b5; c35 += a3 * b5;
    const b6 = b[bi + 6];
    c06 += a0 * b6; c16 += a1 * b6; c26 += a2 * b6; c36 += a3 * b6;
    const b7 = b[bi + 7];
    c07 += a0 * b7; c17 += a1 * b7; c27 += a2 * b7; c37 += a3 * b7;
    ai += 4;
    bi += 8;
  }
  if (accumulate) {
    let o = cOffset;
    c[o] += c00; c[o + colStride] += c01; c[o + 2 * colStride] += c02; c[o + 3 * colStride] += c03; c[o + 4 * colStride] += c04; c[o + 5 * colStride] += c05; c[o + 6 * colStride] += c06; c[o + 7 * colStride] += c07;
    o = cOffset + rowStride;
    c[o] += c10; c[o + colStride] += c11; c[o + 2 * colStride] += c12; c[o + 3 * colStride] += c13; c[o + 4 * colStride] += c14; c[o + 5 * colStride] += c15; c[o + 6 * colStride] += c16; c[o + 7 * colStride] += c17;
    o = cOffset + 2 * rowStride;
    c[o] += c20; c[o + colStride] += c21; c[o + 2 * colStride] += c22; c[o + 3 * colStride] += c23; c[o + 4 * colStride] += c24; c[o + 5 * colStride] += c25; c[o + 6 * colStride] += c26; c[o + 7 * colStride] += c27;
    o = cOffset + 3 * rowStride;
    c[o] += c30; c[o + colStride] += c31; c[o + 2 * colStride] += c32; c[o + 3 * colStride] += c33; c[o + 4 * colStride] += c34; c[o + 5 * colStride] += c35; c[o + 6 * colStride] += c36; c[o + 7 * colStride] += c37;
  } else {
    let o = cOffset;
    c[o] = c00; c[o + colStride] = c01; c[o + 2 * colStride] = c02; c[o + 3 * colStride] = c03; c[o + 4 * colStride] = c04; c[o + 5 * colStride] = c05; c[o + 6 * colStride] = c06; c[o + 7 * colStride] = c07;
    o = cOffset + rowStride;
    c[o] = c10; c[o + colStride] = c11; c[o + 2 * colStride] = c12; c[o + 3 * colStride] = c13; c[o + 4 * colStride] = c14; c[o + 5 * colStride] = c15; c[o + 6 * colStride] = c16; c[o + 7 * colStride] = c17;
    o = cOffset + 2 * rowStride;
    c[o] = c20; c[o + colStride] = c21; c[o + 2 * colStride] = c22; c[o + 3 * colStride] = c23; c[o + 4 * colStride] = c24; c[o + 5 * colStride] = c25; c[o + 6 * colStride] = c26; c[o + 7 * colStride] = c27;
    o = cOffset + 3 * rowStride;
    c[o] = c30; c[o + colStride] = c31; c[o + 2 * colStride] = c32; c[o + 3 * colStride] = c33; c[o + 4 * colStride] = c34; c[o + 5 * colStride] = c35; c[o + 6 * colStride] = c36; c[o + 7 * colStride] = c37;
  }
}

/** The 4×8 microkernel with the store fused: see {@link StoreMicrokernel}. */
export function microkernel4x8Store(kc: number, a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, out: Float32Array, outOffset: number, rowStride: number, colStride: number, bias: Float32Array, biasIndex: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c04 = 0, c05 = 0, c06 = 0, c07 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0, c14 = 0, c15 = 0, c16 = 0, c17 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c24 = 0, c25 = 0, c26 = 0, c27 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0, c34 = 0, c35 = 0, c36 = 0, c37 = 0;
  let ai = aOffset;
  let bi = bOffset;
  for (let step = 0; step < kc; step++) {
    const a0 = a[ai]; const a1 = a[ai + 1]; const a2 = a[ai + 2]; const a3 = a[ai + 3];
    const b0 = b[bi];
    c00 += a0 * b0; c10 += a1 * b0; c20 += a2 * b0; c30 += a3 * b0;
    const b1 = b[bi + 1];
    c01 += a0 * b1; c11 += a1 * b1; c21 += a2 * b1; c31 += a3 * b1;
    const b2 = b[bi + 2];
    c02 += a0 * b2; c12 += a1 * b2; c22 += a2 * b2; c32 += a3 * b2;
    const b3 = b[bi + 3];
    c03 += a0 * b3; c13 += a1 * b3; c23 += a2 * b3; c33 += a3 * b3;
    const b4 = b[bi + 4];
    c04 += a0 * b4; c14 += a1 * b4; c24 += a2 * b4; c34 += a3 * b4;
    const b5 = b[bi + 5];
    c05 += a0 * b5; c15 += a1 * b5; c25 += a2 * b5; c35 += a3 * b5;
    const b6 = b[bi + 6];
    c06 += a0 * b6; c16 += a1 * b6; c26 += a2 * b6; c36 += a3 * b6;
    const b7 = b[bi + 7];
    c07 += a0 * b7; c17 += a1 * b7; c27 += a2 * b7; c37 += a3 * b7;
    ai += 4;
    bi += 8;
  }
  const bias0 = bias[biasIndex];
  let o = outOffset;
  out[o] = c00 + bias0; out[o + colStride] = c01 + bias0; out[o + 2 * colStride] = c02 + bias0; out[o + 3 * colStride] = c03 + bias0; out[o + 4 * colStride] = c04 + bias0; out[o + 5 * colStride] = c05 + bias0; out[o + 6 * colStride] = c06 + bias0; out[o + 7 * colStride] = c07 + bias0;
  const bias1 = bias[biasIndex + 1];
  o = outOffset + rowStride;
  out[o] = c10 + bias1; out[o + colStride] = c11 + bias1; out[o + 2 * colStride] = c12 + bias1; out[o + 3 * colStride] = c13 + bias1; out[o + 4 * colStride] = c14 + bias1; out[o + 5 * colStride] = c15 + bias1; out[o + 6 * colStride] = c16 + bias1; out[o + 7 * colStride] = c17 + bias1;
  const bias2 = bias[biasIndex + 2];
  o = outOffset + 2 * rowStride;
  out[o] = c20 + bias2; out[o + colStride] = c21 + bias2; out[o + 2 * colStride] = c22 + bias2; out[o + 3 * colStride] = c23 + bias2; out[o + 4 * colStride] = c24 + bias2; out[o + 5 * colStride] = c25 + bias2; out[o + 6 * colStride] = c26 + bias2; out[o + 7 * colStride] = c27 + bias2;
  const bias3 = bias[biasIndex + 3];
  o = outOffset + 3 * rowStride;
  out[o] = c30 + bias3; out[o + colStride] = c31 + bias3; out[o + 2 * colStride] = c32 + bias3; out[o + 3 * colStride] = c33 + bias3; out[o + 4 * colStride] = c34 + bias3; out[o + 5 * colStride] = c35 + bias3; out[o + 6 * colStride] = c36 + bias3; out[o + 7 * colStride] = c37 + bias3;
}

/**
 * The 3×4 microkernel: see {@link Microkernel}. 12 float64 accumulators, one
 * weight column of 3 and one pixel row of 4 loaded per step of `k`.
 */
export function microkernel3x4(kc: number, a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, c: Float64Array, cOffset: number, rowStride: number, colStride: number, accumulate: boolean): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let ai = aOffset;
  let bi = bOffset;
  for (let step = 0; step < kc; step++) {
    const a0 = a[ai]; const a1 = a[ai + 1]; const a2 = a[ai + 2];
    const b0 = b[bi];
    c00 += a0 * b0; c10 += a1 * b0; c20 += a2 * b0;
    const b1 = b[bi + 1];
    c01 += a0 * b1; c11 += a1 * b1; c21 += a2 * b1;
    const b2 = b[bi + 2];
    c02 += a0 * b2; c12 += a1 * b2; c22 += a2 * b2;
    const b3 = b[bi + 3];
    c03 += a0 * b3; c13 += a1 * b3; c23 += a2 * b3;
    ai += 3;
    bi += 4;
  }
  if (accumulate) {
    let o = cOffset;
    c[o] += c00; c[o + colStride] += c01; c[o + 2 * colStride] += c02; c[o + 3 * colStride] += c03;
    o = cOffset + rowStride;
    c[o] += c10; c[o + colStride] += c11; c[o + 2 * colStride] += c12; c[o + 3 * colStride] += c13;
    o = cOffset + 2 * rowStride;
    c[o] += c20; c[o + colStride] += c21; c[o + 2 * colStride] += c22; c[o + 3 * colStride] += c23;
  } else {
    let o = cOffset;
    c[o] = c00; c[o + colStride] = c01; c[o + 2 * colStride] = c02; c[o + 3 * colStride] = c03;
    o = cOffset + rowStride;
    c[o] = c10; c[o + colStride] = c11; c[o + 2 * colStride] = c12; c[o + 3 * colStride] = c13;
    o = cOffset + 2 * rowStride;
    c[o] = c20; c[o + colStride] = c21; c[o + 2 * colStride] = c22; c[o + 3 * colStride] = c23;
  }
}

/** The 3×4 microkernel with the store fused: see {@link StoreMicrokernel}. */
export function microkernel3x4Store(kc: number, a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, out: Float32Array, outOffset: number, rowStride: number, colStride: number, bias: Float32Array, biasIndex: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let ai = aOffset;
  let bi = bOffset;
  for (let step = 0; step < kc; step++) {
    const a0 = a[ai]; const a1 = a[ai + 1]; const a2 = a[ai + 2];
    const b0 = b[bi];
    c00 += a0 * b0; c10 += a1 * b0; c20 += a2 * b0;
    const b1 = b[bi + 1];
    c01 += a0 * b1; c11 += a1 * b1; c21 += a2 * b1;
    const b2 = b[bi + 2];
    c02 += a0 * b2; c12 += a1 * b2; c22 += a2 * b2;
    const b3 = b[bi + 3];
    c03 += a0 * b3; c13 += a1 * b3; c23 += a2 * b3;
    ai += 3;
    bi += 4;
  }
  const bias0 = bias[biasIndex];
  let o = outOffset;
  out[o] = c00 + bias0; out[o + colStride] = c01 + bias0; out[o + 2 * colStride] = c02 + bias0; out[o + 3 * colStride] = c03 + bias0;
  const bias1 = bias[biasIndex + 1];
  o = outOffset + rowStride;
  out[o] = c10 + bias1; out[o + colStride] = c11 + bias1; out[o + 2 * colStride] = c12 + bias1; out[o + 3 * colStride] = c13 + bias1;
  const bias2 = bias[biasIndex + 2];
  o = outOffset + 2 * rowStride;
  out[o] = c20 + bias2; out[o + colStride] = c21 + bias2; out[o + 2 * colStride] = c22 + bias2; out[o + 3 * colStride] = c23 + bias2;
}
