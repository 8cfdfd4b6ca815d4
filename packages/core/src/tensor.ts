import { InvalidArgumentError, InvalidTensorError } from './errors.js';
import { float32View } from './typed-array.js';

/**
 * Memory order of a 4-D activation tensor. The logical shape is always
 * `[N, C, H, W]`; the layout only says how it is laid out in memory:
 * `'NCHW'` (PyTorch's default, channels outermost within an image) or
 * `'NHWC'` (PyTorch's `channels_last`, TensorFlow's default).
 */
export type Layout = 'NCHW' | 'NHWC';

/** The layouts, in the order error messages list them. */
export const LAYOUTS: readonly Layout[] = ['NCHW', 'NHWC'];

/** Logical shape `[N, C, H, W]`: batch, channels, height, width (element counts). */
export type Shape4D = readonly [n: number, c: number, h: number, w: number];

/**
 * A dense float32 activation tensor.
 *
 * `data.length` equals `N·C·H·W`; element `(n, c, h, w)` sits at
 * `n·sN + c·sC + h·sH + w·sW` with the strides of {@link layoutStrides}.
 * `data` may be backed by a `SharedArrayBuffer` (the workers backend then
 * reads it without a copy).
 */
export interface Tensor {
  readonly shape: Shape4D;
  readonly layout: Layout;
  readonly data: Float32Array;
}

/** Element strides of each logical axis for a shape in a layout. */
export interface LayoutStrides {
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
}

/**
 * Element strides of the logical axes `[N, C, H, W]` in memory.
 * NCHW: `(C·H·W, H·W, W, 1)`; NHWC: `(H·W·C, 1, W·C, C)`.
 */
export function layoutStrides(shape: Shape4D, layout: Layout): LayoutStrides {
  const [, c, h, w] = shape;
  return layout === 'NCHW' ? { n: c * h * w, c: h * w, h: w, w: 1 } : { n: h * w * c, c: 1, h: w * c, w: c };
}

/** Number of elements of a shape (the product of its sizes). */
export function shapeSize(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/**
 * Checks that `value` is a size: a finite integer ≥ `min`.
 * @throws {InvalidArgumentError} naming `parameter` otherwise.
 */
export function assertSize(parameter: string, value: unknown, min: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new InvalidArgumentError(parameter, `an integer ≥ ${min}`, value);
  }
}

/**
 * Checks a layout name.
 * @throws {InvalidArgumentError} for anything but `'NCHW'` or `'NHWC'`.
 */
export function assertLayout(parameter: string, value: unknown): asserts value is Layout {
  if (value !== 'NCHW' && value !== 'NHWC') {
    throw new InvalidArgumentError(parameter, `one of "NCHW", "NHWC"`, value);
  }
}

/**
 * Reads a caller's tensor once and returns a clean copy of its
 * description: the shape as a tuple of the sizes read, the layout, and
 * a fresh `Float32Array` view over the same memory built from the array's
 * internal slots (so a Proxy, an own `length` property or a getter that
 * changes between reads cannot change what a backend reads or writes).
 * The data is not copied.
 *
 * Checks: a 4-D shape of integer sizes (`N ≥ 0`, `C, H, W ≥ 1`), a known
 * layout, genuine `Float32Array` data whose real length is `N·C·H·W`.
 * @throws {InvalidArgumentError} for a bad size or layout.
 * @throws {InvalidTensorError} for data that is not a genuine `Float32Array` or has the wrong length.
 */
export function readTensor(parameter: string, tensor: unknown): Tensor {
  if (typeof tensor !== 'object' || tensor === null) {
    throw new InvalidTensorError(parameter, 'a tensor { shape, layout, data }', tensor);
  }
  const t = tensor as Partial<Tensor>;
  const shapeValue = t.shape;
  if (!Array.isArray(shapeValue) || shapeValue.length !== 4) {
    throw new InvalidTensorError(`${parameter}.shape`, 'a 4-D shape [N, C, H, W]', shapeValue);
  }
  const shape = [shapeValue[0], shapeValue[1], shapeValue[2], shapeValue[3]] as const;
  assertSize(`${parameter}.shape[0] (N)`, shape[0], 0);
  assertSize(`${parameter}.shape[1] (C)`, shape[1], 1);
  assertSize(`${parameter}.shape[2] (H)`, shape[2], 1);
  assertSize(`${parameter}.shape[3] (W)`, shape[3], 1);
  const layout = t.layout;
  assertLayout(`${parameter}.layout`, layout);
  const expected = shapeSize(shape);
  const data = float32View(`${parameter}.data`, t.data, expected, ` (the product of shape [${shape.join(', ')}])`);
  // Not frozen: it is a private copy the caller never sees, and freezing costs more than the rest of a tiny run.
  return { shape, layout, data };
}

/**
 * Checks a tensor's own consistency (as {@link readTensor}, which also
 * returns the clean copy that backends should be given).
 * @throws {InvalidArgumentError} for a bad size or layout.
 * @throws {InvalidTensorError} for data that is not a genuine `Float32Array` or has the wrong length.
 */
export function assertTensor(parameter: string, tensor: unknown): asserts tensor is Tensor {
  readTensor(parameter, tensor);
}

/**
 * Creates a tensor over `data` (not copied) with logical shape `[N, C, H, W]`.
 *
 * @param data float32 values in the memory order `layout` names.
 * @param shape logical `[N, C, H, W]`; `N = 0` is allowed, other sizes ≥ 1.
 * @param layout memory order, `'NCHW'` by default.
 * @throws {InvalidArgumentError} for a bad size or layout.
 * @throws {InvalidTensorError} when `data` is not a `Float32Array` of length `N·C·H·W`.
 */
export function createTensor(data: Float32Array, shape: Shape4D, layout: Layout = 'NCHW'): Tensor {
  if (!Array.isArray(shape) || shape.length !== 4) {
    throw new InvalidTensorError('shape', 'a 4-D shape [N, C, H, W]', shape);
  }
  const tensor = { shape: [shape[0], shape[1], shape[2], shape[3]] as const, layout, data };
  assertTensor('tensor', tensor);
  return tensor;
}

/**
 * Allocates a zero-filled tensor.
 * @param shared back it with a `SharedArrayBuffer` (for the workers backend).
 * @throws {InvalidArgumentError} for a bad size or layout.
 */
export function zerosTensor(shape: Shape4D, layout: Layout = 'NCHW', shared = false): Tensor {
  for (let i = 0; i < 4; i++) assertSize(`shape[${i}]`, shape[i], i === 0 ? 0 : 1);
  assertLayout('layout', layout);
  const length = shapeSize(shape);
  const data = shared ? new Float32Array(allocateSharedBuffer(length * Float32Array.BYTES_PER_ELEMENT)) : new Float32Array(length);
  return { shape: [shape[0], shape[1], shape[2], shape[3]], layout, data };
}

/**
 * Returns a copy of `tensor` in `layout` (a new tensor even when the layout is
 * already `layout`). The input is not modified.
 * @throws {InvalidTensorError} / {InvalidArgumentError} for a malformed tensor or layout.
 */
export function convertLayout(tensor: Tensor, layout: Layout): Tensor {
  assertTensor('tensor', tensor);
  assertLayout('layout', layout);
  const out = zerosTensor(tensor.shape, layout);
  const [n, c, h, w] = tensor.shape;
  const s = layoutStrides(tensor.shape, tensor.layout);
  const d = layoutStrides(tensor.shape, layout);
  const src = tensor.data;
  const dst = out.data;
  for (let in_ = 0; in_ < n; in_++) {
    for (let ic = 0; ic < c; ic++) {
      for (let ih = 0; ih < h; ih++) {
        const so = in_ * s.n + ic * s.c + ih * s.h;
        const dO = in_ * d.n + ic * d.c + ih * d.h;
        for (let iw = 0; iw < w; iw++) dst[dO + iw * d.w] = src[so + iw * s.w];
      }
    }
  }
  return out;
}

/**
 * True when two views provably share a byte of memory: they sit on the same
 * buffer object and their byte ranges intersect.
 */
export function sharesMemory(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.buffer !== b.buffer) return false;
  return rangesIntersect(a, b);
}

/** Whether the byte ranges of two views (taken to be on one buffer) intersect; empty ranges never do. */
function rangesIntersect(a: ArrayBufferView, b: ArrayBufferView): boolean {
  const aLength = a.byteLength;
  const bLength = b.byteLength;
  const aOffset = a.byteOffset;
  const bOffset = b.byteOffset;
  return aLength > 0 && bLength > 0 && aOffset < bOffset + bLength && bOffset < aOffset + aLength;
}

// SharedArrayBuffers this package allocated itself with `new SharedArrayBuffer`:
// each has memory of its own. Shared across copies of this package (Symbol.for).
const FRESH_SHARED_KEY = Symbol.for('@pointwise/core.freshSharedBuffers.v1');
/** Looked up once: a symbol property of the global object costs more than the rest of {@link mayShareMemory}. */
let freshShared: WeakSet<SharedArrayBuffer> | undefined;
function freshSharedBuffers(): WeakSet<SharedArrayBuffer> {
  if (freshShared === undefined) {
    const g = globalThis as unknown as Record<symbol, WeakSet<SharedArrayBuffer> | undefined>;
    freshShared = g[FRESH_SHARED_KEY] ??= new WeakSet();
  }
  return freshShared;
}

/**
 * Allocates a `SharedArrayBuffer` of `byteLength` bytes that Pointwise knows
 * to own its memory, so {@link mayShareMemory} can prove it disjoint from
 * other such buffers. {@link zerosTensor} with `shared` uses it.
 * @throws {RangeError} from the platform when the allocation fails.
 */
export function allocateSharedBuffer(byteLength: number): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(byteLength);
  freshSharedBuffers().add(buffer);
  return buffer;
}

/**
 * True unless two views are provably disjoint. Distinct `ArrayBuffer`s never
 * share memory, but distinct `SharedArrayBuffer` objects may: a grown
 * `WebAssembly.Memory` hands out a new one over the same bytes, and one that
 * went through `postMessage` is a new object too. Two distinct shared buffers
 * are disjoint only when both were allocated by {@link allocateSharedBuffer}
 * (or {@link zerosTensor} with `shared`); views on one buffer are compared by
 * their byte ranges.
 */
export function mayShareMemory(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.byteLength === 0 || b.byteLength === 0) return false;
  // Each buffer read once: the getter is a call, and a tiny layer's run checks this every time.
  const aBuffer = a.buffer;
  const bBuffer = b.buffer;
  if (aBuffer === bBuffer) return rangesIntersect(a, b);
  if (typeof SharedArrayBuffer !== 'function' || !(aBuffer instanceof SharedArrayBuffer) || !(bBuffer instanceof SharedArrayBuffer)) return false;
  const fresh = freshSharedBuffers();
  return !(fresh.has(aBuffer) && fresh.has(bBuffer));
}
