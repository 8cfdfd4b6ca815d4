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
  const ys = layoutStrides(g.outputShape, g.outputLayout);
  const values = new Float64Array(n * co * ho * wo);
  const magnitudes = new Float64Array(values.length);
  for (let b = 0; b < n; b++) {
    for (let oc = 0; oc < co; oc++) {
      for (let i = 0; i < ho; i++) {
        for (let j = 0; j < wo; j++) {
          const at = b * ys.n + oc * ys.c + i * ys.h + j * ys.w;
          const element = referenceElement(g, x, weights, bias, b, oc, i, j);
          values[at] = element.value;
          magnitudes[at] = element.magnitude;
        }
      }
    }
  }
  return { values, magnitudes };
}

/** One output element of the reference and its error-bound magnitude. */
export interface ReferenceElement {
  /** `act(b[co] + Σ_k w[co,k]·x[…])` in float64 (padded positions read 0). */
  readonly value: number;
  /** `|b[co]| + Σ_k |w[co,k]·x[…]|`. */
  readonly magnitude: number;
}

/**
 * The reference for one output element `y[n, co, i, j]` (logical indices),
 * by the definition of README “The operation”: float64 accumulation in index
 * order. Lets a caller check a sample of a large output without computing
 * all of it.
 *
 * @param x input data in `geometry.inputLayout`.
 * @param weights `[Co, Ci/g]` row-major; `bias` `[Co]` or `null`.
 */
export function referenceElement(
  g: Conv1x1Geometry,
  x: Float32Array,
  weights: Float32Array,
  bias: Float32Array | null,
  n: number,
  co: number,
  i: number,
  j: number,
): ReferenceElement {
  const xs = layoutStrides(g.inputShape, g.inputLayout);
  const k = g.inChannelsPerGroup;
  const group = Math.floor(co / g.outChannelsPerGroup);
  const si = sourceIndex(i, g.strideH, g.padTop, g.inHeight);
  const sj = sourceIndex(j, g.strideW, g.padLeft, g.inWidth);
  const biasValue = bias === null ? 0 : bias[co];
  let sum = biasValue;
  let magnitude = Math.abs(biasValue);
  // A padded position reads 0 through the same arithmetic (0·∞ = NaN, as in PyTorch).
  const padded = si < 0 || sj < 0;
  for (let kk = 0; kk < k; kk++) {
    const xv = padded ? 0 : x[n * xs.n + (group * k + kk) * xs.c + si * xs.h + sj * xs.w];
    const term = weights[co * k + kk] * xv;
    sum += term;
    magnitude += Math.abs(term);
  }
  return { value: applyActivation(sum, g.activation), magnitude };
}
