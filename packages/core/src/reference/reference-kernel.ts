import { applyActivation } from '../activation.js';
import { sourceIndex, type Conv1x1Geometry } from '../geometry.js';
import { layoutStrides } from '../tensor.js';

/**
 * The reference result of a 1×1 convolution in float64, before rounding to
 * float32, with the magnitude that the accuracy bound scales with.
 * Both arrays are in the geometry's output layout.
 */
export interface ReferenceResult {
  /** `act(b[co] + Σ_k w[co,k]·x[n, g·K + k, i·sH − pT, j·sW − pL])` accumulated in float64. */
  readonly values: Float64Array;
  /** `|b[co]| + Σ_k |w[co,k]·x[…]|`: the scale of the dot product's rounding error (0 in padded cells). */
  readonly magnitudes: Float64Array;
}

/**
 * Direct loop over the definition of README “The operation” (PyTorch `conv2d`
 * with a 1×1 kernel), float64 accumulation in index order `k = 0 … K−1`.
 * Obviously correct rather than fast: this is the oracle.
 *
 * @param x input data in `geometry.inputLayout`, length `N·Ci·H·W`.
 * @param weights `[Co, Ci/g]` row-major.
 * @param bias `[Co]` or `null`.
 */
export function referenceConv1x1(
  geometry: Conv1x1Geometry,
  x: Float32Array,
  weights: Float32Array,
  bias: Float32Array | null,
): ReferenceResult {
  const g = geometry;
  const [n, co, ho, wo] = g.outputShape;
  const xs = layoutStrides(g.inputShape, g.inputLayout);
  const ys = layoutStrides(g.outputShape, g.outputLayout);
  const values = new Float64Array(n * co * ho * wo);
  const magnitudes = new Float64Array(values.length);
  const k = g.inChannelsPerGroup;
  for (let b = 0; b < n; b++) {
    for (let oc = 0; oc < co; oc++) {
      const group = Math.floor(oc / g.outChannelsPerGroup);
      const biasValue = bias === null ? 0 : bias[oc];
      for (let i = 0; i < ho; i++) {
        const si = sourceIndex(i, g.strideH, g.padTop, g.inHeight);
        for (let j = 0; j < wo; j++) {
          const sj = sourceIndex(j, g.strideW, g.padLeft, g.inWidth);
          let sum = biasValue;
          let magnitude = Math.abs(biasValue);
          // A padded position reads 0 through the same arithmetic (0·∞ = NaN, as in PyTorch).
          const padded = si < 0 || sj < 0;
          for (let kk = 0; kk < k; kk++) {
            const xv = padded ? 0 : x[b * xs.n + (group * k + kk) * xs.c + si * xs.h + sj * xs.w];
            const term = weights[oc * k + kk] * xv;
            sum += term;
            magnitude += Math.abs(term);
          }
          const at = b * ys.n + oc * ys.c + i * ys.h + j * ys.w;
          values[at] = applyActivation(sum, g.activation);
          magnitudes[at] = magnitude;
        }
      }
    }
  }
  return { values, magnitudes };
}
