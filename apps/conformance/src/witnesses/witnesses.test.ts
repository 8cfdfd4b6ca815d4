import { checkAccuracy, createTensor, describeAccuracy, normalizeConv1x1, referenceConv1x1, type Conv1x1Params, type Layout } from '@pointwise/core';
import { describe, expect, it } from 'vitest';
import { buildOnnxConvModel, onnxConv1x1 } from './onnx-conv.js';
import { onnxModelType } from './onnx-schema.js';
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

describe('ONNX Runtime runs the fused activation as a Clip node', () => {
  const x = createTensor(Float32Array.from({ length: 2 * 4 * 3 * 3 }, (_, i) => 4 * Math.sin(0.7 * i)), [2, 4, 3, 3]);
  const base: Conv1x1Params = {
    weights: { data: Float32Array.from({ length: 5 * 4 }, (_, i) => Math.cos(0.9 * i)), shape: [5, 4] },
    bias: Float32Array.from({ length: 5 }, (_, i) => i - 2),
  };

  function opTypes(params: Conv1x1Params, options?: { clip?: boolean }): string[] {
    const { geometry, weights, bias } = normalizeConv1x1({ ...params, inputShape: x.shape });
    const model = onnxModelType().decode(buildOnnxConvModel(geometry, weights, bias, options)) as unknown as { graph: { node: { op_type: string }[] } };
    return model.graph.node.map((n) => n.op_type);
  }

  it('appends Clip only when there is an activation to fuse', () => {
    expect(opTypes({ ...base, activation: 'relu6' })).toEqual(['Conv', 'Clip']);
    expect(opTypes({ ...base, activation: { type: 'clamp', min: -1, max: 0.5 } })).toEqual(['Conv', 'Clip']);
    expect(opTypes({ ...base, activation: 'relu6' }, { clip: false })).toEqual(['Conv']);
    expect(opTypes(base)).toEqual(['Conv']);
  });

  it.each([
    ['relu6', 'relu6' as const],
    ['relu', 'relu' as const],
    ['clamp [−1.5, 0.25]', { type: 'clamp' as const, min: -1.5, max: 0.25 }],
  ])('%s matches the reference, clamped values exactly', async (_label, activation) => {
    const p: Conv1x1Params = { ...base, activation };
    const { geometry, weights, bias } = normalizeConv1x1({ ...p, inputShape: x.shape });
    const reference = referenceConv1x1(geometry, x.data, weights, bias);
    const y = await onnxConv1x1(x, p);
    const report = checkAccuracy(y.data, reference, { k: geometry.inChannelsPerGroup });
    expect(report.failureCount, describeAccuracy(report)).toBe(0);
    const { min, max } = geometry.activation;
    // The reference is clamped too: where it sits on a bound, ORT's output must be that bound exactly.
    const onBound = [...reference.values.keys()].filter((i) => reference.values[i] === min || reference.values[i] === max);
    expect(onBound.length).toBeGreaterThan(0);
    expect(onBound.filter((i) => y.data[i] !== reference.values[i])).toEqual([]);
  });

  it('keeps NaN and clamps ±Inf like core', async () => {
    const special = createTensor(Float32Array.of(NaN, Infinity, -Infinity, 3), [1, 1, 1, 4]);
    const y = await onnxConv1x1(special, { weights: { data: Float32Array.of(1), shape: [1, 1] }, activation: { type: 'clamp', min: -0.5, max: 0.75 } });
    expect([...y.data]).toEqual([NaN, 0.75, -0.5, 0.75]);
  });
});
