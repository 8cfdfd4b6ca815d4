import { normalizeConv1x1 } from '@pointwise/core';
import { describe, expect, it } from 'vitest';
import { OPTION_MATRIX, optionCombinations } from '../src/index.js';

describe('the option matrix', () => {
  it('crosses every option: 4 × 3 × 3 × 2 × 2 × 4 = 576 distinct combinations, layout pair outermost', () => {
    const all = optionCombinations();
    expect(all).toHaveLength(576);
    expect(new Set(all.map((c) => JSON.stringify(c))).size).toBe(576);
    expect(all.slice(0, 144).every((c) => c.inputLayout === 'NCHW' && c.outputLayout === 'NCHW')).toBe(true);
    expect(all.slice(432).every((c) => c.inputLayout === 'NHWC' && c.outputLayout === 'NCHW')).toBe(true);
  });

  it('is valid for core on its shape (every group count divides Ci and Co)', () => {
    const { inputShape, outChannels } = OPTION_MATRIX;
    for (const c of optionCombinations()) {
      const k = inputShape[1] / c.groups;
      const { geometry } = normalizeConv1x1({
        ...c,
        inputShape,
        weights: { data: new Float32Array(outChannels * k), shape: [outChannels, k] },
        bias: c.bias ? new Float32Array(outChannels) : null,
      });
      expect(geometry.outChannels).toBe(outChannels);
    }
  });
});
