import { InvalidArgumentError } from './errors.js';
import type { WeightsInput } from './options.js';
import { float32View } from './typed-array.js';

function positiveInt(parameter: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new InvalidArgumentError(parameter, 'an integer ≥ 1', value);
  return value;
}

/**
 * Converts 1×1 convolution weights from TensorFlow / TF.js layout
 * `[1, 1, Ci/groups, Co]` (HWIO, `tf.conv2d`'s filter) to Pointwise's
 * `[Co, Ci/groups]` (PyTorch's OIHW without the 1×1 tail). Returns a new
 * array; the input is not modified.
 *
 * @param data float32 values in HWIO order, length `Ci/groups · Co`.
 * @param shape `[1, 1, Ci/groups, Co]`.
 * @throws {InvalidArgumentError} for a shape that is not `[1, 1, K, Co]` with sizes ≥ 1.
 * @throws {InvalidTensorError} for data that is not a Float32Array of length `K·Co`.
 */
export function weightsFromHWIO(data: Float32Array, shape: readonly number[]): WeightsInput {
  if (!Array.isArray(shape) || shape.length !== 4 || shape[0] !== 1 || shape[1] !== 1) {
    throw new InvalidArgumentError('shape', 'TF.js 1×1 filter shape [1, 1, Ci/groups, Co]', shape);
  }
  const k = positiveInt('shape[2] (Ci/groups)', shape[2]);
  const co = positiveInt('shape[3] (Co)', shape[3]);
  const src = float32View('data', data, k * co, ` (the product of [1, 1, ${k}, ${co}])`);
  const out = new Float32Array(co * k);
  for (let kk = 0; kk < k; kk++) for (let oc = 0; oc < co; oc++) out[oc * k + kk] = src[kk * co + oc];
  return { data: out, shape: [co, k] };
}

/**
 * Takes PyTorch `Conv2d.weight` of a 1×1 convolution, `[Co, Ci/groups, 1, 1]`
 * (OIHW), as Pointwise weights `[Co, Ci/groups]`: the same memory order, so
 * the data is copied once and only the shape changes.
 *
 * @param data float32 values in OIHW order, length `Co · Ci/groups`.
 * @param shape `[Co, Ci/groups, 1, 1]`.
 * @throws {InvalidArgumentError} for a shape that is not `[Co, K, 1, 1]`.
 * @throws {InvalidTensorError} for data of another type or length.
 */
export function weightsFromOIHW(data: Float32Array, shape: readonly number[]): WeightsInput {
  if (!Array.isArray(shape) || shape.length !== 4 || shape[2] !== 1 || shape[3] !== 1) {
    throw new InvalidArgumentError('shape', 'PyTorch 1×1 weight shape [Co, Ci/groups, 1, 1]', shape);
  }
  const co = positiveInt('shape[0] (Co)', shape[0]);
  const k = positiveInt('shape[1] (Ci/groups)', shape[1]);
  return { data: float32View('data', data, co * k, ` (the product of [${co}, ${k}, 1, 1])`).slice(), shape: [co, k] };
}

