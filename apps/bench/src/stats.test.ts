import { describe, expect, it } from 'vitest';
import { gflops, quantileSorted, summarize } from './stats.js';

describe('quantileSorted', () => {
  it('interpolates linearly between order statistics (type 7)', () => {
    const values = [10, 20, 30, 40, 50];
    expect(quantileSorted(values, 0)).toBe(10);
    expect(quantileSorted(values, 1)).toBe(50);
    expect(quantileSorted(values, 0.5)).toBe(30);
    // position 0.1·4 = 0.4 → 10 + 0.4·10
    expect(quantileSorted(values, 0.1)).toBeCloseTo(14, 12);
    // position 0.9·4 = 3.6 → 40 + 0.6·10
    expect(quantileSorted(values, 0.9)).toBeCloseTo(46, 12);
  });

  it('matches numpy.percentile on an even-sized sample', () => {
    // numpy.percentile([1, 2, 4, 8], [10, 50, 90]) = [1.3, 3.0, 6.8]
    const values = [1, 2, 4, 8];
    expect(quantileSorted(values, 0.1)).toBeCloseTo(1.3, 12);
    expect(quantileSorted(values, 0.5)).toBeCloseTo(3, 12);
    expect(quantileSorted(values, 0.9)).toBeCloseTo(6.8, 12);
  });

  it('rejects an empty sample and a quantile outside [0, 1]', () => {
    expect(() => quantileSorted([], 0.5)).toThrow(RangeError);
    expect(() => quantileSorted([1], 1.5)).toThrow(RangeError);
    expect(() => quantileSorted([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('sorts a copy and reports median, spread, extremes and mean', () => {
    const samples = [5, 1, 4, 2, 3];
    const summary = summarize(samples);
    expect(samples).toEqual([5, 1, 4, 2, 3]);
    expect(summary).toEqual({ count: 5, median: 3, p10: 1.4, p90: 4.6, min: 1, max: 5, mean: 3 });
  });

  it('handles a single sample', () => {
    expect(summarize([7])).toEqual({ count: 1, median: 7, p10: 7, p90: 7, min: 7, max: 7, mean: 7 });
  });

  it('rejects an empty sample', () => {
    expect(() => summarize([])).toThrow(RangeError);
  });
});

describe('gflops', () => {
  it('divides FLOPs by time: the seed layer (3.29 GFLOP) in 1 s is 3.29 GFLOP/s', () => {
    const flops = 2 * 1024 * 512 * 56 * 56;
    expect(gflops(flops, 1000)).toBeCloseTo(3.288334336, 9);
    expect(gflops(2e9, 500)).toBe(4);
  });
});
