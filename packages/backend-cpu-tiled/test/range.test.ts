import { InvalidArgumentError, type Layout } from '@pointwise/core';
import { describe, expect, it } from 'vitest';
import { fullOutputRange, kernelsForOptions, type BoundKernel, type OutputRange, type PlanOptions } from '../src/kernel.js';
import { packWeights } from '../src/pack-weights.js';
import { planConv1x1, type Conv1x1Plan } from '../src/plan.js';
import { makeCase, type CaseSpec } from './helpers.js';

/** Cuts `[0, size)` at the given points (sorted, deduplicated, inside the interval). */
function cuts(size: number, points: readonly number[]): [number, number][] {
  const bounds = [...new Set([0, ...points.filter((p) => p > 0 && p < size), size])].sort((a, b) => a - b);
  return bounds.slice(1).map((end, i) => [bounds[i], end]);
}

/** The scalar kernel the options name, prepared for `c` and bound (a fresh scratch per call). */
function scalar(c: ReturnType<typeof makeCase>, options: PlanOptions): { plan: Conv1x1Plan; bound: () => BoundKernel } {
  const kernel = kernelsForOptions({ kernel: 'js', ...options })[0];
  const setup = kernel.prepare({ geometry: c.geometry, weights: c.weights, bias: c.bias, threads: 1, shared: false, plan: options });
  return { plan: setup.plan, bound: () => kernel.bind(setup, 0) };
}

function assembleFromRanges(spec: CaseSpec, options: PlanOptions, channelCuts: number[], pixelCuts: number[]) {
  const c = makeCase(spec);
  const { plan, bound } = scalar(c, options);
  const full = new Float32Array(c.geometry.outputShape.reduce((a, b) => a * b));
  bound().runRange(fullOutputRange(plan), c.x, full);

  const assembled = new Float32Array(full.length).fill(NaN);
  const kernel = bound();
  const [n, co, ho, wo] = c.geometry.outputShape;
  const ranges: OutputRange[] = [];
  for (let b = 0; b < n; b++) {
    for (const [channelStart, channelEnd] of cuts(co, channelCuts)) {
      for (const [pixelStart, pixelEnd] of cuts(ho * wo, pixelCuts)) {
        ranges.push({ batchStart: b, batchEnd: b + 1, channelStart, channelEnd, pixelStart, pixelEnd });
      }
    }
  }
  // Run the pieces in reverse order, so no piece can rely on state left by its predecessor.
  for (const range of ranges.reverse()) kernel.runRange(range, c.x, assembled);
  return { full, assembled };
}

describe('runRange of the scalar kernels (the one driver)', () => {
  for (const [inputLayout, outputLayout] of [['NCHW', 'NCHW'], ['NHWC', 'NCHW'], ['NCHW', 'NHWC'], ['NHWC', 'NHWC']] as [Layout, Layout][]) {
    it(`disjoint ranges assemble a bit-identical output (${inputLayout} → ${outputLayout})`, () => {
      const common = { inputShape: [2, 40, 11, 13], inputLayout, outputLayout, outChannels: 30, groups: 2 } as const;
      const specs: CaseSpec[] = [
        // Padding cells in every block: the accumulator-block path.
        { ...common, stride: [1, 2], padding: [1, 2, 0, 1], activation: { type: 'clamp', min: -0.2, max: 0.3 } },
        // No padding: with K = 20 in one panel, the fused-store path (full tiles) next to edge tiles.
        { ...common, activation: { type: 'clamp', min: -0.2, max: 0.3 } },
        { ...common, stride: 2, seed: 7 },
      ];
      // Block-aligned cuts (multiples of mc = 8 or 9 and nc = 16) and unaligned ones, across the group boundary (15).
      for (const spec of specs) {
        for (const [channelCuts, pixelCuts] of [
          [[9, 18, 27], [16, 32, 48]],
          [[1, 7, 15, 22, 29], [3, 17, 18, 50, 83]],
        ]) {
          // kc = 7: K = 20 in three panels; default kc: one panel.
          for (const options of [{ mc: 8, nc: 16, kc: 7 }, { mc: 8, nc: 16 }, { microtile: '4x8', nc: 16 } as const]) {
            const { full, assembled } = assembleFromRanges(spec, options, channelCuts, pixelCuts);
            expect(assembled).toEqual(full);
          }
        }
      }
    });
  }

  it('writes exactly its range and nothing else', () => {
    const c = makeCase({ inputShape: [2, 5, 4, 6], outChannels: 7, padding: 1 });
    const { bound } = scalar(c, { mc: 4, nc: 8 });
    const [n, co, ho, wo] = c.geometry.outputShape;
    const out = new Float32Array(n * co * ho * wo).fill(7777);
    const range = { batchStart: 1, batchEnd: 2, channelStart: 2, channelEnd: 5, pixelStart: 5, pixelEnd: 30 };
    bound().runRange(range, c.x, out);
    for (let b = 0; b < n; b++) {
      for (let ch = 0; ch < co; ch++) {
        for (let p = 0; p < ho * wo; p++) {
          const inside = b === 1 && ch >= 2 && ch < 5 && p >= 5 && p < 30;
          expect(out[(b * co + ch) * ho * wo + p] !== 7777, `(${b}, ${ch}, ${p})`).toBe(inside);
        }
      }
    }
  });

  it('an empty range writes nothing; a range outside the output throws', () => {
    const c = makeCase({ inputShape: [1, 3, 2, 2], outChannels: 4 });
    const { plan, bound } = scalar(c, {});
    const kernel = bound();
    const out = new Float32Array(16).fill(5);
    const full = fullOutputRange(plan);
    kernel.runRange({ ...full, channelStart: 2, channelEnd: 2 }, c.x, out);
    expect(out).toEqual(new Float32Array(16).fill(5));
    expect(() => kernel.runRange({ ...full, pixelEnd: 5 }, c.x, out)).toThrow(InvalidArgumentError);
    expect(() => kernel.runRange({ ...full, channelStart: 3, channelEnd: 1 }, c.x, out)).toThrow(InvalidArgumentError);
    expect(() => kernel.runRange({ ...full, batchEnd: 1.5 }, c.x, out)).toThrow(InvalidArgumentError);
  });

  it('packs weights into a caller-provided (shared) buffer that gives the same result', () => {
    const c = makeCase({ inputShape: [1, 9, 3, 3], outChannels: 6 });
    const plan = planConv1x1(c.geometry, kernelsForOptions({ kernel: 'js' })[0]);
    const shared = new Float32Array(new SharedArrayBuffer(plan.packedLength * 4));
    expect(packWeights(plan, c.weights, c.bias, shared)).toBe(shared);
    expect(shared).toEqual(packWeights(plan, c.weights, c.bias));
    expect(() => packWeights(plan, c.weights, c.bias, new Float32Array(plan.packedLength - 1))).toThrow();
    expect(structuredClone(plan)).toEqual(plan);
  });
});
