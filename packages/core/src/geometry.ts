import { normalizeActivation, type ClampActivation } from './activation.js';
import { InvalidArgumentError, InvalidTensorError, ShapeMismatchError } from './errors.js';
import { assertKnownKeys } from './known-keys.js';
import type { Conv1x1Params } from './options.js';
import { assertLayout, assertSize, shapeSize, type Layout, type Shape4D } from './tensor.js';
import { float32View, isFloat32Array, float32Length } from './typed-array.js';

/**
 * The one normalised description of a 1×1 convolution that backends receive
 * (the role of TensorFlow.js's `Conv2DInfo`). All sizes are element counts.
 *
 * Output size follows PyTorch `conv2d` / ONNX `Conv` with a 1×1 kernel:
 * `Ho = floor((H + padTop + padBottom − 1) / strideH) + 1`, likewise `Wo`.
 */
export interface Conv1x1Geometry {
  /** Batch `N` (≥ 0). */
  readonly batch: number;
  /** Input channels `Ci`. */
  readonly inChannels: number;
  /** Output channels `Co`. */
  readonly outChannels: number;
  /** Channel groups `g`. */
  readonly groups: number;
  /** `K = Ci / g`: the length of each dot product. */
  readonly inChannelsPerGroup: number;
  /** `Co / g`. */
  readonly outChannelsPerGroup: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly padTop: number;
  readonly padLeft: number;
  readonly padBottom: number;
  readonly padRight: number;
  /** As given (≥ 1); has no effect on a 1×1 kernel. */
  readonly dilationH: number;
  readonly dilationW: number;
  readonly inputLayout: Layout;
  readonly outputLayout: Layout;
  readonly activation: ClampActivation;
  readonly hasBias: boolean;
  /** Logical input shape `[N, Ci, H, W]`. */
  readonly inputShape: Shape4D;
  /** Logical output shape `[N, Co, Ho, Wo]`. */
  readonly outputShape: Shape4D;
  /** Floating-point operations: `2·N·Co·(Ci/g)·Ho·Wo` (multiply and add counted apart). */
  readonly flops: number;
}

/** The description an operator is prepared from: the input's shape and layout plus the parameters. */
export interface Conv1x1Problem extends Conv1x1Params {
  /** Logical input shape `[N, Ci, H, W]`. */
  readonly inputShape: Shape4D;
  /** Memory order of the input. Default `'NCHW'`. */
  readonly inputLayout?: Layout;
}

/** The keys of a {@link Conv1x1Problem}; any other key is rejected as a likely misspelling. */
export const CONV1X1_PROBLEM_KEYS: readonly string[] = [
  'inputShape',
  'inputLayout',
  'weights',
  'bias',
  'stride',
  'padding',
  'dilation',
  'groups',
  'activation',
  'outputLayout',
];

/** Validated, normalised problem: geometry plus the weights and bias it was checked against. */
export interface NormalizedConv1x1 {
  readonly geometry: Conv1x1Geometry;
  /** Weights as `[Co, Ci/g]` row-major (the caller's array, not copied). */
  readonly weights: Float32Array;
  /** Bias `[Co]`, or `null`. */
  readonly bias: Float32Array | null;
}

function pair(parameter: string, value: unknown, fallback: number, min: number): [number, number] {
  if (value === undefined) return [fallback, fallback];
  if (typeof value === 'number') {
    assertSize(parameter, value, min);
    return [value, value];
  }
  if (Array.isArray(value) && value.length === 2) {
    const [a, b] = value as unknown[];
    assertSize(`${parameter}[0]`, a, min);
    assertSize(`${parameter}[1]`, b, min);
    return [a, b];
  }
  throw new InvalidArgumentError(parameter, `an integer ≥ ${min} or a pair of them`, value);
}

function pads(value: unknown): [top: number, left: number, bottom: number, right: number] {
  if (Array.isArray(value) && value.length === 4) {
    const names = ['top', 'left', 'bottom', 'right'];
    const read = [...(value as unknown[])];
    read.forEach((v, i) => assertSize(`padding[${i}] (${names[i]})`, v, 0));
    return read as [number, number, number, number];
  }
  if (Array.isArray(value) && value.length !== 2) {
    throw new InvalidArgumentError('padding', 'an integer ≥ 0, [pH, pW] or [top, left, bottom, right]', value);
  }
  const [ph, pw] = pair('padding', value, 0, 0);
  return [ph, pw, ph, pw];
}

/**
 * Validates a problem and turns it into the geometry record backends receive.
 * Reads its arguments only; nothing is modified.
 *
 * @throws {InvalidArgumentError} an unknown option key (a likely misspelling), a size that is not a finite integer in range
 *   (`N ≥ 0`; `Ci, H, W, Co ≥ 1`), stride or dilation < 1, negative or
 *   fractional padding, `groups < 1` or not dividing `Ci` and `Co`, a bad
 *   layout or activation.
 * @throws {ShapeMismatchError} weights not `[Co, Ci/g]` / `[Co, Ci/g, 1, 1]`, bias not `[Co]`.
 * @throws {InvalidTensorError} weight or bias data that is not a `Float32Array`
 *   of the right length.
 */
export function normalizeConv1x1(problem: Conv1x1Problem): NormalizedConv1x1 {
  if (typeof problem !== 'object' || problem === null) {
    throw new InvalidArgumentError('problem', 'an object { inputShape, weights, ... }', problem);
  }
  assertKnownKeys('problem', problem, CONV1X1_PROBLEM_KEYS);
  const shape = problem.inputShape;
  if (!Array.isArray(shape) || shape.length !== 4) {
    throw new InvalidArgumentError('inputShape', 'a 4-D shape [N, Ci, H, W]', shape);
  }
  const [n, ci, h, w] = shape as unknown[];
  assertSize('inputShape[0] (N)', n, 0);
  assertSize('inputShape[1] (Ci)', ci, 1);
  assertSize('inputShape[2] (H)', h, 1);
  assertSize('inputShape[3] (W)', w, 1);
  const inputLayout = problem.inputLayout ?? 'NCHW';
  assertLayout('inputLayout', inputLayout);
  const outputLayout = problem.outputLayout ?? inputLayout;
  assertLayout('outputLayout', outputLayout);

  const groups = problem.groups ?? 1;
  assertSize('groups', groups, 1);
  if (ci % groups !== 0) throw new InvalidArgumentError('groups', `a divisor of Ci = ${ci}`, groups);

  const weights = problem.weights;
  if (typeof weights !== 'object' || weights === null || !Array.isArray(weights.shape)) {
    throw new InvalidArgumentError('weights', 'an object { data: Float32Array, shape: [Co, Ci/groups] }', weights);
  }
  const ws = [...weights.shape] as number[];
  const k = ci / groups;
  const co = ws[0];
  // TF.js / TensorFlow filters are HWIO [1, 1, Ci/groups, Co]: the commonest mistake, so say how to convert.
  const hwioHint = ws.length === 4 && ws[0] === 1 && ws[1] === 1 && ws[2] === k ? '; this looks like a TF.js HWIO filter [1, 1, Ci, Co]: convert it with weightsFromHWIO(data, shape)' : '';
  if ((ws.length !== 2 && ws.length !== 4) || (ws.length === 4 && (ws[2] !== 1 || ws[3] !== 1))) {
    throw new ShapeMismatchError('weights.shape', [co, k], ws, `weights are [Co, Ci/groups] or PyTorch's [Co, Ci/groups, 1, 1]${hwioHint}`);
  }
  assertSize('weights.shape[0] (Co)', co, 1);
  if (ws[1] !== k) throw new ShapeMismatchError('weights.shape', [co, k], ws, `weights are [Co, Ci/groups], Ci/groups = ${ci}/${groups}${hwioHint}`);
  if (co % groups !== 0) throw new InvalidArgumentError('groups', `a divisor of Co = ${co}`, groups);
  const weightData = float32View('weights.data', weights.data, co * k, ` (the product of [${co}, ${k}])`);

  const biasValue = problem.bias ?? null;
  if (biasValue !== null && !isFloat32Array(biasValue)) {
    throw new InvalidTensorError('bias', 'a Float32Array of length Co or null', biasValue);
  }
  if (biasValue !== null && float32Length(biasValue) !== co) throw new ShapeMismatchError('bias', [co], [float32Length(biasValue)]);
  const bias = biasValue === null ? null : float32View('bias', biasValue, co);

  const [strideH, strideW] = pair('stride', problem.stride, 1, 1);
  const [dilationH, dilationW] = pair('dilation', problem.dilation, 1, 1);
  const [padTop, padLeft, padBottom, padRight] = pads(problem.padding);
  const activation = normalizeActivation(problem.activation);

  const outHeight = Math.floor((h + padTop + padBottom - 1) / strideH) + 1;
  const outWidth = Math.floor((w + padLeft + padRight - 1) / strideW) + 1;
  // Every size must be an exact integer: a padding of 2^40 on a 1×1 map gives an output no double
  // can count exactly (and no typed array can hold).
  const outputElements = n * co * outHeight * outWidth;
  if (!Number.isSafeInteger(h + padTop + padBottom) || !Number.isSafeInteger(w + padLeft + padRight) || !Number.isSafeInteger(outputElements)) {
    throw new InvalidArgumentError('padding', `padding that keeps the output's N·Co·Ho·Wo at most 2^53 − 1 (it would be ${outputElements})`, problem.padding);
  }
  const geometry: Conv1x1Geometry = Object.freeze({
    batch: n,
    inChannels: ci,
    outChannels: co,
    groups,
    inChannelsPerGroup: k,
    outChannelsPerGroup: co / groups,
    inHeight: h,
    inWidth: w,
    outHeight,
    outWidth,
    strideH,
    strideW,
    padTop,
    padLeft,
    padBottom,
    padRight,
    dilationH,
    dilationW,
    inputLayout,
    outputLayout,
    activation,
    hasBias: bias !== null,
    inputShape: Object.freeze([n, ci, h, w] as const),
    outputShape: Object.freeze([n, co, outHeight, outWidth] as const),
    flops: 2 * n * co * k * outHeight * outWidth,
  });
  return { geometry, weights: weightData, bias };
}

/**
 * For output row `i` (or column), the input row it reads, or −1 when it falls
 * in the padding: `i·stride − padBefore` if that lies in `[0, size)`.
 */
export function sourceIndex(outIndex: number, stride: number, padBefore: number, size: number): number {
  const s = outIndex * stride - padBefore;
  return s >= 0 && s < size ? s : -1;
}

/** Number of elements of the output tensor, `N·Co·Ho·Wo`. */
export function outputSize(geometry: Conv1x1Geometry): number {
  return shapeSize(geometry.outputShape);
}
