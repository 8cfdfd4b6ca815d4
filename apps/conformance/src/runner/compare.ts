import { checkAccuracy, FLOAT32_MIN_NORMAL, type AccuracyFailure, type AccuracyReport, type BackendCapabilities, type ReferenceResult } from '@pointwise/core';
import type { Tolerance } from '../catalogue/case.js';
import type { MaterializedCase } from '../catalogue/materialize.js';

/**
 * Absolute slack for an engine that flushes subnormals to zero: each flushed
 * input or product can move a dot product by at most its weight (or input)
 * times the smallest normal float32, and a flushed result by the smallest normal.
 */
export function subnormalSlack(m: MaterializedCase): number {
  const w = m.problem.weights.data;
  const k = m.geometry.inChannelsPerGroup;
  let maxRow = 0;
  for (let row = 0; row < w.length / k; row++) {
    let sum = 0;
    for (let i = 0; i < k; i++) sum += Math.abs(w[row * k + i]) || 0;
    maxRow = Math.max(maxRow, sum);
  }
  let maxX = 0;
  for (const v of m.x.data) if (Number.isFinite(v)) maxX = Math.max(maxX, Math.abs(v));
  return FLOAT32_MIN_NORMAL * (1 + maxRow + k * maxX);
}

/** The accuracy of `actual` against the float64 reference under a backend's declared precision. */
export function compareWithReference(m: MaterializedCase, actual: Float32Array, capabilities: Pick<BackendCapabilities, 'precisionFactor' | 'flushesSubnormals'>): AccuracyReport {
  return checkAccuracy(actual, m.reference(), {
    k: m.geometry.inChannelsPerGroup,
    precisionFactor: capabilities.precisionFactor,
    absoluteSlack: capabilities.flushesSubnormals ? subnormalSlack(m) : 0,
  });
}

/**
 * Compares `actual` with the case's `expected` output under its tolerance:
 * `boundFactor` scales the §5 bound (magnitudes from the reference),
 * `atol`/`rtol` is an elementwise `|a − e| ≤ atol + rtol·|e|`. NaN positions must match.
 */
export function compareWithExpected(m: MaterializedCase, actual: Float32Array, precisionFactor: number): AccuracyReport | undefined {
  const expected = m.expected;
  if (expected === undefined) return undefined;
  const values = Float64Array.from(expected.output);
  const tolerance: Tolerance = expected.tolerance;
  if ('boundFactor' in tolerance) {
    const asReference: ReferenceResult = { values, magnitudes: m.reference().magnitudes };
    return checkAccuracy(actual, asReference, { k: m.geometry.inChannelsPerGroup, precisionFactor: tolerance.boundFactor * precisionFactor });
  }
  // atol/rtol: express as a bound with zero magnitude and a per-element absolute slack is not
  // possible in checkAccuracy (one slack for all), so compare directly.
  const atol = tolerance.atol ?? 0;
  const rtol = tolerance.rtol ?? 0;
  const failures = [];
  let failureCount = 0;
  let worstRatio = 0;
  for (let i = 0; i < values.length; i++) {
    const e = values[i];
    const a = actual[i];
    const bound = atol + rtol * Math.abs(e);
    const bad = Number.isNaN(e) !== Number.isNaN(a) || (!Number.isFinite(e) && a !== e && !Number.isNaN(e)) || Math.abs(a - e) > bound;
    const ratio = Number.isFinite(e) && Number.isFinite(a) ? (a === e ? 0 : Math.abs(a - e) / bound) : 0;
    if (ratio > worstRatio) worstRatio = ratio;
    if (bad) {
      failureCount++;
      if (failures.length < 8) failures.push({ index: i, actual: a, expected: e, bound, reason: 'value' as const });
    }
  }
  return { elements: values.length, failureCount, failures, worstRatio };
}

/** A number as a message shows it: `-0`, `NaN`, `+Infinity`, `-Infinity`, else its shortest decimal form. */
export function numberText(v: number): string {
  if (Object.is(v, -0)) return '-0';
  if (v === Infinity) return '+Infinity';
  return String(v);
}

/** One failure: what came and what was expected — a tolerance only where the expectation is a finite number. */
export function describeFailure(f: AccuracyFailure): string {
  const expected = Number.isFinite(f.expected) && Number.isFinite(f.bound) ? `${numberText(f.expected)} ± ${f.bound.toExponential(2)}` : numberText(f.expected);
  return `#${f.index}: got ${numberText(f.actual)}, expected ${expected}`;
}

/**
 * One-line description of a report's failures, for results and assertion
 * messages: `#3: got 1, expected NaN`, `#0: got 2.5, expected 2.49 ± 1.2e-7`.
 * (core's `describeAccuracy` prints a `± bound` for NaN and infinite
 * expectations too; this says what was expected instead.)
 */
export function describeAccuracy(report: AccuracyReport): string {
  if (report.failureCount === 0) return `all ${report.elements} elements within bound (worst ratio ${report.worstRatio.toFixed(3)})`;
  return `${report.failureCount}/${report.elements} elements outside bound: ${report.failures.map(describeFailure).join('; ')}`;
}
