import { applyActivation } from './activation.js';
import type { Conv1x1Geometry } from './geometry.js';

/**
 * The value of every output cell whose source position lies in the padding,
 * one per output channel: `act(b[co] + Σ_k w[co,k]·0)`.
 *
 * Padded positions read 0 and go through the same arithmetic as the others
 * (PyTorch `conv2d`, ONNX `Conv`), so the value is `act(b[co])` when the
 * channel's weights are finite and NaN when one is ±∞ or NaN (0·∞ = NaN,
 * IEEE 754 §7.2). The sum is taken in float64 and rounded once to float32, so
 * every backend stores the same bits; it is a per-channel constant that a
 * backend computes once at prepare time.
 *
 * @param geometry the normalised geometry (its activation is applied).
 * @param weights `[Co, Ci/groups]` row-major, float32.
 * @param bias `[Co]` or `null` (zeros).
 * @returns `Float32Array` of length `Co`.
 */
export function paddedCellValues(geometry: Conv1x1Geometry, weights: Float32Array, bias: Float32Array | null): Float32Array {
  const co = geometry.outChannels;
  const k = geometry.inChannelsPerGroup;
  const values = new Float32Array(co);
  for (let oc = 0; oc < co; oc++) {
    let sum = bias === null ? 0 : bias[oc];
    for (let kk = 0; kk < k; kk++) sum += weights[oc * k + kk] * 0;
    values[oc] = applyActivation(sum, geometry.activation);
  }
  return values;
}
