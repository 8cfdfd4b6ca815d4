import { checkAccuracy, describeAccuracy, normalizeConv1x1, referenceConv1x1, type Activation, type Layout } from '@pointwise/core';
import { SplitMix32 } from '@pointwise/testing';
import { describe, expect, it } from 'vitest';
import { naiveConv1x1 } from './naive-kernel.js';

interface Case {
  readonly shape: [number, number, number, number];
  readonly co: number;
  readonly groups?: number;
  readonly stride?: number | [number, number];
  readonly padding?: number | [number, number, number, number];
  readonly activation?: Activation;
  readonly bias: boolean;
  readonly inputLayout: Layout;
  readonly outputLayout: Layout;
}

const CASES: Case[] = [
  { shape: [1, 5, 3, 4], co: 7, bias: true, inputLayout: 'NCHW', outputLayout: 'NCHW' },
  { shape: [2, 6, 5, 5], co: 4, groups: 2, stride: 2, bias: false, inputLayout: 'NHWC', outputLayout: 'NHWC' },
  { shape: [1, 8, 4, 6], co: 8, groups: 8, padding: [1, 0, 2, 1], activation: 'relu6', bias: true, inputLayout: 'NCHW', outputLayout: 'NHWC' },
  { shape: [3, 3, 7, 2], co: 5, stride: [2, 1], activation: { type: 'clamp', min: -0.25, max: 0.5 }, bias: true, inputLayout: 'NHWC', outputLayout: 'NCHW' },
];

describe('naiveConv1x1', () => {
  it.each(CASES.map((c, i) => [i, c] as const))('matches the float64 reference within the §5 bound (case %i)', (i, c) => {
    const random = new SplitMix32(100 + i);
    const [n, ci, h, w] = c.shape;
    const k = ci / (c.groups ?? 1);
    const x = random.fill(n * ci * h * w, -1, 1);
    const weights = random.fill(c.co * k, -1, 1);
    const bias = c.bias ? random.fill(c.co, -1, 1) : null;
    const { geometry } = normalizeConv1x1({
      inputShape: c.shape,
      inputLayout: c.inputLayout,
      outputLayout: c.outputLayout,
      weights: { data: weights, shape: [c.co, k] },
      bias,
      groups: c.groups,
      stride: c.stride,
      padding: c.padding,
      activation: c.activation,
    });
    const out = new Float32Array(geometry.outputShape.reduce((a, b) => a * b, 1)).fill(Number.NaN);
    naiveConv1x1(geometry, x, weights, bias, out);
    const report = checkAccuracy(out, referenceConv1x1(geometry, x, weights, bias), { k });
    expect(report.failureCount, describeAccuracy(report)).toBe(0);
  });

  it('computes a closed-form case: all-ones input and weights give K + bias', () => {
    const { geometry } = normalizeConv1x1({
      inputShape: [1, 4, 2, 2],
      weights: { data: new Float32Array(12).fill(1), shape: [3, 4] },
      bias: new Float32Array([0, 1, -10]),
      activation: 'relu',
    });
    const out = new Float32Array(12);
    naiveConv1x1(geometry, new Float32Array(16).fill(1), new Float32Array(12).fill(1), new Float32Array([0, 1, -10]), out);
    expect([...out]).toEqual([4, 4, 4, 4, 5, 5, 5, 5, 0, 0, 0, 0]);
  });
});
