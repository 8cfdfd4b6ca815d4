import type { ReferenceResult } from './reference/reference-kernel.js';

/** Unit roundoff of IEEE binary32 (round to nearest): `u = 2⁻²⁴`. */
export const FLOAT32_UNIT_ROUNDOFF = 2 ** -24;

/** Largest finite float32, `(2 − 2⁻²³)·2¹²⁷`. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** Smallest positive normal float32, `2⁻¹²⁶`. */
export const FLOAT32_MIN_NORMAL = 2 ** -126;

/**
 * Largest absolute error of one float32 operation whose result is subnormal:
 * half the smallest subnormal, `λ·u = 2⁻¹²⁶·2⁻²⁴ = 2⁻¹⁵⁰` (Higham, §2.2, eq. 2.8:
 * `fl(x op y) = (x op y)(1 + δ) + η`, `|η| ≤ λ·u`, `η = 0` for addition).
 */
export const FLOAT32_UNDERFLOW_ERROR = 2 ** -150;

/**
 * `γ(K) = K·u / (1 − K·u)`: the relative error bound of a K-term float32 sum
 * in any order (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd
 * ed., §3.1, eq. 3.4).
 */
export function gamma(k: number, u = FLOAT32_UNIT_ROUNDOFF): number {
  const ku = k * u;
  return ku >= 1 ? Infinity : ku / (1 - ku);
}

/**
 * The bound of README “Accuracy” for one output element:
 * `2·γ(K)·magnitude + 2·u·|y|`, plus the gradual-underflow term
 * `(K + 1)·2⁻¹⁵⁰` (one per product and one for the final rounding, which §5's
 * relative bound leaves out and which matters only for subnormal results),
 * all times `precisionFactor`, plus `absoluteSlack`.
 *
 * @param k dot-product length `K = Ci/groups`.
 * @param magnitude `|b| + Σ_k |w_k·x_k|` (from {@link referenceConv1x1}).
 * @param y the float64 reference value.
 */
export function errorBound(k: number, magnitude: number, y: number, precisionFactor = 1, absoluteSlack = 0): number {
  const underflow = (k + 1) * FLOAT32_UNDERFLOW_ERROR;
  return precisionFactor * (2 * gamma(k) * magnitude + 2 * FLOAT32_UNIT_ROUNDOFF * Math.abs(y) + underflow) + absoluteSlack;
}

/** One element outside the bound. */
export interface AccuracyFailure {
  /** Index into the output data (in its layout). */
  readonly index: number;
  readonly actual: number;
  readonly expected: number;
  readonly bound: number;
  readonly reason: 'value' | 'nan' | 'infinity';
}

/** Outcome of comparing a backend's output with the reference. */
export interface AccuracyReport {
  readonly elements: number;
  /** Number of elements outside the bound (or with mismatched NaN / ±Inf). */
  readonly failureCount: number;
  /** The first few failures, for messages. */
  readonly failures: readonly AccuracyFailure[];
  /** Largest `|ŷ − y| / bound` over finite elements (0 when all equal; the headline number). */
  readonly worstRatio: number;
}

/** Options of {@link checkAccuracy}. */
export interface AccuracyOptions {
  /** Dot-product length `K = Ci/groups`. */
  readonly k: number;
  /** Multiplies the bound: the backend's declared precision factor (1 for float32 engines). */
  readonly precisionFactor?: number;
  /** Absolute slack added to each element's bound (e.g. for engines that flush subnormals). */
  readonly absoluteSlack?: number;
  /** How many failures to keep in the report. Default 8. */
  readonly keep?: number;
}

/**
 * Compares `actual` with the float64 reference under the bound of
 * README “Accuracy”. Rules for special values:
 * - a NaN reference needs a NaN result, and a NaN result needs a NaN reference;
 * - an infinite reference needs the same infinity;
 * - a finite reference whose magnitude exceeds the float32 range may come
 *   back non-finite (a float32 partial sum may overflow in any summation order);
 * - everything else must lie within the bound.
 */
export function checkAccuracy(actual: Float32Array, reference: ReferenceResult, options: AccuracyOptions): AccuracyReport {
  const { k, precisionFactor = 1, absoluteSlack = 0, keep = 8 } = options;
  const { values, magnitudes } = reference;
  const failures: AccuracyFailure[] = [];
  let failureCount = 0;
  let worstRatio = 0;
  const fail = (failure: AccuracyFailure) => {
    failureCount++;
    if (failures.length < keep) failures.push(failure);
  };
  for (let i = 0; i < values.length; i++) {
    const y = values[i];
    const a = actual[i];
    if (Number.isNaN(y) || Number.isNaN(a)) {
      const overflowed = !Number.isNaN(y) && magnitudes[i] > FLOAT32_MAX;
      if (!(Number.isNaN(y) && Number.isNaN(a)) && !overflowed) fail({ index: i, actual: a, expected: y, bound: 0, reason: 'nan' });
      continue;
    }
    if (!Number.isFinite(y)) {
      if (a !== y) fail({ index: i, actual: a, expected: y, bound: 0, reason: 'infinity' });
      continue;
    }
    if (!Number.isFinite(a)) {
      if (magnitudes[i] <= FLOAT32_MAX && Math.abs(y) <= FLOAT32_MAX) {
        fail({ index: i, actual: a, expected: y, bound: 0, reason: 'infinity' });
      }
      continue;
    }
    const bound = errorBound(k, magnitudes[i], y, precisionFactor, absoluteSlack);
    const error = Math.abs(a - y);
    const ratio = error === 0 ? 0 : bound === 0 ? Infinity : error / bound;
    if (ratio > worstRatio) worstRatio = ratio;
    if (ratio > 1) fail({ index: i, actual: a, expected: y, bound, reason: 'value' });
  }
  return { elements: values.length, failureCount, failures, worstRatio };
}

/** `3 ± 1.2e-7` for a finite expectation; `NaN`, `+Infinity`, `-Infinity` alone (a bound means nothing there). */
function describeExpectation(expected: number, bound: number): string {
  if (Number.isNaN(expected)) return 'NaN';
  if (!Number.isFinite(expected)) return expected > 0 ? '+Infinity' : '-Infinity';
  return `${expected} ± ${Number.isFinite(bound) ? bound.toExponential(2) : String(bound)}`;
}

/** One-line description of a report's failures, for assertion messages. */
export function describeAccuracy(report: AccuracyReport): string {
  if (report.failureCount === 0) return `all ${report.elements} elements within bound (worst ratio ${report.worstRatio.toFixed(3)})`;
  const shown = report.failures
    .map((f) => `#${f.index}: got ${f.actual}, expected ${describeExpectation(f.expected, f.bound)} (${f.reason})`)
    .join('; ');
  return `${report.failureCount}/${report.elements} elements outside bound: ${shown}`;
}
