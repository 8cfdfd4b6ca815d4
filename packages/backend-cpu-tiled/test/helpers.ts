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
import { fullOutputRange, kernelsForOptions, type MicrokernelKind, type PlanOptions } from '../src/kernel.js';
import type { WasmSimdSetup } from '../src/wasm/wasm-simd-setup.js';

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

/**
 * Runs the kernel the options name (the table's first, whatever this engine
 * offers) over the whole output through the kernel interface — prepare, bind,
 * stage, run, copy out — with the output pre-filled with a sentinel, so
 * unwritten cells show.
 */
export function runTiled(c: Case, options: PlanOptions = {}): Float32Array {
  const kernel = kernelsForOptions(options)[0];
  const setup = kernel.prepare({ geometry: c.geometry, weights: c.weights, bias: c.bias, threads: 1, shared: kernel.ownsMemory, plan: options });
  const bound = kernel.bind(setup, 0);
  const out = new Float32Array(c.geometry.outputShape.reduce((a, b) => a * b, 1)).fill(-12345);
  const range = fullOutputRange(setup.plan);
  if (bound.memory === null) {
    bound.runRange(range, c.x, out);
    return out;
  }
  const { memory, layout } = setup as WasmSimdSetup & { memory: WebAssembly.Memory };
  new Float32Array(memory.buffer).fill(-12345, layout.output / 4, layout.output / 4 + layout.outputLength);
  bound.memory.stageInput(c.x, 0, c.x.length);
  bound.runRange(range, null, null);
  bound.memory.copyOutput(out, 0, out.length);
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
