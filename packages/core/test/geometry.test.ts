import { describe, expect, it } from 'vitest';
import { normalizeConv1x1, sourceIndex } from '../src/index.js';

const weights = (co: number, k: number) => ({ data: new Float32Array(co * k), shape: [co, k] });

describe('normalizeConv1x1: output size (PyTorch conv2d, kernel 1)', () => {
  it('stride 2 on odd sizes rounds down: H = 7 → Ho = 4, W = 5 → Wo = 3', () => {
    const { geometry } = normalizeConv1x1({ inputShape: [1, 3, 7, 5], weights: weights(4, 3), stride: 2 });
    expect(geometry.outputShape).toEqual([1, 4, 4, 3]);
  });

  it('separate strides [sH, sW]', () => {
    const { geometry } = normalizeConv1x1({ inputShape: [2, 3, 9, 9], weights: weights(2, 3), stride: [3, 2] });
    expect(geometry.outputShape).toEqual([2, 2, 3, 5]);
    expect([geometry.strideH, geometry.strideW]).toEqual([3, 2]);
  });

  it('asymmetric padding [top, left, bottom, right] (ONNX pads order)', () => {
    const { geometry } = normalizeConv1x1({ inputShape: [1, 2, 4, 4], weights: weights(1, 2), padding: [1, 0, 2, 3] });
    expect(geometry.outputShape).toEqual([1, 1, 7, 7]);
    expect([geometry.padTop, geometry.padLeft, geometry.padBottom, geometry.padRight]).toEqual([1, 0, 2, 3]);
  });

  it('padding [pH, pW] pads both sides (PyTorch)', () => {
    const { geometry } = normalizeConv1x1({ inputShape: [1, 2, 4, 5], weights: weights(1, 2), padding: [1, 2] });
    expect(geometry.outputShape).toEqual([1, 1, 6, 9]);
  });

  it('padding with stride: floor((H + pT + pB − 1)/s) + 1', () => {
    const { geometry } = normalizeConv1x1({ inputShape: [1, 1, 5, 6], weights: weights(1, 1), padding: 1, stride: 2 });
    // (5 + 2 − 1)/2 + 1 = 4; (6 + 2 − 1)/2 + 1 = 4 (floor of 3.5 is 3)
    expect(geometry.outputShape).toEqual([1, 1, 4, 4]);
  });

  it('stride larger than the input gives one output pixel', () => {
    const { geometry } = normalizeConv1x1({ inputShape: [1, 1, 3, 3], weights: weights(1, 1), stride: 8 });
    expect(geometry.outputShape).toEqual([1, 1, 1, 1]);
  });

  it('groups: K = Ci/g, weights [Co, Ci/g], FLOPs = 2·N·Co·K·Ho·Wo', () => {
    const { geometry } = normalizeConv1x1({ inputShape: [2, 12, 5, 5], weights: weights(8, 3), groups: 4 });
    expect(geometry.inChannelsPerGroup).toBe(3);
    expect(geometry.outChannelsPerGroup).toBe(2);
    expect(geometry.flops).toBe(2 * 2 * 8 * 3 * 5 * 5);
  });

  it('accepts PyTorch weights [Co, Ci/g, 1, 1]; dilation is accepted and has no effect', () => {
    const { geometry } = normalizeConv1x1({
      inputShape: [1, 4, 3, 3],
      weights: { data: new Float32Array(8), shape: [2, 4, 1, 1] },
      dilation: [2, 3],
    });
    expect(geometry.outputShape).toEqual([1, 2, 3, 3]);
    expect([geometry.dilationH, geometry.dilationW]).toEqual([2, 3]);
  });

  it('output layout defaults to the input layout and can differ', () => {
    const a = normalizeConv1x1({ inputShape: [1, 2, 2, 2], inputLayout: 'NHWC', weights: weights(2, 2) }).geometry;
    expect(a.outputLayout).toBe('NHWC');
    const b = normalizeConv1x1({ inputShape: [1, 2, 2, 2], inputLayout: 'NHWC', outputLayout: 'NCHW', weights: weights(2, 2) }).geometry;
    expect(b.outputLayout).toBe('NCHW');
  });

  it('N = 0 is a valid empty batch with zero FLOPs', () => {
    const { geometry } = normalizeConv1x1({ inputShape: [0, 3, 4, 4], weights: weights(2, 3) });
    expect(geometry.outputShape).toEqual([0, 2, 4, 4]);
    expect(geometry.flops).toBe(0);
  });

  it('activations normalise to clamp bounds', () => {
    const act = (activation: Parameters<typeof normalizeConv1x1>[0]['activation']) =>
      normalizeConv1x1({ inputShape: [1, 1, 1, 1], weights: weights(1, 1), activation }).geometry.activation;
    expect(act(undefined)).toEqual({ kind: 'none', min: -Infinity, max: Infinity });
    expect(act('relu')).toEqual({ kind: 'relu', min: 0, max: Infinity });
    expect(act('relu6')).toEqual({ kind: 'relu6', min: 0, max: 6 });
    expect(act({ type: 'clamp', min: -1, max: 2 })).toEqual({ kind: 'clamp', min: -1, max: 2 });
  });
});

describe('sourceIndex', () => {
  it('maps output to input index, −1 inside the padding', () => {
    // H = 3, pad 1, stride 2: outputs 0..2 read −1 (pad), 1, 3 (pad) → −1, 1, −1
    expect([0, 1, 2].map((i) => sourceIndex(i, 2, 1, 3))).toEqual([-1, 1, -1]);
    expect([0, 1, 2].map((i) => sourceIndex(i, 1, 0, 3))).toEqual([0, 1, 2]);
  });
});
