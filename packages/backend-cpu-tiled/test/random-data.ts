/**
 * Deterministic values in [−1, 1) from a linear congruential generator
 * (Numerical Recipes constants), so tests and benchmarks see the same data on every run.
 */
export function randomData(length: number, seed: number): Float32Array {
  const data = new Float32Array(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    data[i] = state / 2 ** 31 - 1;
  }
  return data;
}
