import { describe, expect, it } from 'vitest';
import { seededValues } from '../src/index.js';

/** The same LCG in exact BigInt arithmetic, as an independent check of the 32-bit wrap-around. */
function lcgBigInt(length: number, seed: number): number[] {
  const values: number[] = [];
  let state = BigInt(seed >>> 0);
  for (let i = 0; i < length; i++) {
    state = (state * 1664525n + 1013904223n) % 2n ** 32n;
    values.push(Math.fround(Number(state) / 2 ** 31 - 1));
  }
  return values;
}

describe('seededValues', () => {
  it('is the Numerical Recipes LCG mapped to [−1, 1)', () => {
    expect(seededValues(1, 0)[0]).toBe(Math.fround(1013904223 / 2 ** 31 - 1));
    for (const seed of [0, 1, 7, 2 ** 32 - 1, -5]) expect([...seededValues(500, seed)]).toEqual(lcgBigInt(500, seed));
  });

  it('stays in [−1, 1), differs between seeds and repeats for the same seed', () => {
    const a = seededValues(10_000, 3);
    expect(a.every((v) => v >= -1 && v < 1)).toBe(true);
    expect(Math.min(...a)).toBeLessThan(-0.99);
    expect(Math.max(...a)).toBeGreaterThan(0.99);
    expect(seededValues(10_000, 3)).toEqual(a);
    expect(seededValues(10_000, 4)).not.toEqual(a);
    expect(seededValues(0, 3)).toHaveLength(0);
  });
});
