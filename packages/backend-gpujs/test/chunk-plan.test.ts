import { normalizeConv1x1 } from '@pointwise/core';
import { describe, expect, it } from 'vitest';
import { outputGrid, planChunks, type TextureSizeRule } from '../src/chunk-plan.js';
import { makeProblem } from './helpers.js';

/** gpu.js 2.24's `utils.getKernelTextureSize` for single precision, restated for a test without gpu.js. */
const gpujsRule: TextureSizeRule = ([x, y, z]) => {
  const n = x * y * z;
  if (y > 1 && z === 1) return [x, y];
  let high = Math.ceil(Math.sqrt(n));
  let low = Math.floor(Math.sqrt(n));
  while (high * low < n) {
    high--;
    low = Math.ceil(n / high);
  }
  return [low, Math.ceil(n / low)];
};

function coverage(size: [number, number, number], maxTextureSize: number, maxChunkElements: number) {
  const plan = planChunks(size, { maxTextureSize, maxChunkElements }, gpujsRule);
  const hits = new Uint8Array(size[0] * size[1] * size[2]);
  for (const { origin, size: s } of plan.chunks) {
    expect(s[0] * s[1] * s[2]).toBeLessThanOrEqual(maxChunkElements);
    const [w, h] = gpujsRule(s);
    expect(Math.max(w, h)).toBeLessThanOrEqual(maxTextureSize);
    for (let z = 0; z < s[2]; z++)
      for (let y = 0; y < s[1]; y++)
        for (let x = 0; x < s[0]; x++) hits[((origin[2] + z) * size[1] + origin[1] + y) * size[0] + origin[0] + x]++;
  }
  return { plan, hits };
}

describe('planChunks', () => {
  it('keeps a grid that fits as one chunk', () => {
    const { plan } = coverage([56, 56, 64], 16384, 2 ** 20);
    expect(plan.chunks).toEqual([{ origin: [0, 0, 0], size: [56, 56, 64] }]);
  });

  it.each([
    [[56, 56, 1024], 16384, 2 ** 20],
    [[20000, 1, 4], 16384, 2 ** 20],
    [[20000, 3, 1], 16384, 2 ** 24],
    [[7, 9, 5], 4, 2 ** 20],
    [[13, 1, 1], 2, 3],
    [[1, 1, 1], 1, 1],
  ] as const)('covers %j exactly once within texture side %i and %i elements', (size, maxTex, maxElements) => {
    const { plan, hits } = coverage([...size], maxTex, maxElements);
    expect(hits.every((h) => h === 1)).toBe(true);
    const needsSplit = size[0] * size[1] * size[2] > maxElements || size[0] > maxTex;
    expect(plan.chunks.length > 1).toBe(needsSplit);
  });

  it('splits 56×56×1024 into 4 even chunks under the default 2²⁰-element bound', () => {
    const { plan } = coverage([56, 56, 1024], 16384, 2 ** 20);
    expect(plan.chunks).toHaveLength(4);
    expect(plan.chunkSize).toEqual([56, 56, 256]);
  });

  it('never makes an output row wider than the texture limit', () => {
    const { plan } = coverage([20000, 3, 1], 16384, 2 ** 24);
    expect(plan.chunkSize[0]).toBe(10000);
  });
});

describe('outputGrid', () => {
  it('puts the contiguous axis of each output layout along x', () => {
    const nchw = normalizeConv1x1(makeProblem([2, 4, 5, 6], 3, { stride: 2, outputLayout: 'NCHW' })).geometry;
    expect(outputGrid(nchw)).toEqual({ size: [3, 3, 3], strideY: 3, strideZ: 9, strideN: 27 });
    const nhwc = normalizeConv1x1(makeProblem([2, 4, 5, 6], 3, { outputLayout: 'NHWC' })).geometry;
    expect(outputGrid(nhwc)).toEqual({ size: [3, 6, 5], strideY: 3, strideZ: 18, strideN: 90 });
  });
});
