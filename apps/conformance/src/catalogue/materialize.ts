import {
  createTensor,
  normalizeConv1x1,
  referenceConv1x1,
  shapeSize,
  type Activation,
  type Conv1x1Geometry,
  type Conv1x1Problem,
  type ReferenceResult,
  type Tensor,
} from '@pointwise/core';
import type { CaseOptions, ConformanceCase, Tolerance } from './case.js';
import { generateData } from './data-source.js';
import { fromJsonNumber } from './json-number.js';

/** A case with its data generated: ready to run on a backend. */
export interface MaterializedCase {
  readonly case: ConformanceCase;
  /** The problem to prepare (input shape and layout, weights, bias, options). */
  readonly problem: Conv1x1Problem;
  readonly geometry: Conv1x1Geometry;
  /** The input tensor. Checkers compare it bit for bit before and after each run. */
  readonly x: Tensor;
  /** The case's extra expected output (in the output layout), with its tolerance. */
  readonly expected?: { readonly output: Float32Array; readonly tolerance: Tolerance; readonly source: string };
  /** The float64 reference (values and magnitudes), computed on first use and kept. */
  reference(): ReferenceResult;
}

/** Converts a case's JSON activation (with string-encoded ±Infinity) to core's {@link Activation}. */
export function caseActivation(activation: CaseOptions['activation'], where = 'options.activation'): Activation | undefined {
  if (activation === undefined || typeof activation === 'string') return activation;
  return { type: 'clamp', min: fromJsonNumber(activation.min, `${where}.min`), max: fromJsonNumber(activation.max, `${where}.max`) };
}

/**
 * Generates a case's data and builds its problem. Validates through core
 * ({@link normalizeConv1x1}), so an invalid case fails here with core's typed error.
 *
 * @throws core's `InvalidArgumentError` / `ShapeMismatchError` / `InvalidTensorError` for an invalid case;
 *   `InvalidTensorError` when a data source does not give the right number of values.
 */
export async function materializeCase(c: ConformanceCase): Promise<MaterializedCase> {
  const options = c.options ?? {};
  const groups = options.groups ?? 1;
  const k = c.inputShape[1] / groups;
  const [input, weights, bias] = await Promise.all([
    generateData(c.input, shapeSize(c.inputShape), 'input', `${c.name}: input`),
    generateData(c.weights, c.outChannels * k, 'weights', `${c.name}: weights`),
    c.bias ? generateData(c.bias, c.outChannels, 'bias', `${c.name}: bias`) : Promise.resolve(null),
  ]);
  const problem: Conv1x1Problem = {
    inputShape: c.inputShape,
    inputLayout: c.inputLayout,
    outputLayout: c.outputLayout ?? c.inputLayout,
    weights: { data: weights, shape: [c.outChannels, k] },
    bias,
    stride: options.stride,
    padding: options.padding,
    dilation: options.dilation,
    groups: options.groups,
    activation: caseActivation(options.activation),
  };
  const normalized = normalizeConv1x1(problem);
  const geometry = normalized.geometry;
  const x = createTensor(input, c.inputShape, c.inputLayout);
  let expected: MaterializedCase['expected'];
  if (c.expected) {
    const output = await generateData(c.expected.output, shapeSize(geometry.outputShape), 'output', `${c.name}: expected.output`);
    expected = { output, tolerance: c.expected.tolerance ?? { boundFactor: 2 }, source: c.expected.source ?? 'expected output' };
  }
  let reference: ReferenceResult | undefined;
  return {
    case: c,
    problem,
    geometry,
    x,
    ...(expected ? { expected } : {}),
    reference: () => (reference ??= referenceConv1x1(geometry, x.data, normalized.weights, normalized.bias)),
  };
}
