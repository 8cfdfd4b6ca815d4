import { describe, expect, it } from 'vitest';
import { FLOAT32_UNIT_ROUNDOFF, checkAccuracy, describeAccuracy, errorBound, gamma } from '../src/index.js';

describe('accuracy bound (README “Accuracy”)', () => {
  it('γ(K) = K·u/(1 − K·u)', () => {
    const u = FLOAT32_UNIT_ROUNDOFF;
    expect(gamma(1)).toBeCloseTo(u / (1 - u), 20);
    expect(gamma(512)).toBeCloseTo((512 * u) / (1 - 512 * u), 20);
    expect(gamma(2 ** 24)).toBe(Infinity);
  });

  it('bound = 2γ(K)·magnitude + 2u·|y| + (K + 1)·2⁻¹⁵⁰, scaled by the precision factor', () => {
    const u = FLOAT32_UNIT_ROUNDOFF;
    const underflow = 5 * 2 ** -150;
    expect(errorBound(4, 10, -3)).toBe(2 * gamma(4) * 10 + 2 * u * 3 + underflow);
    expect(errorBound(4, 10, -3, 8)).toBe(8 * (2 * gamma(4) * 10 + 2 * u * 3 + underflow));
  });

  it('a correctly rounded subnormal result is within the bound', () => {
    // exact 2⁻¹⁴¹ + 3·2⁻¹⁶⁰ rounds to the float32 subnormal 2⁻¹⁴¹ (error 3·2⁻¹⁶⁰, above the relative terms)
    const exact = 2 ** -141 + 3 * 2 ** -160;
    const actual = Float32Array.of(exact);
    expect(actual[0]).toBe(2 ** -141);
    const report = checkAccuracy(actual, { values: Float64Array.of(exact), magnitudes: Float64Array.of(exact) }, { k: 1 });
    expect(report.failureCount).toBe(0);
  });

  const reference = { values: Float64Array.of(1, NaN, Infinity, 2, 5e38), magnitudes: Float64Array.of(1, 1, Infinity, 2, 6e38) };

  it('accepts float32 rounding of the exact value, and overflow where the magnitude leaves float32 range', () => {
    const actual = Float32Array.of(1, NaN, Infinity, 2, Infinity);
    const report = checkAccuracy(actual, reference, { k: 2 });
    expect(report.failureCount).toBe(0);
  });

  it('rejects an error above the bound, a NaN mismatch and a wrong infinity', () => {
    const actual = Float32Array.of(1 + 1e-3, 0, -Infinity, 2, Infinity);
    const report = checkAccuracy(actual, reference, { k: 2 });
    expect(report.failures.map((f) => [f.index, f.reason])).toEqual([
      [0, 'value'],
      [1, 'nan'],
      [2, 'infinity'],
    ]);
    expect(report.worstRatio).toBeGreaterThan(1000);
  });
});

describe('describeAccuracy messages', () => {
  it('says what was expected for NaN and infinite expectations instead of "± NaN"', () => {
    const message = describeAccuracy({
      elements: 3,
      failureCount: 3,
      worstRatio: Infinity,
      failures: [
        { index: 0, actual: 1, expected: NaN, bound: NaN, reason: 'nan' },
        { index: 1, actual: -Infinity, expected: Infinity, bound: Infinity, reason: 'infinity' },
        { index: 2, actual: 2, expected: 1, bound: 1e-7, reason: 'value' },
      ],
    } as never);
    expect(message).toContain('#0: got 1, expected NaN (nan)');
    expect(message).toContain('#1: got -Infinity, expected +Infinity (infinity)');
    expect(message).toContain('#2: got 2, expected 1 ± 1.00e-7 (value)');
    expect(message).not.toMatch(/± NaN|± Infinity/);
  });
});
