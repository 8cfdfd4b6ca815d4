import { LAYOUTS } from '@pointwise/core';
import type { CaseOptions, ConformanceCase, JsonNumber } from './case.js';
import { makeCase, type CaseSpec } from './make-case.js';

const ACTIVATIONS: CaseOptions['activation'][] = ['none', 'relu', 'relu6', { type: 'clamp', min: -0.25, max: 0.5 }];

function edge(spec: Omit<CaseSpec, 'tier'>): ConformanceCase {
  return makeCase({ tier: 'edge', ...spec });
}

/** Every activation, with and without bias, for every input/output layout pair. */
function everyOption(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const inputLayout of LAYOUTS) {
    for (const outputLayout of LAYOUTS) {
      for (const activation of ACTIVATIONS) {
        for (const bias of [false, true]) {
          cases.push(
            edge({
              label: 'options',
              shape: [2, 6, 5, 7],
              outChannels: 10,
              options: { stride: [2, 1], padding: [1, 0, 2, 1], activation },
              inputLayout,
              outputLayout,
              bias,
            }),
          );
        }
      }
    }
  }
  return cases;
}

/** Strides on odd sizes, strides larger than the input, asymmetric padding. */
function stridesAndPadding(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const inputLayout of LAYOUTS) {
    cases.push(
      edge({ label: 'stride', shape: [1, 5, 7, 9], outChannels: 6, options: { stride: 2 }, inputLayout, bias: true }),
      edge({ label: 'stride', shape: [1, 5, 7, 9], outChannels: 6, options: { stride: [3, 2] }, inputLayout }),
      edge({ label: 'stride-beyond-input', shape: [1, 4, 3, 2], outChannels: 3, options: { stride: 5 }, inputLayout, bias: true }),
      edge({ label: 'stride-beyond-input', shape: [2, 3, 2, 3], outChannels: 4, options: { stride: [4, 7], padding: [1, 2] }, inputLayout, bias: true }),
      edge({
        label: 'asymmetric-padding',
        description: 'border cells hold activation(bias): a negative bias under relu6 gives 0, a large one 6',
        shape: [1, 3, 4, 5],
        outChannels: 5,
        options: { padding: [3, 0, 1, 2], activation: 'relu6' },
        inputLayout,
        bias: true,
        biasData: () => ({ values: [-2, 0.5, 9, -0.5, 3] }),
      }),
      edge({
        label: 'asymmetric-padding',
        shape: [2, 4, 3, 3],
        outChannels: 4,
        options: { padding: [0, 2, 3, 1], stride: 2, activation: { type: 'clamp', min: -1, max: 0.5 } },
        inputLayout,
        bias: true,
      }),
    );
  }
  return cases;
}

/** Groups from 1 to Ci (Ci/groups = 1), with a depthwise channel multiplier. */
function groups(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const inputLayout of LAYOUTS) {
    for (const g of [2, 3, 4, 6, 12]) {
      cases.push(edge({ label: 'groups', shape: [2, 12, 3, 4], outChannels: 12, options: { groups: g }, inputLayout, bias: true }));
    }
    cases.push(
      edge({ label: 'depthwise-multiplier', shape: [1, 12, 3, 4], outChannels: 24, options: { groups: 12, activation: 'relu' }, inputLayout, bias: true }),
      edge({ label: 'groups', shape: [1, 9, 5, 5], outChannels: 6, options: { groups: 3, stride: 2, padding: 1 }, inputLayout }),
    );
  }
  return cases;
}

/** Sizes off the vector widths, batches, square tensors, empty batch, long dot products. */
function sizes(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const inputLayout of LAYOUTS) {
    cases.push(
      edge({ label: 'odd-channels', shape: [1, 13, 3, 5], outChannels: 7, inputLayout, bias: true }),
      edge({ label: 'odd-channels', shape: [1, 3, 6, 6], outChannels: 17, inputLayout }),
      edge({ label: 'odd-channels', shape: [1, 9, 7, 1], outChannels: 33, inputLayout, bias: true }),
      edge({ label: 'odd-channels', shape: [1, 1, 1, 1], outChannels: 1, inputLayout }),
      edge({ label: 'batch', description: 'distinct images must give distinct outputs', shape: [3, 5, 4, 3], outChannels: 6, inputLayout, bias: true }),
      edge({ label: 'square', shape: [1, 8, 8, 8], outChannels: 8, inputLayout }),
      edge({ label: 'empty-batch', shape: [0, 4, 3, 3], outChannels: 5, options: { stride: 2 }, inputLayout, bias: true }),
      edge({ label: 'long-k', shape: [1, 4096, 2, 3], outChannels: 5, inputLayout, bias: true }),
      edge({ label: 'long-k', shape: [1, 4608, 3, 1], outChannels: 3, options: { padding: [0, 1] }, inputLayout }),
      edge({ label: 'long-k', shape: [1, 8192, 2, 2], outChannels: 4, options: { groups: 2 }, inputLayout, bias: true }),
    );
  }
  return cases;
}

/** NaN, ±Inf, −0 and subnormals; overflow to ±Inf. */
function specialValues(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const inputLayout of LAYOUTS) {
    cases.push(
      edge({
        label: 'specials-in-input',
        shape: [2, 8, 5, 4],
        outChannels: 6,
        options: { padding: [1, 0, 0, 1], activation: 'relu' },
        inputLayout,
        bias: true,
        input: (seed) => ({ generator: 'special', seed, fraction: 0.05 }),
      }),
      edge({
        label: 'specials-in-weights',
        shape: [1, 7, 3, 3],
        outChannels: 9,
        inputLayout,
        input: (seed) => ({ generator: 'uniform', seed, min: 0.5, max: 1 }),
        weights: (seed) => ({ generator: 'special', seed, fraction: 0.08 }),
      }),
      edge({
        label: 'subnormals',
        description: 'subnormal inputs and products near the bottom of the float32 range',
        shape: [1, 6, 4, 4],
        outChannels: 4,
        inputLayout,
        input: (seed) => ({ generator: 'uniform', seed, min: -1e-38, max: 1e-38 }),
        weights: (seed) => ({ generator: 'uniform', seed, min: -2, max: 2 }),
      }),
      edge({
        label: 'negative-zero',
        shape: [1, 3, 2, 2],
        outChannels: 2,
        options: { activation: 'relu' },
        inputLayout,
        input: () => ({ generator: 'constant', value: '-0' }),
        weights: () => ({ values: [1, 2, 3, -1, -2, -3] }),
      }),
      edge({
        label: 'overflow',
        description: 'dot products beyond the float32 range round to ±Inf',
        shape: [1, 4, 3, 3],
        outChannels: 3,
        inputLayout,
        input: (seed) => ({ generator: 'uniform', seed, min: 1e38, max: 3e38 }),
        weights: () => ({ values: [1, 1, 1, 1, -1, -1, -1, -1, 0.5, -0.25, 0.125, 0.0625] }),
      }),
      edge({
        label: 'overflow-partial-sum',
        description: 'a finite result whose float32 partial sums may overflow',
        shape: [1, 3, 2, 2],
        outChannels: 1,
        inputLayout: inputLayout,
        input: () => ({ generator: 'constant', value: 3e38 }),
        weights: () => ({ values: [1, 1, -1] }),
      }),
    );
  }
  return cases;
}

/** Input values that exercise every branch of an activation: NaN, ±Inf, ±0, subnormals, normals and values beyond ±6. */
const ACTIVATION_PROBE = ['NaN', 'Infinity', '-Infinity', '-0', 0, 1e-40, -1e-40, 0.75, -0.75, 7, -7, 3e38] as const;

/**
 * Activation bounds that validation accepts and witnesses treat differently
 * or that a kernel may mishandle: equal bounds (TF.js's clipByValue fills
 * the constant, so NaN becomes min: a declared witness difference), infinite
 * and equal infinite bounds, signed zero, bounds beyond the float32 range —
 * on an input of NaN, ±Inf, ±0, subnormals and normals (weight 1, so the
 * activation sees the input itself).
 */
function activationBounds(): ConformanceCase[] {
  const bounds: [JsonNumber, JsonNumber][] = [
    [1, 1],
    [0, 0],
    ['-0', '-0'],
    ['-Infinity', '-Infinity'],
    ['Infinity', 'Infinity'],
    ['-Infinity', 'Infinity'],
    ['-Infinity', 0.5],
    [-0.5, 'Infinity'],
    ['-0', 0],
    [-1e39, 1e39],
    [3.5e38, 3.5e38],
  ];
  return LAYOUTS.flatMap((inputLayout) =>
    bounds.map(([min, max]) =>
      edge({
        label: 'activation-bounds',
        description: 'clamp bounds that are equal, infinite, signed zero or beyond float32, on NaN / ±Inf / ±0 / subnormal inputs',
        shape: [1, 1, 3, ACTIVATION_PROBE.length / 3],
        outChannels: 1,
        options: { activation: { type: 'clamp', min, max } },
        inputLayout,
        input: () => ({ values: [...ACTIVATION_PROBE] }),
        weights: () => ({ values: [1] }),
      }),
    ),
  );
}

/**
 * Padded cells read 0 through the arithmetic (README “The operation”): a
 * channel with a ±∞ or NaN weight is NaN on the border (0·∞), the others
 * act(bias). ONNX Runtime and TF.js give act(bias) there: a declared witness
 * difference. The first case is the report's: NCHW [1, 2, 2, 2], padding 1,
 * channel 0 with weights [Infinity, 0] and bias 1.
 */
function paddedNonFiniteWeights(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const inputLayout of LAYOUTS) {
    cases.push(
      edge({
        label: 'padding-non-finite-weights',
        description: 'border cells of a channel with an infinite weight are NaN (0·∞), as in PyTorch',
        shape: [1, 2, 2, 2],
        outChannels: 2,
        options: { padding: 1 },
        inputLayout,
        bias: true,
        input: () => ({ generator: 'ramp', start: 1, step: 1 }),
        weights: () => ({ values: ['Infinity', 0, 1, 1] }),
        biasData: () => ({ values: [1, 2] }),
      }),
      edge({
        label: 'padding-non-finite-weights',
        description: 'NaN and -Infinity weights under relu6 with asymmetric padding and stride: NaN border, act(bias) elsewhere',
        shape: [2, 3, 3, 4],
        outChannels: 4,
        options: { padding: [2, 0, 1, 3], stride: [2, 1], activation: 'relu6' },
        inputLayout,
        bias: true,
        input: (seed) => ({ generator: 'uniform', seed }),
        weights: () => ({ values: ['NaN', 1, 0.5, 0.25, '-Infinity', 2, -1, 0.5, 1, 0, -0.5, 1] }),
        biasData: () => ({ values: [-1, 0.5, 9, 3] }),
      }),
    );
  }
  return cases;
}

/** Products below the smallest subnormal: each float32 product rounds (or flushes) while the float64 reference keeps it. */
function subnormalProducts(): ConformanceCase[] {
  return LAYOUTS.map((inputLayout) =>
    edge({
      label: 'subnormal-products',
      description: 'subnormal inputs times small weights: products round to the subnormal grid or to 0 (the underflow term of the bound)',
      shape: [1, 3, 2, 2],
      outChannels: 2,
      inputLayout,
      input: () => ({ values: [1e-40, 1e-39, -3e-39, 5e-45, 2e-42, -7e-41, 1e-44, 6e-39, -1e-45, 3e-40, 1e-41, -2e-39] }),
      weights: () => ({ values: [1e-3, 0.5, -0.25, 3e-4, -2, 1] }),
    }),
  );
}

/**
 * The edge tier: every option in both layouts, strides on odd sizes and
 * beyond the input, asymmetric padding (border = activation(bias)), groups up
 * to `Ci/groups = 1`, channel counts off multiples of 4 and 8, batches of
 * distinct images, `C = H = W`, `N = 0`, `K ≥ 4096`, NaN / ±Inf / −0 /
 * subnormal data and overflow to ±Inf; activation bounds that are equal,
 * infinite, signed zero or beyond float32; padded cells of channels with
 * non-finite weights; products below the subnormal range.
 */
export function edgeCases(): ConformanceCase[] {
  return [
    ...everyOption(),
    ...stridesAndPadding(),
    ...groups(),
    ...sizes(),
    ...specialValues(),
    ...activationBounds(),
    ...paddedNonFiniteWeights(),
    ...subnormalProducts(),
  ];
}
