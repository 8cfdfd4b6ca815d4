/**
 * `length` deterministic float32 values uniform in `[−1, 1)`, from a 32-bit
 * linear congruential generator with the Numerical Recipes constants
 * (`s ← 1664525·s + 1013904223 mod 2³²`, value `s / 2³¹ − 1`). The same seed
 * gives the same values on every platform, so a failing test or a benchmark
 * replays exactly. Cheap enough for the 3.3-GFLOP seed layer's inputs.
 *
 * @param length number of values (≥ 0).
 * @param seed any number; only its low 32 bits are used.
 * @returns a new `Float32Array`.
 */
export function seededValues(length: number, seed: number): Float32Array {
  const data = new Float32Array(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    data[i] = state / 2 ** 31 - 1;
  }
  return data;
}
