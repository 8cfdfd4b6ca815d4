import { InvalidArgumentError } from '../errors.js';
import type { Conv1x1Geometry } from '../geometry.js';
import { allocateSharedBuffer, shapeSize, type Tensor } from '../tensor.js';

/** The seed of the measurement input's LCG. */
const MEASUREMENT_SEED = 0x9e3779b9;

/** The next state of the measurement input's LCG (Numerical Recipes' 32-bit constants). */
function lcgNext(state: number): number {
  return (Math.imul(state, 1664525) + 1013904223) >>> 0;
}

/**
 * The input a measurement runs on: deterministic values in [−1, 1) (a 32-bit LCG, Numerical Recipes'
 * constants), on `SharedArrayBuffer` memory when `shared`, or written into `data` when given.
 * @throws {InvalidArgumentError} when `data` is not a `Float32Array` of the input's element count, or is not
 *   on `SharedArrayBuffer` memory while `shared` is set.
 */
export function measurementInput(g: Conv1x1Geometry, shared = false, data?: Float32Array): Tensor {
  const length = shapeSize(g.inputShape);
  if (data !== undefined) {
    const expected = `a Float32Array of ${length} elements${shared ? ' on SharedArrayBuffer memory' : ''}`;
    if (!(data instanceof Float32Array)) throw new InvalidArgumentError('data', expected, data === null ? null : Object.prototype.toString.call(data));
    if (data.length !== length) throw new InvalidArgumentError('data', expected, `${data.length} elements`);
    if (shared && !(typeof SharedArrayBuffer === 'function' && data.buffer instanceof SharedArrayBuffer)) throw new InvalidArgumentError('data', expected, 'an ArrayBuffer');
  }
  data ??= shared ? new Float32Array(allocateSharedBuffer(length * Float32Array.BYTES_PER_ELEMENT)) : new Float32Array(length);
  let state = MEASUREMENT_SEED;
  for (let i = 0; i < data.length; i++) {
    state = lcgNext(state);
    data[i] = state / 2 ** 31 - 1;
  }
  return Object.freeze({ shape: g.inputShape, layout: g.inputLayout, data });
}

/**
 * Whether `x` (from {@link measurementInput}) still holds the measurement input, bit for bit: a candidate
 * that wrote into its input must be caught (inputs are never to be changed), or every later check would
 * compare against a reference of the old values and blame the candidates that are right.
 */
export function measurementInputIntact(x: Tensor): boolean {
  const data = x.data;
  let state = MEASUREMENT_SEED;
  for (let i = 0; i < data.length; i++) {
    state = lcgNext(state);
    // Values in [−1, 1) are never NaN: `!==` compares them bit for bit but for ±0, which the LCG never gives.
    if (data[i] !== Math.fround(state / 2 ** 31 - 1)) return false;
  }
  return true;
}
