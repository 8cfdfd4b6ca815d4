import {
  environmentFingerprint,
  prepareConv1x1,
  Wisdom,
  zerosTensor,
  type BackendRegistry,
  type EnvironmentFingerprint,
  type Layout,
  type MeasureOptions,
  type Tensor,
} from '@pointwise/core';
import { layerProblem } from '../layer.js';
import type { Contender, ContenderProblem, PreparedRun } from './contender.js';
import { operatorDetails } from './backend-contender.js';

/** `--backends` name of the planner's contender. */
export const AUTO_NAME = 'auto';

/** A registry name as `prepareConv1x1` types it. */
type BackendEntries = NonNullable<Parameters<typeof prepareConv1x1>[1]>['backend'];

function sharedCopy(tensor: Tensor): Tensor {
  const copy = zerosTensor(tensor.shape, tensor.layout, true);
  copy.data.set(tensor.data);
  return copy;
}

/** Options of {@link AutoContender}. */
export interface AutoContenderOptions {
  /** The planner's limits per candidate (core's defaults: 10 runs, 50 ms). */
  readonly measure?: MeasureOptions;
  /**
   * The wisdom each layer is planned with. Default: a fresh, empty `Wisdom` per layer, so every
   * layer is measured (the cold start then includes the whole decision); pass one to time a
   * wisdom hit instead.
   */
  readonly wisdom?: () => Wisdom;
  /** The fingerprint of the fresh wisdom (default core's `environmentFingerprint()`). */
  readonly fingerprint?: EnvironmentFingerprint;
}

/**
 * The planner's choice: `prepareConv1x1(problem, { backend: candidates, choose: 'fastest' })` on the
 * bench's registry, where the candidates are the registry configurations of the run in core's
 * canonical selection syntax. The decision (prepare, check and time every candidate) happens in
 * `prepare`, so the bench reports it as this contender's cold start; the row carries
 * `op.info.selection` and the chosen configuration (`details.choice`). Afterwards it runs the
 * chosen operator exactly as {@link BackendContender} runs one, and the harness checks its first
 * result against the reference like every contender's.
 */
export class AutoContender implements Contender {
  readonly kind = 'planner' as const;
  readonly name = AUTO_NAME;
  readonly version: string;
  /** The candidate configurations, in preference order (ties go to the earlier one). */
  readonly candidates: readonly string[];
  readonly #registry: BackendRegistry;
  readonly #options: AutoContenderOptions;

  /**
   * @param registry the registry holding the candidates (the bench's, shared with the backend contenders).
   * @param candidates canonical configurations in preference order (at least one).
   * @param version `@pointwise/core`'s version (the planner's), stamped on the rows.
   */
  constructor(registry: BackendRegistry, candidates: readonly string[], version = 'unknown', options: AutoContenderOptions = {}) {
    this.#registry = registry;
    this.candidates = [...candidates];
    this.version = version;
    this.#options = options;
  }

  async load(): Promise<void> {
    if (this.candidates.length === 0) throw new Error('no registry configuration to choose from');
  }

  layoutFor(requested: Layout): Layout {
    return requested;
  }

  async prepare(problem: ContenderProblem): Promise<PreparedRun> {
    const { layer } = problem;
    const input = sharedCopy(problem.input);
    const wisdom = this.#options.wisdom?.() ?? new Wisdom(this.#options.fingerprint ?? environmentFingerprint());
    const op = await prepareConv1x1(layerProblem(layer, input, problem.weights, problem.bias), {
      registry: this.#registry,
      backend: this.candidates as unknown as BackendEntries,
      choose: 'fastest',
      wisdom,
      // Measured on shared tensors, as this contender (like every registry contender) runs on them.
      measure: { sharedTensors: true, ...this.#options.measure },
    });
    const out = zerosTensor(op.geometry.outputShape, op.geometry.outputLayout, true);
    const selection = op.info.selection;
    return {
      inputLayout: input.layout,
      outputLayout: out.layout,
      details: {
        choice: op.info.configuration ?? op.info.backend,
        ...(selection ? { method: selection.method, decisionMs: Math.round(selection.decisionMs * 100) / 100 } : {}),
        ...operatorDetails(op),
      },
      precisionFactor: op.capabilities.precisionFactor,
      ...(selection ? { selection } : {}),
      run: async () => {
        await op.run(input, out);
      },
      output: () => out.data,
      dispose: () => op.dispose(),
    };
  }

  /** The candidates belong to the registry, which the harness disposes once at the end. */
  async dispose(): Promise<void> {}
}

/**
 * The planner's candidates for a run: the given registry configurations, in the registry's
 * preference order (highest priority first, as `prepareConv1x1` tries backends), configurations
 * of one backend in the order given; duplicates dropped.
 */
export function autoCandidates(registryNames: readonly string[], configurations: readonly string[]): string[] {
  const backendOf = (configuration: string) => configuration.replace(/\[.*$/, '');
  const rank = (configuration: string) => {
    const i = registryNames.indexOf(backendOf(configuration));
    return i < 0 ? registryNames.length : i;
  };
  const unique = [...new Set(configurations)];
  return unique.map((c, i) => ({ c, i })).sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i).map((x) => x.c);
}
