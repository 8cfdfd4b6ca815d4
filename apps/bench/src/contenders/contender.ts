import type { Layout, SelectionReport, Tensor } from '@pointwise/core';
import type { BenchLayer } from '../layer.js';

/**
 * A Pointwise backend configuration from the registry, a peer library we compare against, or the
 * `planner` (`auto`: core's measured choice among the registry configurations of the run).
 */
export type ContenderKind = 'backend' | 'peer' | 'planner';

/** Engine details stamped on every row: threads, kernel, gpu.js mode, … */
export type ContenderDetails = Readonly<Record<string, string | number | boolean>>;

/**
 * One layer's problem as a contender receives it: the layer, its weights
 * `[Co, Ci/groups]` and bias `[Co]` (read-only), and the input already in the
 * layout the contender asked for with {@link Contender.layoutFor}.
 */
export interface ContenderProblem {
  readonly layer: BenchLayer;
  readonly weights: Float32Array;
  readonly bias: Float32Array | null;
  /** `[N, Ci, H, W]` in `layoutFor(requested)`; read-only. */
  readonly input: Tensor;
}

/**
 * A contender prepared for one layer: weights packed or uploaded, model
 * built. `run` computes the layer on the problem's input and keeps the
 * result so that {@link output} can return it.
 */
export interface PreparedRun {
  /** Memory order of the input it consumes and the output it produces. */
  readonly inputLayout: Layout;
  readonly outputLayout: Layout;
  /** What ran: threads, kernel, mode (from the engine where it says). */
  readonly details: ContenderDetails;
  /** Precision factor the result is checked with (README “Accuracy”); 1 for float32 engines. */
  readonly precisionFactor: number;
  /** The planner's report, for the `auto` contender (stamped on its row). */
  readonly selection?: SelectionReport;
  /**
   * Makes this contender the active one before a timed run, outside the
   * timing (TensorFlow.js switches its global backend here).
   */
  activate?(): Promise<void>;
  /** Runs once and reads the result back to host memory (the time users see). */
  run(): Promise<void>;
  /** The output of the last `run`, `[N, Co, Ho, Wo]` in `outputLayout`. */
  output(): Float32Array;
  /**
   * Other ways to run the same operator, timed beside the usual run (zero-copy runs, device-resident
   * compute-only time): each is checked against the reference first, like the run itself.
   */
  readonly variants?: readonly PreparedVariant[];
  /** Releases what `prepare` allocated. */
  dispose(): Promise<void> | void;
}

/**
 * The variants a registry contender can report beside its usual run:
 * - `zero-copy`: `op.run(zx, zo)` on tensors from `op.createInput()` / `op.createOutput()` (no copy in or out);
 * - `compute-only`: the device work of `op.runResident(x)` without the readback (see {@link PreparedVariant.method}).
 */
export type VariantName = 'zero-copy' | 'compute-only';

/** One variant of a prepared run. */
export interface PreparedVariant {
  readonly name: VariantName;
  /** How one sample is taken, in one sentence (stamped on the row). */
  readonly method: string;
  /** Why it cannot run for this operator (e.g. `canRunResident` false); then nothing else is called. */
  readonly unsupported?: string;
  /**
   * Runs once, outside any timing, and returns the result in the run's `outputLayout` for the check
   * against the reference (the variant's own output: `zo`, or the resident tensor read back).
   */
  first(): Promise<Float32Array>;
  /**
   * One timed sample, ms per run (the variant times itself: compute-only subtracts a separately measured read).
   * A variant that sets {@link batches} runs `runs` times back to back and returns their mean (the harness
   * batches runs shorter than `--min-sample`, as for the usual run); any other ignores `runs`.
   */
  sample(runs?: number): Promise<number>;
  /** Whether {@link sample} takes a batch of runs (a variant whose sample is one plain run). */
  readonly batches?: boolean;
  /** compute-only: the read time subtracted from each sample, ms, in order (the variant appends to it). */
  readonly readsMs?: readonly number[];
}

/** One layer of a chained stack as a contender receives it: the layer and its weights and bias. */
export interface ChainLayer {
  readonly layer: BenchLayer;
  readonly weights: Float32Array;
  readonly bias: Float32Array | null;
}

/**
 * A stack of layers prepared on one backend instance, each layer's output the next one's input (same layout):
 * the host chain (`t = await op.run(t)`) and, where every layer can keep its result on the device, the resident
 * chain (`t = await op.runResident(t)`, one read at the end).
 */
export interface PreparedChain {
  /** What ran, from the first layer's operator (`variant`, `renderer`, `kernel`, …), and the values seen across layers. */
  readonly details: ContenderDetails;
  readonly precisionFactor: number;
  /** Runs the host chain once; returns the last layer's output (host memory). */
  runHost(): Promise<Float32Array>;
  /** Runs the resident chain once and reads the last result; absent where {@link residentUnsupported} says why. */
  runResident?(): Promise<Float32Array>;
  readonly residentUnsupported?: string;
  dispose(): void;
}

/**
 * A Pointwise backend or a peer library behind one interface, so the harness
 * verifies, times and reports every one the same way.
 */
export interface Contender {
  /** `--backends` name: a registry name (`cpu-tiled`, …) or a peer (`naive`, `tfjs-wasm`, `ort-mt`, …). */
  readonly name: string;
  readonly kind: ContenderKind;
  /** A registry contender's canonical configuration (`cpu-tiled[kernel=js]`), stamped on its rows. */
  readonly configuration?: string;
  /** Library or package version; meaningful after {@link load}. */
  readonly version: string;
  /**
   * Loads and initialises the engine once.
   * @throws an Error whose message says why it cannot run here.
   */
  load(): Promise<void>;
  /** The layout this contender runs in when `requested` is asked for (its native one if it has only one). */
  layoutFor(requested: Layout): Layout;
  /**
   * Prepares one layer.
   * @throws {UnsupportedLayerError} when the engine cannot express the layer (e.g. groups).
   */
  prepare(problem: ContenderProblem): Promise<PreparedRun>;
  /**
   * Prepares a chained stack (registry contenders only): every layer on the same backend instance, the
   * input `[N, Ci, H, W]` of the first layer in `input.layout`, every layer in that layout.
   */
  prepareChain?(layers: readonly ChainLayer[], input: Tensor): Promise<PreparedChain>;
  /** Releases the engine (threads, sessions). */
  dispose(): Promise<void>;
}

/** A layer the contender cannot express (reported as "n/a" with the reason, not as a failure). */
export class UnsupportedLayerError extends Error {
  constructor(contender: string, reason: string) {
    super(`${contender}: ${reason}`);
    this.name = 'UnsupportedLayerError';
  }
}
