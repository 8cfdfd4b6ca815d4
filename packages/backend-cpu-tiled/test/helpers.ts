import {
  checkAccuracy,
  describeAccuracy,
  normalizeConv1x1,
  referenceConv1x1,
  type Conv1x1Problem,
  type NormalizedConv1x1,
} from '@pointwise/core';
import { seededValues } from '@pointwise/testing';
import { expect } from 'vitest';
import {
  copyOutputFromWasm,
  copyInputToWasm,
  createKernelScratch,
  createWasmConvMemory,
  createWasmRangeScratch,
  fullOutputRange,
  instantiateWasmConv,
  packWeights,
  planConv1x1,
  planWasmLayout,
  runConv1x1Range,
  runConv1x1RangeWasm,
  writeOperatorConstants,
  type MicrokernelKind,
  type PlanOptions,
} from '../src/index.js';

/** Both microkernels: the suites parameterised by kernel run once per entry. */
export const KERNELS: readonly MicrokernelKind[] = ['js', 'wasm-simd'];

/** A problem description with random weights, bias and input. */
export interface CaseSpec extends Omit<Conv1x1Problem, 'weights' | 'bias'> {
  readonly outChannels: number;
  readonly withBias?: boolean;
  readonly seed?: number;
}

/** A normalised problem plus its input data. */
export interface Case extends NormalizedConv1x1 {
  readonly x: Float32Array;
}

/** Builds a random case from a spec (weights `[Co, Ci/g]`, bias when asked, input in the spec's layout). */
export function makeCase(spec: CaseSpec): Case {
  const { outChannels, withBias = true, seed = 1, ...problem } = spec;
  const [n, ci, h, w] = spec.inputShape;
  const k = ci / (spec.groups ?? 1);
  const normalized = normalizeConv1x1({
    ...problem,
    weights: { data: seededValues(outChannels * k, seed + 1), shape: [outChannels, k] },
    bias: withBias ? seededValues(outChannels, seed + 2) : null,
  });
  return { ...normalized, x: seededValues(n * ci * h * w, seed + 3) };
}

/** Runs the tiled kernel over the whole output (pre-filled with a sentinel, so unwritten cells show). */
export function runTiled(c: Case, options: PlanOptions = {}): Float32Array {
  const plan = planConv1x1(c.geometry, options);
  if (plan.kernel === 'wasm-simd') {
    const layout = planWasmLayout(plan);
    const instance = instantiateWasmConv(plan, layout, createWasmConvMemory(layout, false));
    writeOperatorConstants(instance, c.weights, c.bias);
    instance.f32.fill(-12345, layout.output / 4, layout.output / 4 + layout.outputLength);
    copyInputToWasm(instance, c.x);
    runConv1x1RangeWasm(instance, fullOutputRange(plan), createWasmRangeScratch(instance));
    const result = new Float32Array(layout.outputLength);
    copyOutputFromWasm(instance, result);
    return result;
  }
  const packed = packWeights(plan, c.weights, c.bias);
  const [n, co, ho, wo] = c.geometry.outputShape;
  const out = new Float32Array(n * co * ho * wo).fill(-12345);
  runConv1x1Range(plan, packed, c.x, out, fullOutputRange(plan), createKernelScratch(plan));
  return out;
}

/**
 * Asserts `out` meets the accuracy bound of README “Accuracy” against the
 * float64 reference (plus `absoluteSlack` per element, where a test needs it).
 */
export function expectAccurate(c: Case, out: Float32Array, label = '', absoluteSlack = 0): void {
  const reference = referenceConv1x1(c.geometry, c.x, c.weights, c.bias);
  const report = checkAccuracy(out, reference, { k: c.geometry.inChannelsPerGroup, absoluteSlack });
  expect(report.failureCount, `${label} ${describeAccuracy(report)}`).toBe(0);
}
