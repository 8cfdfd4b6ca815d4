/**
 * A compact case list for the workers backend, JSON-able records with
 * descriptive names (cpu-tiled exports none to reuse): every option in both
 * layouts, sizes around the microtile and block edges (with small forced
 * blocks so edges are cheap to reach), N > 1, K = 1, K ≥ 4096, and special
 * values (NaN, ±Inf, subnormals).
 */
import type { PlanOptions } from '@pointwise/backend-cpu-tiled';
import type { Activation, Conv1x1Problem, Layout } from '@pointwise/core';
import { OPTION_MATRIX, optionCombinations, seededValues, withSpecialValues } from '@pointwise/testing';

export interface WorkersCase {
  readonly name: string;
  readonly shape: readonly [n: number, ci: number, h: number, w: number];
  readonly co: number;
  readonly inputLayout: Layout;
  readonly outputLayout?: Layout;
  readonly stride?: number | readonly [number, number];
  readonly padding?: number | readonly [number, number, number, number];
  readonly groups?: number;
  readonly bias: boolean;
  readonly activation?: Activation;
  /** Kernel options for both backends (forced small blocks reach every block edge). */
  readonly kernel?: PlanOptions;
  /** Sprinkle NaN, ±Inf and subnormal values into the input. */
  readonly special?: boolean;
}

const SMALL_BLOCKS: PlanOptions = { mc: 8, nc: 16, kc: 5 };

export const WORKERS_CASES: readonly WorkersCase[] = [
  { name: 'plain NCHW', shape: [1, 16, 9, 11], co: 24, inputLayout: 'NCHW', bias: true },
  { name: 'plain NHWC', shape: [1, 16, 9, 11], co: 24, inputLayout: 'NHWC', bias: true },
  { name: 'NCHW→NHWC relu', shape: [2, 12, 7, 6], co: 10, inputLayout: 'NCHW', outputLayout: 'NHWC', bias: true, activation: 'relu' },
  { name: 'NHWC→NCHW relu6', shape: [2, 12, 7, 6], co: 10, inputLayout: 'NHWC', outputLayout: 'NCHW', bias: true, activation: 'relu6' },
  { name: 'stride 2 pad 1 clamp', shape: [1, 8, 13, 10], co: 9, inputLayout: 'NCHW', stride: 2, padding: 1, bias: true, activation: { type: 'clamp', min: -0.5, max: 0.75 } },
  { name: 'stride [1,3] asymmetric pad NHWC', shape: [1, 8, 6, 14], co: 7, inputLayout: 'NHWC', stride: [1, 3], padding: [2, 0, 1, 3], bias: true },
  { name: 'groups 4 no bias', shape: [2, 16, 8, 8], co: 12, inputLayout: 'NCHW', groups: 4, bias: false },
  { name: 'depthwise-like groups = Ci (K = 1) NHWC', shape: [1, 6, 5, 7], co: 12, inputLayout: 'NHWC', groups: 6, bias: true, activation: 'relu' },
  { name: 'K = 1', shape: [3, 1, 4, 9], co: 5, inputLayout: 'NCHW', bias: true },
  { name: 'tile edges: Co = mr−1, pixels = nr+1', shape: [1, 7, 3, 3], co: 3, inputLayout: 'NCHW', bias: true },
  { name: 'tile edges: Co = mr+1, pixels = nr−1', shape: [1, 9, 7, 1], co: 5, inputLayout: 'NHWC', bias: true },
  { name: 'block edges (mc 8, nc 16, kc 5) ±1', shape: [2, 11, 4, 17], co: 17, inputLayout: 'NCHW', bias: true, kernel: SMALL_BLOCKS },
  { name: 'block edges NHWC stride pad groups', shape: [1, 10, 9, 9], co: 18, inputLayout: 'NHWC', stride: 2, padding: 1, groups: 2, bias: true, kernel: SMALL_BLOCKS },
  { name: 'many images (N = 9)', shape: [9, 8, 5, 5], co: 8, inputLayout: 'NCHW', bias: true },
  { name: 'K = 4100', shape: [1, 4100, 3, 5], co: 6, inputLayout: 'NCHW', bias: true },
  { name: 'NaN / ±Inf / subnormal inputs', shape: [1, 8, 6, 6], co: 8, inputLayout: 'NCHW', bias: true, activation: 'relu', special: true },
  { name: 'larger: 64→96 @20² NHWC', shape: [1, 64, 20, 20], co: 96, inputLayout: 'NHWC', bias: true },
  // The WASM kernels' remainder panel (≤ 4 pixels, channel tiles in pairs): 49 = 6·8 + 1 pixels, 6 tiles (the last of 2 rows).
  { name: 'remainder panel: 7×7 map, 1 pixel, Co = 22', shape: [1, 40, 7, 7], co: 22, inputLayout: 'NCHW', bias: true, activation: 'relu6' },
  // 6×6 output = 4·8 + 4 pixels, 3 tiles per group (a pair, then one of 1 row).
  { name: 'remainder panel: NHWC stride 2 pad 1 groups 2', shape: [1, 20, 9, 9], co: 18, inputLayout: 'NHWC', outputLayout: 'NCHW', stride: 2, padding: 1, groups: 2, bias: true },
];

/** The input data of a case (seeded; with special values at fixed positions when asked). */
export function caseInput(c: WorkersCase, seed = 1): Float32Array {
  const [n, ci, h, w] = c.shape;
  const data = seededValues(n * ci * h * w, seed);
  return c.special ? withSpecialValues(data, 37) : data;
}

/** The problem of a case (seeded weights and bias). */
export function caseProblem(c: WorkersCase): Conv1x1Problem {
  const k = c.shape[1] / (c.groups ?? 1);
  return {
    inputShape: c.shape,
    inputLayout: c.inputLayout,
    outputLayout: c.outputLayout,
    stride: c.stride,
    padding: c.padding,
    groups: c.groups,
    activation: c.activation,
    weights: { data: seededValues(c.co * k, 2), shape: [c.co, k] },
    bias: c.bias ? seededValues(c.co, 3) : null,
  };
}

/**
 * Every option combination of the shared matrix (layout pair × stride ×
 * padding × groups × bias × activation) on its small shape, with its small
 * forced blocks so each crosses block and panel edges.
 */
export function optionMatrixCases(): WorkersCase[] {
  const [n, ci, h, w] = OPTION_MATRIX.inputShape;
  return optionCombinations().map(({ inputLayout, outputLayout, stride, padding, groups, bias, activation }) => ({
    name: `${inputLayout}→${outputLayout} ${JSON.stringify({ stride, padding, groups, bias, activation })}`,
    shape: [n, ci, h, w],
    co: OPTION_MATRIX.outChannels,
    inputLayout,
    outputLayout,
    stride,
    padding,
    groups,
    bias,
    activation,
    kernel: OPTION_MATRIX.smallBlocks,
  }));
}
