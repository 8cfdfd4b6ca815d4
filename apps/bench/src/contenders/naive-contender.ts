import { normalizeConv1x1, zerosTensor, type Layout } from '@pointwise/core';
import { layerProblem } from '../layer.js';
import type { Contender, ContenderProblem, PreparedRun } from './contender.js';
import { naiveConv1x1 } from './naive-kernel.js';

/** `--backends` name of the naive baseline. */
export const NAIVE_NAME = 'naive';

/**
 * The 1× baseline: {@link naiveConv1x1} on one thread, in the requested
 * layout. Every ratio in the report is relative to it.
 */
export class NaiveContender implements Contender {
  readonly name = NAIVE_NAME;
  readonly kind = 'peer' as const;
  readonly version: string;

  /** @param version the version stamped on its rows (`@pointwise/bench`'s); default `unknown`. */
  constructor(version = 'unknown') {
    this.version = version;
  }

  async load(): Promise<void> {}

  layoutFor(requested: Layout): Layout {
    return requested;
  }

  async prepare(problem: ContenderProblem): Promise<PreparedRun> {
    const { layer, input } = problem;
    const { geometry } = normalizeConv1x1(layerProblem(layer, input, problem.weights, problem.bias));
    // Copies, as any library would keep its own weights.
    const weights = problem.weights.slice();
    const bias = problem.bias === null ? null : problem.bias.slice();
    const out = zerosTensor(geometry.outputShape, geometry.outputLayout);
    return {
      inputLayout: input.layout,
      outputLayout: geometry.outputLayout,
      details: { threads: 1, kernel: 'js-loops' },
      precisionFactor: 1,
      run: async () => naiveConv1x1(geometry, input.data, weights, bias, out.data),
      output: () => out.data,
      dispose: () => {},
    };
  }

  async dispose(): Promise<void> {}
}
