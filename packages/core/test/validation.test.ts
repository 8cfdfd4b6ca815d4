import { describe, expect, it } from 'vitest';
import {
  AliasingError,
  BackendRegistry,
  InvalidArgumentError,
  InvalidTensorError,
  PointwiseError,
  ReferenceBackend,
  ShapeMismatchError,
  UnknownBackendError,
  conv1x1,
  createTensor,
  normalizeConv1x1,
  prepareConv1x1,
  type Conv1x1Problem,
} from '../src/index.js';

function registry(): BackendRegistry {
  const r = new BackendRegistry();
  r.register('reference', () => new ReferenceBackend());
  return r;
}

function problem(overrides: Partial<Conv1x1Problem> = {}): Conv1x1Problem {
  return {
    inputShape: [1, 4, 3, 3],
    weights: { data: Float32Array.from({ length: 8 }, (_, i) => i + 1), shape: [2, 4] },
    bias: Float32Array.of(0.5, -0.5),
    ...overrides,
  };
}

/** Runs `fn`, expects `errorClass`, and checks every typed array in `inputs` is unchanged. */
function expectRejected(errorClass: new (...args: never[]) => Error, inputs: Float32Array[], fn: () => unknown) {
  const before = inputs.map((a) => a.slice());
  expect(fn).toThrow(errorClass);
  inputs.forEach((a, i) => expect(a).toEqual(before[i]));
}

describe('validation: typed errors, inputs untouched', () => {
  const cases: Array<[string, Partial<Conv1x1Problem>, new (...args: never[]) => Error, RegExp]> = [
    ['groups not dividing Ci', { groups: 3, weights: { data: new Float32Array(2), shape: [2, 1] } }, InvalidArgumentError, /groups: expected a divisor of Ci = 4, received 3/],
    ['groups not dividing Co', { groups: 2, weights: { data: new Float32Array(6), shape: [3, 2] } }, InvalidArgumentError, /groups: expected a divisor of Co = 3/],
    ['groups < 1', { groups: 0 }, InvalidArgumentError, /groups: expected an integer ≥ 1, received 0/],
    ['fractional groups', { groups: 1.5 }, InvalidArgumentError, /groups/],
    ['stride < 1', { stride: 0 }, InvalidArgumentError, /stride: expected an integer ≥ 1, received 0/],
    ['fractional stride', { stride: [1, 1.5] }, InvalidArgumentError, /stride\[1\]/],
    ['negative padding', { padding: -1 }, InvalidArgumentError, /padding: expected an integer ≥ 0, received -1/],
    ['fractional padding', { padding: [0, 0, 0.5, 0] }, InvalidArgumentError, /padding\[2\] \(bottom\)/],
    ['padding of 3 values', { padding: [1, 1, 1] as unknown as number }, InvalidArgumentError, /padding/],
    ['dilation 0', { dilation: 0 }, InvalidArgumentError, /dilation/],
    ['NaN size', { inputShape: [1, Number.NaN, 3, 3] }, InvalidArgumentError, /inputShape\[1\] \(Ci\): expected an integer ≥ 1, received NaN/],
    ['negative batch', { inputShape: [-1, 4, 3, 3] }, InvalidArgumentError, /inputShape\[0\] \(N\)/],
    ['zero height', { inputShape: [1, 4, 0, 3] }, InvalidArgumentError, /inputShape\[2\] \(H\)/],
    ['infinite width', { inputShape: [1, 4, 3, Infinity] }, InvalidArgumentError, /inputShape\[3\] \(W\)/],
    ['unknown layout', { inputLayout: 'NWHC' as 'NCHW' }, InvalidArgumentError, /inputLayout: expected one of "NCHW", "NHWC", received "NWHC"/],
    ['unknown activation', { activation: 'gelu' as 'relu' }, InvalidArgumentError, /activation/],
    ['clamp with min > max', { activation: { type: 'clamp', min: 2, max: 1 } }, InvalidArgumentError, /activation.max/],
    ['weights [Co, Ci] with Ci ≠ input Ci', { weights: { data: new Float32Array(6), shape: [2, 3] } }, ShapeMismatchError, /weights.shape: expected shape \[2, 4\], received \[2, 3\]/],
    ['weights of rank 3', { weights: { data: new Float32Array(8), shape: [2, 4, 1] } }, ShapeMismatchError, /weights.shape/],
    ['weights [Co, K, 3, 3]', { weights: { data: new Float32Array(72), shape: [2, 4, 3, 3] } }, ShapeMismatchError, /weights.shape/],
    ['weights data length', { weights: { data: new Float32Array(7), shape: [2, 4] } }, InvalidTensorError, /weights.data: expected length 8/],
    ['weights not Float32Array', { weights: { data: new Float64Array(8) as unknown as Float32Array, shape: [2, 4] } }, InvalidTensorError, /weights.data: expected a Float32Array, received Float64Array/],
    ['bias length ≠ Co', { bias: new Float32Array(3) }, ShapeMismatchError, /bias: expected shape \[2\], received \[3\]/],
    ['misspelt option', { strides: 2 } as Partial<Conv1x1Problem>, InvalidArgumentError, /problem.strides: expected one of the known options \(inputShape, .*\), received "strides"/],
    ['bias not Float32Array', { bias: [1, 2] as unknown as Float32Array }, InvalidTensorError, /bias/],
  ];

  for (const [name, overrides, errorClass, message] of cases) {
    it(`${name} → ${errorClass.name}`, () => {
      const p = problem(overrides);
      const arrays = [p.weights.data, ...(p.bias instanceof Float32Array ? [p.bias] : [])];
      expectRejected(errorClass, arrays, () => normalizeConv1x1(p));
      expect(() => normalizeConv1x1(p)).toThrow(message);
    });
  }

  it('every error is a PointwiseError with a stable code', () => {
    try {
      normalizeConv1x1(problem({ stride: 0 }));
      expect.unreachable();
    } catch (error) {
      expect(PointwiseError.isInstance(error)).toBe(true);
      expect((error as PointwiseError).code).toBe('INVALID_ARGUMENT');
      expect((error as InvalidArgumentError).parameter).toBe('stride');
    }
  });

  it('tensor data length ≠ product of the shape', () => {
    expect(() => createTensor(new Float32Array(5), [1, 2, 1, 3])).toThrow(/tensor.data: expected length 6/);
    expect(() => createTensor(new Float32Array(5), [1, 2, 1, 3])).toThrow(InvalidTensorError);
  });

  it('tensor data that is not a Float32Array', () => {
    expect(() => createTensor([1, 2] as unknown as Float32Array, [1, 2, 1, 1])).toThrow(InvalidTensorError);
  });
});

describe('run-time validation through the operator', () => {
  it('x of another shape, layout or length; out of the wrong shape, layout or aliasing x', async () => {
    const op = await prepareConv1x1(problem(), { registry: registry() });
    const x = createTensor(Float32Array.from({ length: 36 }, (_, i) => i), [1, 4, 3, 3]);
    const xBefore = x.data.slice();
    await expect(op.run(createTensor(new Float32Array(27), [1, 3, 3, 3]))).rejects.toThrow(ShapeMismatchError);
    await expect(op.run({ ...x, layout: 'NHWC' })).rejects.toThrow(/x.layout: expected "NCHW", received "NHWC"/);
    await expect(op.run({ ...x, data: new Float32Array(35) })).rejects.toThrow(InvalidTensorError);

    const out = createTensor(new Float32Array(18).fill(7), [1, 2, 3, 3]);
    await expect(op.run(x, createTensor(new Float32Array(18).fill(7), [1, 2, 9, 1]))).rejects.toThrow(/out.shape/);
    await expect(op.run(x, { ...out, layout: 'NHWC' })).rejects.toThrow(InvalidTensorError);
    const shared = new Float32Array(36 + 18);
    const aliasedX = createTensor(shared.subarray(0, 36), [1, 4, 3, 3]);
    const aliasedOut = createTensor(shared.subarray(30, 48), [1, 2, 3, 3]);
    await expect(op.run(aliasedX, aliasedOut)).rejects.toThrow(AliasingError);
    expect(out.data.every((v) => v === 7)).toBe(true);
    expect(x.data).toEqual(xBefore);
    const wrong = createTensor(new Float32Array(27).fill(7), [1, 3, 3, 3]);
    expect(() => op.runSync(x, wrong)).toThrow(ShapeMismatchError);
    expect(() => op.runSync(x, { ...out, shape: [1, 3, 3, 3] })).toThrow(InvalidTensorError);
    expect(out.data.every((v) => v === 7) && wrong.data.every((v) => v === 7)).toBe(true);
  });

  it('an unknown backend name', async () => {
    await expect(prepareConv1x1(problem(), { registry: registry(), backend: 'cuda' as never })).rejects.toThrow(UnknownBackendError);
    const x = createTensor(new Float32Array(36), [1, 4, 3, 3]);
    await expect(conv1x1(x, problem(), { registry: registry(), backend: ['reference', 'tpu' as never] })).rejects.toThrow(
      /backend: expected one of "reference", received "tpu"/,
    );
  });
});
