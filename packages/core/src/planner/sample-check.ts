import { FLOAT32_MAX, errorBound } from '../accuracy.js';
import type { BackendCapabilities } from '../backend.js';
import type { Conv1x1Geometry } from '../geometry.js';
import { referenceElement } from '../reference/reference-kernel.js';
import { layoutStrides, type Tensor } from '../tensor.js';

/** Output elements checked against the float64 reference per candidate. */
export const CHECKED_SAMPLE = 64;

/**
 * Checks sampled outputs against the float64 reference: {@link CHECKED_SAMPLE}
 * elements evenly spread over the output (in NCHW order), each within the
 * accuracy bound times the checked backend's declared precision factor.
 */
export interface SampleCheck {
  (out: Float32Array, capabilities: BackendCapabilities): string | null;
  /**
   * Writes a value no correct run leaves at each sampled position (NaN, or 0 where the reference is NaN),
   * so a run that skips the output — or part of it — fails the check instead of passing on what an earlier
   * run wrote there.
   */
  poison(out: Float32Array): void;
}

/**
 * Computes the float64 reference of the sampled output elements for input
 * `x` once, and returns the check of an output (`out` in `g`'s output
 * layout): `null` when every sampled element is within bound, else a
 * description of the first that is not. Checking then costs 64 comparisons,
 * so the planner checks every timed run, not only the first.
 */
export function sampleCheck(g: Conv1x1Geometry, x: Tensor, weights: Float32Array, bias: Float32Array | null): SampleCheck {
  const [n, co, ho, wo] = g.outputShape;
  const ys = layoutStrides(g.outputShape, g.outputLayout);
  const total = n * co * ho * wo;
  const step = Math.max(1, Math.floor(total / CHECKED_SAMPLE));
  const samples: { readonly at: number; readonly name: string; readonly value: number; readonly magnitude: number }[] = [];
  for (let linear = 0; linear < total; linear += step) {
    // Logical indices of the linear position (NCHW order), then the element in the output layout.
    const b = Math.floor(linear / (co * ho * wo));
    const c = Math.floor(linear / (ho * wo)) % co;
    const i = Math.floor(linear / wo) % ho;
    const j = linear % wo;
    const expected = referenceElement(g, x.data, weights, bias, b, c, i, j);
    samples.push({ at: b * ys.n + c * ys.c + i * ys.h + j * ys.w, name: `y[${b}, ${c}, ${i}, ${j}]`, value: expected.value, magnitude: expected.magnitude });
  }
  const check = (out: Float32Array, capabilities: BackendCapabilities): string | null => {
    for (const { at, name, value: y, magnitude } of samples) {
      const actual = out[at];
      const bound = errorBound(g.inChannelsPerGroup, magnitude, y, capabilities.precisionFactor);
      let ok: boolean;
      if (Number.isNaN(y)) ok = Number.isNaN(actual);
      // Beyond float32's range the float32 result is the infinity of that sign.
      else if (Math.abs(y) > FLOAT32_MAX) ok = actual === Math.sign(y) * Infinity || Math.abs(actual - y) <= bound;
      else ok = Math.abs(actual - y) <= bound;
      if (!ok) return `${name} = ${actual}, the reference is ${y}`;
    }
    return null;
  };
  return Object.assign(check, {
    poison(out: Float32Array): void {
      for (const { at, value } of samples) out[at] = Number.isNaN(value) ? 0 : Number.NaN;
    },
  });
}

/**
 * Checks a sample of `out` against the float64 reference ({@link sampleCheck}
 * made and applied once). Returns `null` when every sampled element is within
 * bound, else a description of the first that is not.
 */
export function checkSample(
  g: Conv1x1Geometry,
  x: Tensor,
  weights: Float32Array,
  bias: Float32Array | null,
  out: Float32Array,
  capabilities: BackendCapabilities,
): string | null {
  return sampleCheck(g, x, weights, bias)(out, capabilities);
}
