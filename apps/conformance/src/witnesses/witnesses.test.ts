import { checkAccuracy, createTensor, describeAccuracy, normalizeConv1x1, referenceConv1x1, type Conv1x1Params, type Layout } from '@pointwise/core';
import { describe, expect, it } from 'vitest';
import { onnxConv1x1 } from './onnx-conv.js';
import { tfjsConv1x1, tfjsConvUnsupportedReason } from './tfjs-conv.js';

const N = 2;
const CI = 6;
const H = 5;
const W = 7;

function input(layout: Layout) {
  return createTensor(Float32Array.from({ length: N * CI * H * W }, (_, i) => Math.sin(i)), [N, CI, H, W], layout);
}

function params(groups: number, co: number, outputLayout: Layout): Conv1x1Params {
  return {
    weights: { data: Float32Array.from({ length: (co * CI) / groups }, (_, i) => Math.cos(1.3 * i)), shape: [co, CI / groups] },
    bias: Float32Array.from({ length: co }, (_, i) => 0.1 * i - 0.4),
    stride: [2, 3],
    padding: [1, 0, 2, 3],
    groups,
    activation: 'relu6',
    outputLayout,
  };
}

describe.each([
  { groups: 1, co: 9 },
  { groups: 3, co: 9 },
  { groups: CI, co: 12 },
])('witnesses agree with the reference (groups $groups, Co $co)', ({ groups, co }) => {
  it.each(['NCHW', 'NHWC'] as const)('%s in, NHWC and NCHW out', async (layout) => {
    for (const outputLayout of ['NCHW', 'NHWC'] as const) {
      const x = input(layout);
      const p = params(groups, co, outputLayout);
      const { geometry, weights, bias } = normalizeConv1x1({ ...p, inputShape: x.shape, inputLayout: layout });
      const reference = referenceConv1x1(geometry, x.data, weights, bias);
      const ort = await onnxConv1x1(x, p);
      expect(ort.layout).toBe(outputLayout);
      const ortReport = checkAccuracy(ort.data, reference, { k: geometry.inChannelsPerGroup });
      expect(ortReport.failureCount, describeAccuracy(ortReport)).toBe(0);
      if (tfjsConvUnsupportedReason(geometry) === null) {
        const tf = await tfjsConv1x1(x, p);
        const tfReport = checkAccuracy(tf.data, reference, { k: geometry.inChannelsPerGroup });
        expect(tfReport.failureCount, describeAccuracy(tfReport)).toBe(0);
      }
    }
  });
});

describe('witness limits', () => {
  it('TF.js declines groups other than 1 and Ci', () => {
    const { geometry } = normalizeConv1x1({ ...params(3, 9, 'NCHW'), inputShape: [1, CI, 2, 2] });
    expect(tfjsConvUnsupportedReason(geometry)).toMatch(/groups = 3/);
  });

  it('padded cells hold act(bias) in ONNX Runtime too', async () => {
    const x = createTensor(new Float32Array([5]), [1, 1, 1, 1]);
    const y = await onnxConv1x1(x, { weights: { data: new Float32Array([2]), shape: [1, 1] }, bias: new Float32Array([-7]), padding: 1, activation: 'relu6' });
    // 3×3 output: the centre is relu6(2·5 − 7) = 3, the border relu6(−7) = 0.
    expect(Array.from(y.data)).toEqual([0, 0, 0, 0, 3, 0, 0, 0, 0]);
  });
});
