import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidTensorError, ShapeMismatchError, prepareConv1x1, AliasingError, registerReferenceBackend, BackendRegistry, type Shape4D, type Tensor } from '../src/index.js';
import { TensorCheck } from '../src/tensor-check.js';

const SHAPE: Shape4D = Object.freeze([1, 2, 2, 3] as const);

function tensor(data = new Float32Array(12).map((_, i) => i)): { shape: number[]; layout: 'NCHW' | 'NHWC'; data: Float32Array } {
  return { shape: [1, 2, 2, 3], layout: 'NCHW', data };
}

/** A tensor whose three properties count their reads. */
function countingTensor(inner: ReturnType<typeof tensor>): { tensor: Tensor; reads: Record<string, number> } {
  const reads = { shape: 0, layout: 0, data: 0 };
  const counting = {
    get shape() {
      reads.shape++;
      return inner.shape;
    },
    get layout() {
      reads.layout++;
      return inner.layout;
    },
    get data() {
      reads.data++;
      return inner.data;
    },
  };
  return { tensor: counting as unknown as Tensor, reads };
}

describe('TensorCheck: every run checked, the repeated tensor without allocation', () => {
  it('gives a frozen clean tensor of the prepared shape over the caller’s memory, the same one for the same array', () => {
    const check = new TensorCheck('x', SHAPE, 'NCHW');
    const t = tensor();
    const clean = check.check(t);
    expect(Object.isFrozen(clean)).toBe(true);
    expect(clean.shape).toBe(SHAPE);
    expect(clean.layout).toBe('NCHW');
    expect(clean.data).not.toBe(t.data);
    expect(clean.data.buffer).toBe(t.data.buffer);
    expect(Array.from(clean.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(check.check(t)).toBe(clean);
    // Another tensor object over the same array: still the same clean tensor.
    expect(check.check({ ...t, shape: [1, 2, 2, 3] })).toBe(clean);
  });

  it('still rejects a shape, layout or length that changed since the array was accepted', () => {
    const check = new TensorCheck('x', SHAPE, 'NCHW');
    const t = tensor();
    check.check(t);
    t.shape[2] = 3;
    t.shape[3] = 2;
    expect(() => check.check(t)).toThrow(ShapeMismatchError);
    t.shape[2] = 2;
    t.shape[3] = 3;
    t.shape.push(1);
    expect(() => check.check(t)).toThrow(InvalidTensorError);
    t.shape.pop();
    t.layout = 'NHWC';
    expect(() => check.check(t)).toThrow(InvalidTensorError);
    t.layout = 'NCHW';
    expect(check.check(t).data.length).toBe(12);
    // A detached buffer reads length 0.
    structuredClone(t.data.buffer, { transfer: [t.data.buffer] });
    expect(() => check.check(t)).toThrow(InvalidTensorError);
  });

  it('rejects a length-tracking view whose resizable buffer shrank, and accepts it again once regrown', () => {
    // ES2024's resizable ArrayBuffer (Node 20 has it; the project's lib is ES2022).
    const Resizable = ArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => ArrayBuffer & { resize(length: number): void };
    const buffer = new Resizable(48, { maxByteLength: 96 });
    const t = tensor(new Float32Array(buffer));
    const check = new TensorCheck('x', SHAPE, 'NCHW');
    const clean = check.check(t);
    buffer.resize(40);
    expect(() => check.check(t)).toThrow(InvalidTensorError);
    buffer.resize(48);
    t.data[11] = 7;
    expect(check.check(t).data[11]).toBe(7);
    expect(check.check(t)).toBe(clean);
    buffer.resize(52);
    expect(() => check.check(t)).toThrow(InvalidTensorError);
  });

  it('is not fooled by an own length property or a Proxy of an accepted array', () => {
    const check = new TensorCheck('x', SHAPE, 'NCHW');
    const data = new Float32Array(12);
    check.check(tensor(data));
    const proxy = new Proxy(data, {});
    expect(() => check.check(tensor(proxy))).toThrow(InvalidTensorError);
    const short = new Float32Array(8);
    Object.defineProperty(short, 'length', { value: 12 });
    expect(() => check.check(tensor(short))).toThrow(InvalidTensorError);
  });

  it('types what is not a tensor, and a size that is not an integer', () => {
    const check = new TensorCheck('x', SHAPE, 'NCHW');
    check.check(tensor());
    expect(() => check.check(null)).toThrow(InvalidTensorError);
    expect(() => check.check({ ...tensor(), shape: [1, 2, 2, 3.5] })).toThrow(InvalidArgumentError);
    expect(() => check.check({ ...tensor(), data: Array.from({ length: 12 }, () => 0) })).toThrow(InvalidTensorError);
  });

  it('reads each property of the caller’s tensor once per call, accepted before or not', () => {
    const check = new TensorCheck('x', SHAPE, 'NCHW');
    const { tensor: first, reads } = countingTensor(tensor());
    check.check(first);
    expect(reads).toEqual({ shape: 1, layout: 1, data: 1 });
    check.check(first);
    expect(reads).toEqual({ shape: 2, layout: 2, data: 2 });
  });
});

describe('Conv1x1Operator.run with the same tensors again', () => {
  it('computes each run from the current data, and still rejects an output that aliases the input', async () => {
    const registry = new BackendRegistry();
    registerReferenceBackend(registry);
    // y[co] = 2·x[0] + 3·x[1] per pixel: weights [[2, 3]].
    const op = await prepareConv1x1({ inputShape: [1, 2, 1, 2], weights: { data: new Float32Array([2, 3]), shape: [1, 2] } }, { registry });
    const x = { shape: [1, 2, 1, 2] as const, layout: 'NCHW' as const, data: new Float32Array([1, 2, 10, 20]) };
    const out = { shape: [1, 1, 1, 2] as const, layout: 'NCHW' as const, data: new Float32Array(2) };
    await op.run(x, out);
    expect(Array.from(out.data)).toEqual([32, 64]);
    x.data.set([0, 1, 1, 0]);
    await op.run(x, out);
    expect(Array.from(out.data)).toEqual([3, 2]);
    const both = new Float32Array(6);
    both.set([0, 1, 1, 0]);
    const xIn = { ...x, data: both.subarray(0, 4) };
    await op.run(xIn, { ...out, data: both.subarray(4) });
    expect(Array.from(both.subarray(4))).toEqual([3, 2]);
    await expect(op.run(xIn, { ...out, data: both.subarray(3, 5) })).rejects.toThrow(AliasingError);
    // A rejected run is a rejected promise, not a synchronous throw.
    expect(() => op.run(xIn, { ...out, data: both.subarray(3, 5) }).catch(() => {})).not.toThrow();
  });
});
