import { FLOAT32_MIN_NORMAL } from '@pointwise/core';

/**
 * The IEEE-754 values a backend must carry exactly as the reference does
 * (README “Accuracy”): NaN, ±Infinity, −0 and a positive and a negative
 * float32 subnormal (below {@link FLOAT32_MIN_NORMAL}, so an engine that
 * flushes subnormals shows it).
 */
export const SPECIAL_VALUES: readonly number[] = [NaN, Infinity, -Infinity, -0, FLOAT32_MIN_NORMAL / 8, -FLOAT32_MIN_NORMAL / 3];

/**
 * A copy of `data` with {@link SPECIAL_VALUES} written, in turn, at every
 * `every`-th position starting at 0 (positions 0, every, 2·every, … get
 * NaN, +Inf, −Inf, −0, the subnormals, then NaN again). `data` is not modified.
 *
 * @param every spacing of the special positions, a positive integer.
 * @throws {RangeError} when `every` is not a positive integer.
 */
export function withSpecialValues(data: Float32Array, every: number): Float32Array {
  if (!Number.isSafeInteger(every) || every < 1) throw new RangeError(`every: expected a positive integer, received ${every}`);
  const out = data.slice();
  for (let i = 0, j = 0; i < out.length; i += every, j++) out[i] = SPECIAL_VALUES[j % SPECIAL_VALUES.length];
  return out;
}
