import {
  BackendRegistry,
  checkAccuracy,
  createTensor,
  prepareConv1x1,
  referenceConv1x1,
  normalizeConv1x1,
  type AccuracyReport,
  type Conv1x1Operator,
  type Conv1x1Problem,
  type Layout,
  type Shape4D,
} from '@pointwise/core';
import { seededValues } from '@pointwise/testing';
import { GpujsBackend, type GpujsBackendOptions } from '../src/index.js';

/** A problem with random weights (and bias when asked) for an input shape and options. */
export function makeProblem(
  inputShape: Shape4D,
  co: number,
  options: Omit<Conv1x1Problem, 'inputShape' | 'weights' | 'bias'> & { bias?: boolean } = {},
  seed = 1,
): Conv1x1Problem {
  const groups = options.groups ?? 1;
  const k = inputShape[1] / groups;
  const { bias, ...rest } = options;
  return {
    ...rest,
    inputShape,
    weights: { data: seededValues(co * k, seed), shape: [co, k] },
    bias: bias ? seededValues(co, seed + 7) : null,
  };
}

/** A registry holding only a `gpujs` backend with these options (strict selection of it). */
export function gpujsRegistry(options: GpujsBackendOptions): BackendRegistry {
  const registry = new BackendRegistry();
  registry.register('gpujs', () => new GpujsBackend(options));
  return registry;
}

/** The outcome of running one problem: the accuracy report against the float64 reference, and the operator. */
export interface CaseResult {
  readonly report: AccuracyReport;
  readonly operator: Conv1x1Operator;
  readonly output: Float32Array;
}

/**
 * Prepares `problem` on the registry's `gpujs` backend (strict), runs it on a
 * random input (asynchronously, or with `runSync`) and checks it against the
 * reference with the backend's declared precision factor.
 */
export async function runCase(registry: BackendRegistry, problem: Conv1x1Problem, sync = false, seed = 3): Promise<CaseResult> {
  const operator = await prepareConv1x1(problem, { backend: 'gpujs', strict: true, registry });
  const shape = problem.inputShape;
  const layout: Layout = problem.inputLayout ?? 'NCHW';
  const data = seededValues(shape[0] * shape[1] * shape[2] * shape[3], seed).map((v) => 2 * v);
  const before = data.slice();
  const x = createTensor(data, shape, layout);
  const out = sync ? operator.runSync(x) : await operator.run(x);
  if (!before.every((v, i) => Object.is(v, data[i]))) throw new Error('the input was modified');
  const { geometry, weights, bias } = normalizeConv1x1(problem);
  const report = checkAccuracy(out.data, referenceConv1x1(geometry, data, weights, bias), {
    k: geometry.inChannelsPerGroup,
    precisionFactor: operator.capabilities.precisionFactor,
  });
  return { report, operator, output: out.data };
}
