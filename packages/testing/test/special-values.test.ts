import { FLOAT32_MIN_NORMAL } from '@pointwise/core';
import { describe, expect, it } from 'vitest';
import { SPECIAL_VALUES, withSpecialValues } from '../src/index.js';

describe('special values', () => {
  it('lists NaN, ±Inf, −0 and float32 subnormals of both signs', () => {
    expect(SPECIAL_VALUES.some(Number.isNaN)).toBe(true);
    expect(SPECIAL_VALUES).toContain(Infinity);
    expect(SPECIAL_VALUES).toContain(-Infinity);
    expect(SPECIAL_VALUES.some((v) => Object.is(v, -0))).toBe(true);
    const subnormals = SPECIAL_VALUES.filter((v) => v !== 0 && Math.abs(v) < FLOAT32_MIN_NORMAL);
    expect(subnormals.map(Math.sign).sort()).toEqual([-1, 1]);
    for (const v of subnormals) expect(Math.fround(v)).not.toBe(0);
  });

  it('writes them in turn every n-th position of a copy', () => {
    const data = new Float32Array(20).fill(1);
    const out = withSpecialValues(data, 3);
    expect(data.every((v) => v === 1)).toBe(true);
    for (let i = 0; i < 20; i++) {
      const expected = i % 3 === 0 ? Math.fround(SPECIAL_VALUES[(i / 3) % SPECIAL_VALUES.length]) : 1;
      expect(Object.is(out[i], expected)).toBe(true);
    }
    expect(() => withSpecialValues(data, 0)).toThrow(RangeError);
  });
});
