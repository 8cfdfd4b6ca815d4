import { PointwiseError, prepareConv1x1, shapeSize, zerosTensor, type BackendRegistry, type Conv1x1Problem, type Tensor } from '@pointwise/core';
import type { ErrorCase, Fault } from '../catalogue/case.js';
import { fromJsonNumber } from '../catalogue/json-number.js';
import { materializeCase, type MaterializedCase } from '../catalogue/materialize.js';
import { messageOf, type CaseResult } from './result.js';
import { snapshot, unchanged } from './snapshot.js';
import { backendOption } from './target.js';

/** The problem with a prepare-time fault applied (unchanged for run-time faults). */
function spoilProblem(problem: Conv1x1Problem, fault: Fault): Conv1x1Problem {
  const w = problem.weights;
  switch (fault.kind) {
    case 'option':
      return { ...problem, [fault.key]: fault.value } as Conv1x1Problem;
    case 'inputShape':
      return { ...problem, inputShape: fault.shape.map((v, i) => fromJsonNumber(v, `fault.shape[${i}]`)) as unknown as Conv1x1Problem['inputShape'] };
    case 'weightsShape':
      return { ...problem, weights: { data: new Float32Array(shapeSize(fault.shape)), shape: fault.shape } };
    case 'weightsLength':
      return { ...problem, weights: { data: new Float32Array(fault.length), shape: w.shape } };
    case 'weightsType':
      return {
        ...problem,
        weights: { data: (fault.type === 'Float64Array' ? Float64Array.from(w.data) : Array.from(w.data)) as unknown as Float32Array, shape: w.shape },
      };
    case 'biasLength':
      return { ...problem, bias: new Float32Array(fault.length) };
    default:
      return problem;
  }
}

/** The `x` and `out` a run-time fault runs with (a valid pair otherwise). */
function runTensors(m: MaterializedCase, fault: Fault): { x: Tensor; out: Tensor } {
  const g = m.geometry;
  let x = m.x;
  let out = zerosTensor(g.outputShape, g.outputLayout);
  if (fault.kind === 'runInput') {
    const shape = (fault.shape ?? x.shape) as Tensor['shape'];
    const length = fault.length ?? shapeSize(shape);
    x = { shape, layout: (fault.layout ?? x.layout) as Tensor['layout'], data: new Float32Array(length).fill(0.5) };
  }
  if (fault.kind === 'out') {
    if (fault.aliasInput) {
      out = { shape: g.outputShape, layout: g.outputLayout, data: new Float32Array(x.data.buffer, x.data.byteOffset, shapeSize(g.outputShape)) };
    } else {
      const shape = (fault.shape ?? g.outputShape) as Tensor['shape'];
      out = { shape, layout: (fault.layout ?? g.outputLayout) as Tensor['layout'], data: new Float32Array(shapeSize(shape)) };
    }
  }
  if (!(fault.kind === 'out' && fault.aliasInput)) out.data.fill(-7);
  return { x, out };
}

/**
 * Runs an error case on one backend: applies the fault, prepares (strict, no
 * fallback) and runs, and passes when the expected error class of
 * `@pointwise/core` is thrown (checked with `PointwiseError.isInstance` and
 * the class name, so it works across package copies). For run-time faults it
 * also checks that nothing was half-written: `out` and `x` hold what they held.
 * `name` is the row the result is reported under (a configuration such as `workers[pool]`).
 */
export async function checkErrorCase(errorCase: ErrorCase, backend: string, registry: BackendRegistry, name: string = backend): Promise<CaseResult> {
  const started = performance.now();
  const base = { case: errorCase.name, tier: errorCase.tier, backend: name };
  const done = (status: CaseResult['status'], reason?: string): CaseResult => ({ ...base, status, ...(reason ? { reason } : {}), ms: performance.now() - started });
  const m = await materializeCase(errorCase.base);
  const fault = errorCase.fault;
  const problem = spoilProblem(m.problem, fault);
  const { x, out } = runTensors(m, fault);
  const xBefore = snapshot(x.data);
  const outBefore = snapshot(out.data);
  let thrown: unknown;
  try {
    const op = await prepareConv1x1(problem, { backend: backendOption(fault.kind === 'backendName' ? fault.name : backend), strict: true, registry });
    try {
      if (fault.kind === 'useAfterDispose') op.dispose();
      await op.run(x, out);
    } finally {
      op.dispose();
    }
  } catch (error) {
    thrown = error;
  }
  if (thrown === undefined) return done('failed', `expected ${errorCase.expectedError}, nothing was thrown`);
  if (!PointwiseError.isInstance(thrown) || thrown.name !== errorCase.expectedError) {
    return done('failed', `expected ${errorCase.expectedError}, got ${messageOf(thrown)}`);
  }
  if (!unchanged(x.data, xBefore)) return done('failed', `${errorCase.expectedError} thrown, but x was modified`);
  if (!unchanged(out.data, outBefore)) return done('failed', `${errorCase.expectedError} thrown, but out was half-written`);
  return done('passed');
}
