/**
 * Summary statistics of timing samples. Times are in milliseconds throughout
 * the harness; the functions here are unit-agnostic.
 */

/** Median, spread and count of a set of samples. */
export interface SampleSummary {
  /** Number of samples. */
  readonly count: number;
  /** 50th percentile. */
  readonly median: number;
  /** 10th percentile (linear interpolation between order statistics). */
  readonly p10: number;
  /** 90th percentile (linear interpolation between order statistics). */
  readonly p90: number;
  readonly min: number;
  readonly max: number;
  /** Arithmetic mean. */
  readonly mean: number;
}

/**
 * The `q`-quantile of already sorted values, by linear interpolation between
 * the two nearest order statistics at position `q·(n − 1)` (the "type 7"
 * definition of Hyndman & Fan 1996, R's and NumPy's default).
 *
 * @param sorted values in ascending order, at least one.
 * @param q quantile in `[0, 1]`.
 * @throws {RangeError} for an empty array or `q` outside `[0, 1]`.
 */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of an empty sample');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: expected q in [0, 1], received ${q}`);
  const position = q * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, sorted.length - 1);
  const fraction = position - lower;
  return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction;
}

/**
 * Median, p10/p90, min/max and mean of `samples` (not modified).
 * @throws {RangeError} for an empty array.
 */
export function summarize(samples: readonly number[]): SampleSummary {
  if (samples.length === 0) throw new RangeError('summary of an empty sample');
  const sorted = [...samples].sort((a, b) => a - b);
  let total = 0;
  for (const s of sorted) total += s;
  return {
    count: sorted.length,
    median: quantileSorted(sorted, 0.5),
    p10: quantileSorted(sorted, 0.1),
    p90: quantileSorted(sorted, 0.9),
    min: sorted[0],
    max: sorted[sorted.length - 1],
    mean: total / sorted.length,
  };
}

/**
 * Throughput in GFLOP/s for `flops` floating-point operations done in
 * `milliseconds` (`flops / (ms · 10⁶)`).
 */
export function gflops(flops: number, milliseconds: number): number {
  return flops / (milliseconds * 1e6);
}
