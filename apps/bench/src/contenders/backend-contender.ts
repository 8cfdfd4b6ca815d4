import {
  callingThreadUse,
  PointwiseError,
  prepareConv1x1,
  zerosTensor,
  type BackendRegistry,
  type BackendUnavailableError,
  type Conv1x1Operator,
  type Layout,
  type ResidentTensor,
  type Shape4D,
  type Tensor,
} from '@pointwise/core';
import { layerProblem } from '../layer.js';
import type { ChainLayer, Contender, ContenderDetails, ContenderProblem, PreparedChain, PreparedRun, PreparedVariant } from './contender.js';

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
  readonly #variants: boolean;

  /**
   * @param name the contender's name in the report (`cpu-tiled`, or `cpu-tiled[js]` for one configuration).
   * @param registry the registry holding the backend.
   * @param backend what the registry is asked for, when it differs from `name`: a registry name or a
   *   configuration in core's selection syntax (`cpu-tiled[kernel=js]`).
   * @param version the version stamped on its rows (the shell knows it: the CLI reads the package's
   *   manifest, the page its build-time versions); default `unknown`.
   * @param options `variants: false` leaves out the zero-copy and compute-only variants (default: timed where the operator has them).
   */
  constructor(name: string, registry: BackendRegistry, backend: string = name, version = 'unknown', options: { readonly variants?: boolean } = {}) {
    this.name = name;
    this.#variants = options.variants ?? true;
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
      details: operatorDetails(op),
      precisionFactor: op.capabilities.precisionFactor,
      run: async () => {
        await op.run(input, out);
      },
      output: () => out.data,
      ...(this.#variants ? { variants: operatorVariants(this.#registry.resolve(this.#backend).name, op, input) } : {}),
      dispose: () => op.dispose(),
    };
  }

  /**
   * Prepares every layer of a stack on this contender's backend instance (one registry configuration, so
   * one gpu.js context: resident outputs of one layer are valid inputs of the next), all in `input.layout`.
   */
  async prepareChain(layers: readonly ChainLayer[], input: Tensor): Promise<PreparedChain> {
    const ops: Conv1x1Operator[] = [];
    const x = sharedCopy(input);
    try {
      let shape: Shape4D = x.shape;
      for (const { layer, weights, bias } of layers) {
        const problem = layerProblem(layer, { shape, layout: x.layout } as Tensor, weights, bias);
        const op = await prepareConv1x1(problem, { registry: this.#registry, backend: this.#backend as BackendName, strict: true });
        ops.push(op);
        shape = op.geometry.outputShape;
      }
    } catch (error) {
      for (const op of ops) op.dispose();
      throw error;
    }
    const notResident = ops.findIndex((op) => !op.canRunResident);
    const residentUnsupported =
      notResident < 0
        ? undefined
        : ops.every((op) => !op.canRunResident)
          ? `canRunResident false${variantNote(ops[0])}`
          : `layer ${notResident + 1} (${layers[notResident].layer.name}) has no runResident (canRunResident false${variantNote(ops[notResident])})`;
    return {
      details: chainDetails(ops),
      precisionFactor: Math.max(...ops.map((op) => op.capabilities.precisionFactor)),
      runHost: async () => {
        let t = x;
        for (const op of ops) t = await op.run(t);
        return t.data;
      },
      ...(residentUnsupported === undefined
        ? {
            runResident: async () => {
              let t: Tensor | ResidentTensor = x;
              for (const op of ops) {
                const next: ResidentTensor = await op.runResident(t);
                if (t !== x) (t as ResidentTensor).dispose();
                t = next;
              }
              const last = t as ResidentTensor;
              try {
                return (await last.read()).data;
              } finally {
                last.dispose();
              }
            },
          }
        : { residentUnsupported }),
      dispose: () => {
        for (const op of ops) op.dispose();
      },
    };
  }

  /** Backends belong to the registry, which the harness disposes once at the end. */
  async dispose(): Promise<void> {}
}

/** Resident runs per compute-only sample (then one read; see {@link computeOnlyVariant}). */
export const RESIDENT_RUNS_PER_SAMPLE = 8;

/** Backends whose kernels own their memory (the zero-copy variant is expected there). */
const ZERO_COPY_BACKENDS = ['cpu-tiled', 'workers'];
/** Backends with device memory (the compute-only variant is expected there). */
const RESIDENT_BACKENDS = ['gpujs'];

function variantNote(op: Conv1x1Operator): string {
  const { variant, mode } = op.info.details as Record<string, unknown>;
  return `${variant === undefined ? '' : `; variant=${String(variant)}`}${mode === undefined ? '' : `; mode=${String(mode)}`}`;
}

/**
 * The variants of one operator: `zero-copy` where `op.canCreateTensors`, `compute-only` where
 * `op.canRunResident`; on a backend that has them in other configurations, the missing one with its reason.
 */
export function operatorVariants(backend: string, op: Conv1x1Operator, input: Tensor): PreparedVariant[] {
  const variants: PreparedVariant[] = [];
  if (op.canCreateTensors) variants.push(zeroCopyVariant(op, input));
  else if (ZERO_COPY_BACKENDS.includes(backend)) variants.push(unsupportedVariant('zero-copy', `canCreateTensors false${variantNote(op)}`));
  if (op.canRunResident) variants.push(computeOnlyVariant(op, input));
  else if (RESIDENT_BACKENDS.includes(backend)) variants.push(unsupportedVariant('compute-only', `canRunResident false${variantNote(op)}`));
  return variants;
}

function unsupportedVariant(name: PreparedVariant['name'], reason: string): PreparedVariant {
  const fail = async (): Promise<never> => {
    throw new Error(reason);
  };
  return { name, method: '', unsupported: reason, first: fail, sample: fail };
}

/**
 * Issue 12's zero-copy run: the input written once into `op.createInput()` (the kernel's own memory), each
 * sample one `op.run(zx, zo)` with `zo = op.createOutput()`, so nothing is copied in or out.
 */
function zeroCopyVariant(op: Conv1x1Operator, input: Tensor): PreparedVariant {
  const zx = op.createInput();
  zx.data.set(input.data);
  const zo = op.createOutput();
  return {
    name: 'zero-copy',
    method: 'op.run(zx, zo) on op.createInput() (filled once) and op.createOutput(): no copy in or out',
    first: async () => {
      zo.data.fill(Number.NaN);
      await op.run(zx, zo);
      return zo.data.slice();
    },
    batches: true,
    sample: async (runs = 1) => {
      const start = performance.now();
      for (let i = 0; i < runs; i++) await op.run(zx, zo);
      return (performance.now() - start) / runs;
    },
  };
}

/**
 * Issue 15's compute-only time. GL draws are asynchronous (`runResident` returns once they are queued), so a
 * sample is {@link RESIDENT_RUNS_PER_SAMPLE} resident runs then one read of the last result, minus one read
 * of an already computed resident tensor measured just before, divided by the number of runs: the device
 * work per run without its readback. Each run's result is disposed once the next one is queued.
 */
function computeOnlyVariant(op: Conv1x1Operator, input: Tensor): PreparedVariant {
  const host = zerosTensor(op.geometry.outputShape, op.geometry.outputLayout);
  const readsMs: number[] = [];
  return {
    name: 'compute-only',
    method: `${RESIDENT_RUNS_PER_SAMPLE} × runResident then one read, minus one read of a finished resident tensor, ÷ ${RESIDENT_RUNS_PER_SAMPLE}`,
    first: async () => {
      const r = await op.runResident(input);
      try {
        return (await r.read()).data;
      } finally {
        r.dispose();
      }
    },
    sample: async () => {
      const done = await op.runResident(input);
      let readMs: number;
      try {
        await done.read(host);
        const readStart = performance.now();
        await done.read(host);
        readMs = performance.now() - readStart;
      } finally {
        done.dispose();
      }
      readsMs.push(readMs);
      const start = performance.now();
      let last: ResidentTensor | undefined;
      try {
        for (let i = 0; i < RESIDENT_RUNS_PER_SAMPLE; i++) {
          const next = await op.runResident(input);
          last?.dispose();
          last = next;
        }
        await last!.read(host);
      } finally {
        last?.dispose();
      }
      const total = performance.now() - start;
      // Timer noise can make the difference negative on runs far shorter than a read: floor it at 1 ns.
      return Math.max(total - readMs, 1e-6) / RESIDENT_RUNS_PER_SAMPLE;
    },
    readsMs,
  };
}

/**
 * What a registry contender's rows stamp in `details`: the threads it computes on, what a run does
 * to the calling thread (`callingThread`: core's `callingThreadUse` — `blocked` when a page's main
 * thread is busy for the whole run, `shared`, `free`, or `undeclared`), then the engine's own details.
 */
export function operatorDetails(op: Pick<Conv1x1Operator, 'capabilities' | 'info'>): Record<string, string | number | boolean> {
  return { threads: op.capabilities.threads, callingThread: callingThreadUse(op.capabilities), ...op.info.details };
}

/** A chain's details: the first operator's, with `a|b` where layers differ (at most 3 values, else left out). */
function chainDetails(ops: readonly Conv1x1Operator[]): ContenderDetails {
  const values = new Map<string, Set<string>>();
  for (const op of ops) {
    for (const [key, value] of Object.entries(operatorDetails(op))) {
      if (!values.has(key)) values.set(key, new Set());
      values.get(key)!.add(String(value));
    }
  }
  const details: Record<string, string | number | boolean> = {};
  const first: Record<string, string | number | boolean> = ops[0] === undefined ? {} : operatorDetails(ops[0]);
  for (const [key, set] of values) {
    if (set.size === 1) details[key] = first[key];
    else if (set.size <= 3) details[key] = [...set].join('|');
  }
  return details;
}
