import { describe, expect, it } from 'vitest';
import { convertLayout, createTensor, layoutStrides, sharesMemory, zerosTensor } from '../src/index.js';

describe('tensors and layouts', () => {
  it('layoutStrides give the memory position of (n, c, h, w)', () => {
    expect(layoutStrides([2, 3, 4, 5], 'NCHW')).toEqual({ n: 60, c: 20, h: 5, w: 1 });
    expect(layoutStrides([2, 3, 4, 5], 'NHWC')).toEqual({ n: 60, c: 1, h: 15, w: 3 });
  });

  it('convertLayout moves every element to its place and back', () => {
    // value = 1000n + 100c + 10h + w in NCHW
    const shape = [2, 3, 2, 4] as const;
    const nchw = zerosTensor(shape, 'NCHW');
    const s = layoutStrides(shape, 'NCHW');
    for (let n = 0; n < 2; n++) for (let c = 0; c < 3; c++) for (let h = 0; h < 2; h++) for (let w = 0; w < 4; w++)
      nchw.data[n * s.n + c * s.c + h * s.h + w * s.w] = 1000 * n + 100 * c + 10 * h + w;
    const nhwc = convertLayout(nchw, 'NHWC');
    const d = layoutStrides(shape, 'NHWC');
    expect(nhwc.layout).toBe('NHWC');
    expect(nhwc.data[1 * d.n + 2 * d.c + 1 * d.h + 3 * d.w]).toBe(1213);
    expect(nhwc.data[0 * d.n + 1 * d.c + 0 * d.h + 2 * d.w]).toBe(102);
    expect(Array.from(convertLayout(nhwc, 'NCHW').data)).toEqual(Array.from(nchw.data));
  });

  it('createTensor wraps data without copying and accepts a SharedArrayBuffer', () => {
    const data = new Float32Array(new SharedArrayBuffer(4 * 6));
    const t = createTensor(data, [1, 2, 1, 3], 'NHWC');
    expect(t.data).toBe(data);
    expect(t.shape).toEqual([1, 2, 1, 3]);
  });

  it('zerosTensor allows N = 0', () => {
    expect(zerosTensor([0, 4, 2, 2]).data.length).toBe(0);
  });

  it('sharesMemory detects overlapping views only', () => {
    const buf = new ArrayBuffer(64);
    const a = new Float32Array(buf, 0, 8);
    const b = new Float32Array(buf, 28, 4);
    const c = new Float32Array(buf, 32, 8);
    expect(sharesMemory(a, b)).toBe(true);
    expect(sharesMemory(a, c)).toBe(false);
    expect(sharesMemory(a, new Float32Array(8))).toBe(false);
  });
});
