import { parseBackendEntry, PointwiseError, prepareConv1x1, type BackendUnavailableError, zerosTensor, type BackendRegistry, type Layout, type Tensor } from '@pointwise/core';
import { layerProblem } from '../layer.js';
import type { Contender, ContenderProblem, PreparedRun } from './contender.js';

/** A registry name as `BackendRegistry.get` and `prepareConv1x1` type it. */
type BackendName = Parameters<BackendRegistry['get']>[0];

/** npm package of each known registry name, for the version stamp. */
export const BACKEND_PACKAGE_NAMES: Readonly<Record<string, string>> = {
  reference: '@pointwise/core',
  'cpu-tiled': '@pointwise/backend-cpu-tiled',
  workers: '@pointwise/backend-workers',
  gpujs: '@pointwise/backend-gpujs',
};

function sharedCopy(tensor: Tensor): Tensor {
  const copy = zerosTensor(tensor.shape, tensor.layout, true);
  copy.data.set(tensor.data);
  return copy;
}

/** `entry` in core's canonical configuration form, or `entry` itself where the registry rejects it (it fails at load). */
export function canonicalConfiguration(registry: BackendRegistry, entry: string): string {
  try {
    return registry.resolve(entry).configuration;
  } catch {
    return entry;
  }
}

/**
 * A Pointwise backend, reached the way users reach it: `prepareConv1x1` with
 * `{ backend: name, strict: true }` on the given registry, then
 * `Conv1x1Operator.run` (core's validation included in the time). Inputs and
 * outputs sit on `SharedArrayBuffer`s, so a thread-pool backend can share
 * them without the copy a tuned application would avoid too.
 */
export class BackendContender implements Contender {
  readonly kind = 'backend' as const;
  readonly name: string;
  readonly version: string;
  /** The configuration in core's canonical form (`cpu-tiled[kernel=js]`); the given string where the registry cannot resolve it. */
  readonly configuration: string;
  readonly #registry: BackendRegistry;
  readonly #backend: string;

  /**
   * @param name the contender's name in the report (`cpu-tiled`, or `cpu-tiled[js]` for one configuration).
   * @param registry the registry holding the backend.
   * @param backend what the registry is asked for, when it differs from `name`: a registry name or a
   *   configuration in core's selection syntax (`cpu-tiled[kernel=js]`).
   * @param version the version stamped on its rows (the shell knows it: the CLI reads the package's
   *   manifest, the page its build-time versions); default `unknown`.
   */
  constructor(name: string, registry: BackendRegistry, backend: string = name, version = 'unknown') {
    this.name = name;
    this.#registry = registry;
    this.#backend = backend;
    this.version = version;
    this.configuration = canonicalConfiguration(registry, backend);
  }

  /** Initialises the backend through the registry; throws the backend's own reason when it is unavailable. */
  async load(): Promise<void> {
    try {
      await this.#registry.get(this.#backend as BackendName);
    } catch (error) {
      // isInstance, not instanceof: a second copy of core (a bundler duplicate) throws its own class.
      if (PointwiseError.isInstance(error) && error.code === 'BACKEND_UNAVAILABLE') {
        const { attempts } = error as BackendUnavailableError;
        if (attempts.length > 0) throw new Error(attempts.map((a) => a.reason).join('; '), { cause: error });
      }
      throw error;
    }
  }

  layoutFor(requested: Layout): Layout {
    return requested;
  }

  async prepare(problem: ContenderProblem): Promise<PreparedRun> {
    const { layer } = problem;
    const input = sharedCopy(problem.input);
    const op = await prepareConv1x1(layerProblem(layer, input, problem.weights, problem.bias), {
      registry: this.#registry,
      backend: this.#backend as BackendName,
      strict: true,
    });
    const out = zerosTensor(op.geometry.outputShape, op.geometry.outputLayout, true);
    return {
      inputLayout: input.layout,
      outputLayout: out.layout,
      details: { threads: op.capabilities.threads, ...op.info.details },
      precisionFactor: op.capabilities.precisionFactor,
      run: async () => {
        await op.run(input, out);
      },
      output: () => out.data,
      dispose: () => op.dispose(),
    };
  }

  /** Backends belong to the registry, which the harness disposes once at the end. */
  async dispose(): Promise<void> {}
}
