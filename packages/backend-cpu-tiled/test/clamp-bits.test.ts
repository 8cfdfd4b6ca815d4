import { applyActivation, normalizeActivation } from '@pointwise/core';
import { describe, expect, it } from 'vitest';
import { clampFloat32Bits, clampFloat32BitsAtZero, nonNegativeClampBits } from '../src/clamp-bits.js';

const float32 = new Float32Array(1);
const bits = new Int32Array(float32.buffer);

/** Special bit patterns (NaNs with payloads and either sign, ±Inf, ±0, subnormals, bounds) and a spread of values. */
function samplePatterns(): number[] {
  const patterns = [0x7fc00000, 0x7f800001, 0x7fffffff, 0xffc00000 | 0, 0xff800001 | 0, 0xffffffff | 0, 0x7f800000, 0xff800000 | 0,
    0, 0x80000000 | 0, 1, 0x80000001 | 0, 0x007fffff, 0x807fffff | 0, 0x7f7fffff, 0xff7fffff | 0];
  for (const v of [0.5, 2, 6, Math.fround(6 + 1e-6), -6, 1e-30, -1e-30, 3.4e38, -3.4e38]) {
    float32[0] = v;
    patterns.push(bits[0]);
  }
  let state = 12345;
  for (let i = 0; i < 2000; i++) {
    state = (Math.imul(state, 1103515245) + 12345) | 0;
    patterns.push(state);
  }
  return patterns;
}

function expected(pattern: number, activation: ReturnType<typeof normalizeActivation>): number {
  bits[0] = pattern;
  const v = float32[0];
  if (Number.isNaN(v)) return pattern; // NaN passes through bit for bit
  float32[0] = applyActivation(v, activation);
  return bits[0] === (0x80000000 | 0) ? 0 : bits[0]; // −0 may come out as +0
}

describe('clampFloat32Bits', () => {
  const activations = [normalizeActivation('relu'), normalizeActivation('relu6'), normalizeActivation({ type: 'clamp', min: 0.5, max: 2 }),
    normalizeActivation({ type: 'clamp', min: 0, max: 0 })];
  for (const activation of activations) {
    it(`matches the float clamp on every bit pattern class for ${JSON.stringify(activation)}`, () => {
      const bounds = nonNegativeClampBits(activation);
      expect(bounds).not.toBeNull();
      const { low, high } = bounds!;
      for (const pattern of samplePatterns()) {
        const want = expected(pattern, activation);
        const got = clampFloat32Bits(pattern, low, high);
        expect(got === (0x80000000 | 0) ? 0 : got, `pattern 0x${(pattern >>> 0).toString(16)}`).toBe(want);
        if (low === 0) expect(clampFloat32BitsAtZero(pattern, high), `pattern 0x${(pattern >>> 0).toString(16)}`).toBe(got);
      }
    });
  }

  it('declines clamps it cannot apply exactly', () => {
    expect(nonNegativeClampBits(normalizeActivation('none'))).toBeNull();
    expect(nonNegativeClampBits(normalizeActivation({ type: 'clamp', min: -0.2, max: 0.3 }))).toBeNull();
    expect(nonNegativeClampBits(normalizeActivation({ type: 'clamp', min: 0.1, max: 1 }))).toBeNull();
    expect(nonNegativeClampBits(normalizeActivation('relu6'))).toEqual({ low: 0, high: 0x40c00000 });
  });
});
