/** Median and spread of repeated measurements, in milliseconds. */
export interface Timing {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly reps: number;
}

/** Summarises samples (ms). */
export function summarize(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted[sorted.length - 1], reps: sorted.length };
}

/**
 * Times two async contenders interleaved (A, B, A, B, …) after `warmup` calls
 * of each, so a burst of load from another process on the shared machine
 * hits both alike: at least `minReps` pairs and at least `minSeconds` in all.
 */
export async function timePair(
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
  minReps: number,
  minSeconds: number,
  warmup = 2,
): Promise<[Timing, Timing]> {
  for (let i = 0; i < warmup; i++) {
    await a();
    await b();
  }
  const sa: number[] = [];
  const sb: number[] = [];
  const start = performance.now();
  while (sa.length < minReps || performance.now() - start < minSeconds * 1000) {
    let t0 = performance.now();
    await a();
    sa.push(performance.now() - t0);
    t0 = performance.now();
    await b();
    sb.push(performance.now() - t0);
  }
  return [summarize(sa), summarize(sb)];
}
