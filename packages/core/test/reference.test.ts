import { describe, expect, it } from 'vitest';
import {
  BackendRegistry,
  ReferenceBackend,
  convertLayout,
  createTensor,
  prepareConv1x1,
  referenceConv1x1,
  normalizeConv1x1,
  type Conv1x1Problem,
  type Tensor,
} from '../src/index.js';

const registry = new BackendRegistry();
registry.register('reference', () => new ReferenceBackend());

async function run(problem: Omit<Conv1x1Problem, 'inputShape' | 'inputLayout'>, x: Tensor): Promise<Tensor> {
  const op = await prepareConv1x1({ ...problem, inputShape: x.shape, inputLayout: x.layout }, { registry, backend: 'reference' });
  expect(op.backend).toBe('reference');
  return op.run(x);
}

// x: C = 2, H = W = 2; channel 0 = [1, 2, 3, 4], channel 1 = [5, 6, 7, 8] (NCHW)
const x = createTensor(Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8), [1, 2, 2, 2]);
// y0 = x0 + x1; y1 = x0 − x1 + 10; y2 = 0.5·x0 + 2·x1 − 1
const weights = { data: Float32Array.of(1, 1, 1, -1, 0.5, 2), shape: [3, 2] };
const bias = Float32Array.of(0, 10, -1);
const expectedNCHW = [6, 8, 10, 12, 6, 6, 6, 6, 9.5, 12, 14.5, 17];

describe('reference backend on closed-form cases', () => {
  it('NCHW in, NCHW out', async () => {
    expect(Array.from((await run({ weights, bias }, x)).data)).toEqual(expectedNCHW);
  });

  it('NHWC in, NHWC out: same logical result, channels-last memory order', async () => {
    const y = await run({ weights, bias }, convertLayout(x, 'NHWC'));
    expect(y.layout).toBe('NHWC');
    // pixel-major: (y0, y1, y2) per pixel
    expect(Array.from(y.data)).toEqual([6, 6, 9.5, 8, 6, 12, 10, 6, 14.5, 12, 6, 17]);
  });

  it('mixed layouts: NHWC in, NCHW out', async () => {
    const y = await run({ weights, bias, outputLayout: 'NCHW' }, convertLayout(x, 'NHWC'));
    expect(Array.from(y.data)).toEqual(expectedNCHW);
  });

  it('padding borders hold activation(bias): relu6 and relu', async () => {
    const one = createTensor(Float32Array.of(2), [1, 1, 1, 1]);
    const w = { data: Float32Array.of(3), shape: [1, 1] };
    const a = await run({ weights: w, bias: Float32Array.of(1), padding: 1, activation: 'relu6' }, one);
    expect(Array.from(a.data)).toEqual([1, 1, 1, 1, 6, 1, 1, 1, 1]); // centre relu6(3·2 + 1) = 6
    const b = await run({ weights: w, bias: Float32Array.of(-2), padding: [0, 1, 0, 2], activation: 'relu' }, one);
    expect(Array.from(b.data)).toEqual([0, 4, 0, 0]); // relu(−2) = 0 on the border, relu(6 − 2) = 4
  });

  it('stride 2 with asymmetric padding reads i·s − padTop', async () => {
    const img = createTensor(Float32Array.from({ length: 9 }, (_, i) => i + 1), [1, 1, 3, 3]);
    const y = await run({ weights: { data: Float32Array.of(1), shape: [1, 1] }, bias: Float32Array.of(0.5), padding: [1, 0, 0, 0], stride: 2 }, img);
    // rows: −1 (pad), 1; columns 0, 2 → [b, b, x(1,0) + b, x(1,2) + b]
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(y.data)).toEqual([0.5, 0.5, 4.5, 6.5]);
  });

  it('groups: each output channel reads only its group', async () => {
    const img = createTensor(Float32Array.of(1, 2, 3, 4), [1, 4, 1, 1]);
    const y = await run({ weights: { data: Float32Array.of(1, 2, 3, 4), shape: [2, 2] }, groups: 2 }, img);
    expect(Array.from(y.data)).toEqual([1 + 2 * 2, 3 * 3 + 4 * 4]);
  });

  it('depthwise 1×1 (groups = Ci = Co) scales each channel', async () => {
    const img = createTensor(Float32Array.of(1, -1, 2, -2, 3, -3), [1, 3, 1, 2]);
    const y = await run({ weights: { data: Float32Array.of(2, 3, 4), shape: [3, 1, 1, 1] }, groups: 3 }, img);
    expect(Array.from(y.data)).toEqual([2, -2, 6, -6, 12, -12]);
  });

  it('clamp activation', async () => {
    const y = await run({ weights, bias, activation: { type: 'clamp', min: 7, max: 11 } }, x);
    expect(Array.from(y.data)).toEqual(expectedNCHW.map((v) => Math.min(Math.max(v, 7), 11)));
  });

  it('N > 1: each image is convolved on its own', async () => {
    const two = createTensor(Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 10, 20, 30, 40, 50, 60, 70, 80), [2, 2, 2, 2]);
    const y = await run({ weights, bias }, two);
    expect(Array.from(y.data.subarray(0, 12))).toEqual(expectedNCHW);
    // second image is 10× the first: y0, y2 without bias scale by 10; y1 = 10·(x0 − x1) + 10
    expect(Array.from(y.data.subarray(12))).toEqual([60, 80, 100, 120, -30, -30, -30, -30, 104, 129, 154, 179]);
  });

  it('NaN and ±Inf propagate as in IEEE arithmetic', async () => {
    const img = createTensor(Float32Array.of(Number.NaN, Infinity, 1, 1, -Infinity, 2), [1, 2, 1, 3]);
    const w = { data: Float32Array.of(1, 0, 1, 1), shape: [2, 2] };
    const y = await run({ weights: w }, img);
    // y0 = x0 + 0·x1: NaN, Inf + 0·2 = Inf... pixel 2: 1 + 0·2 = 1; 0·(−Inf) = NaN at pixel 1
    // y0: [NaN + 0·1, Inf + 0·(−Inf), 1 + 0·2] = [NaN, NaN, 1]; y1: [NaN + 1, Inf − Inf, 1 + 2] = [NaN, NaN, 3]
    expect(Array.from(y.data)).toEqual([NaN, NaN, 1, NaN, NaN, 3]);
    const relu = await run({ weights: { data: Float32Array.of(1, 1), shape: [1, 2] }, activation: 'relu6' }, createTensor(Float32Array.of(Number.NaN, Infinity, -Infinity, 0, 0, 0), [1, 2, 1, 3]));
    expect(Array.from(relu.data)).toEqual([NaN, 6, 0]);
  });

  it('N = 0 gives an empty output of the right shape', async () => {
    const y = await run({ weights, bias }, createTensor(new Float32Array(0), [0, 2, 2, 2]));
    expect(y.shape).toEqual([0, 3, 2, 2]);
    expect(y.data.length).toBe(0);
  });

  it('writes into a given out tensor, runs synchronously, and leaves x unchanged', async () => {
    const op = await prepareConv1x1({ weights, bias, inputShape: x.shape }, { registry, backend: 'reference' });
    const out = createTensor(new Float32Array(12).fill(-1), [1, 3, 2, 2]);
    const before = x.data.slice();
    expect(op.runSync(x, out)).toBe(out);
    expect(Array.from(out.data)).toEqual(expectedNCHW);
    expect(x.data).toEqual(before);
  });

  it('weights changed after prepare do not change the operator', async () => {
    const w = { data: Float32Array.of(1, 1), shape: [1, 2] };
    const op = await prepareConv1x1({ weights: w, inputShape: [1, 2, 1, 1] }, { registry, backend: 'reference' });
    w.data[0] = 100;
    expect(Array.from((await op.run(createTensor(Float32Array.of(2, 3), [1, 2, 1, 1]))).data)).toEqual([5]);
  });

  it('magnitudes are |b| + Σ|w·x| (0 + |bias| in padded cells)', () => {
    const { geometry } = normalizeConv1x1({ inputShape: [1, 2, 1, 1], weights: { data: Float32Array.of(2, -3), shape: [1, 2] }, bias: Float32Array.of(-1), padding: [0, 1, 0, 0] });
    const r = referenceConv1x1(geometry, Float32Array.of(1, 1), Float32Array.of(2, -3), Float32Array.of(-1));
    expect(Array.from(r.values)).toEqual([-1, -2]);
    expect(Array.from(r.magnitudes)).toEqual([1, 6]);
  });
});
