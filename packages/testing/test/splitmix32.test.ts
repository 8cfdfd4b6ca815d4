import { describe, expect, it } from 'vitest';
import { SplitMix32 } from '../src/index.js';

/** SplitMix32 in BigInt arithmetic (mod 2³²), written from the published mixing steps. */
function splitMixBigInt(seed: number, count: number): number[] {
  const mask = 2n ** 32n - 1n;
  let state = BigInt(seed >>> 0);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    state = (state + 0x9e3779b9n) & mask;
    let z = state;
    z = ((z ^ (z >> 16n)) * 0x85ebca6bn) & mask;
    z = ((z ^ (z >> 13n)) * 0xc2b2ae35n) & mask;
    out.push(Number(z ^ (z >> 16n)));
  }
  return out;
}

describe('SplitMix32', () => {
  it('matches an exact-integer implementation of the mixing function', () => {
    for (const seed of [0, 1, 0x5eed, 2 ** 32 - 1]) {
      const prng = new SplitMix32(seed);
      expect(Array.from({ length: 200 }, () => prng.nextUint32())).toEqual(splitMixBigInt(seed, 200));
    }
  });

  it('maps to the documented ranges', () => {
    const prng = new SplitMix32(9);
    for (let i = 0; i < 2000; i++) {
      const u = prng.uniform(-2, 3);
      expect(u >= -2 && u < 3).toBe(true);
      const k = prng.int(-3, 3);
      expect(Number.isInteger(k) && k >= -3 && k <= 3).toBe(true);
    }
    const filled = new SplitMix32(1).fill(1000, 0, 1);
    const again = new SplitMix32(1);
    expect([...filled]).toEqual(Array.from({ length: 1000 }, () => Math.fround(again.uniform(0, 1))));
  });
});
