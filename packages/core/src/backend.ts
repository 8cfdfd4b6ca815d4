import type { BackendAttempt } from './errors.js';
import type { Conv1x1Geometry } from './geometry.js';
import type { SelectionReport } from './planner/choose-backend.js';
import type { Layout, Shape4D, Tensor } from './tensor.js';

/** Version of the {@link Backend} interface this core implements. */
export const BACKEND_API_VERSION = 1;

/** Whether a backend can run here, and if not, why. */
export type Availability = { readonly available: true } | { readonly available: false; readonly reason: string };

/** What a backend offers, known after `init()` (not discovered at first run). */
export interface BackendCapabilities {
  /** `run` can also be called synchronously (`runSync`). */
  readonly sync: boolean;
  /**
   * Declared float precision relative to IEEE float32 with float32
   * accumulation: `1` meets the bound of README “Accuracy” as is; `f > 1`
   * means the backend promises the bound times `f` (e.g. GPU fragment shaders
   * with flushed subnormals or fused multiply-add differences).
   */
  readonly precisionFactor: number;
  /** Threads the backend computes on (1 for single-threaded engines). */
  readonly threads: number;
  /** Backend-specific limits (e.g. `maxTextureSize`), in the unit the key names. */
  readonly limits: Readonly<Record<string, number>>;
  /** Flushes subnormal inputs / results to zero (GPU shaders often do). */
  readonly flushesSubnormals: boolean;
  /**
   * What a run does to the thread that calls `run` (in a page: the main
   * thread, which cannot paint or take input while it is busy, though `run`
   * returns a Promise). Optional, so backends written before it still
   * compile; read it through {@link callingThreadUse}, which gives an
   * undeclared value a conservative default. See {@link CallingThreadUse}.
   */
  readonly callingThread?: CallingThreadUse;
}

/**
 * How much of a run occupies the calling thread:
 * - `'blocked'`: all of it — the run computes there, or waits there
 *   synchronously (gpu.js's WebGL readback, `readPixels`, stalls until the
 *   GPU is done), from start to end;
 * - `'shared'`: part of it — the calling thread computes a share beside other
 *   threads, or computes small runs alone (the workers backend by default);
 * - `'free'`: none — it only awaits work done elsewhere (worker threads, an
 *   asynchronous GPU readback).
 */
export type CallingThreadUse = 'blocked' | 'shared' | 'free';

/**
 * Capabilities of a synchronous, single-threaded engine that meets the float32
 * bound of the README's “Accuracy” as is (the reference and the cpu-tiled backend).
 */
export const SINGLE_THREAD_FLOAT32_CAPABILITIES: BackendCapabilities = Object.freeze({
  sync: true,
  precisionFactor: 1,
  threads: 1,
  limits: Object.freeze({}),
  flushesSubnormals: false,
  callingThread: 'blocked',
});

/**
 * What actually ran: the backend's name plus engine details (gpu.js mode,
 * thread count, microkernel). Reported by every operator and result.
 */
export interface ExecutionInfo {
  readonly backend: string;
  readonly details: Readonly<Record<string, string | number | boolean>>;
  /** The selected configuration in canonical string form (`workers[kernel=js]`); set by `prepareConv1x1`. */
  readonly configuration?: string;
  /**
   * Every configuration that selection skipped before this one, with the
   * reason (unavailable, failed init, failed prepare, a capacity limit); set
   * by `prepareConv1x1`, empty when the first choice ran.
   */
  readonly attempts?: readonly BackendAttempt[];
  /** How the backend was chosen: method, every candidate with its status and median time; set by `prepareConv1x1`. */
  readonly selection?: SelectionReport;
}

/**
 * A prepared convolution of one backend: weights packed / kernels compiled
 * once, run many times. Core validates `x` and `out` before calling `run`:
 * a backend receives an `x` of `geometry.inputShape` in `geometry.inputLayout`
 * and an `out` of `geometry.outputShape` in `geometry.outputLayout` that does
 * not alias `x`. It must not modify `x`, and must write every element of `out`.
 */
export interface BackendOperator {
  readonly geometry: Conv1x1Geometry;
  readonly info: ExecutionInfo;
  /** Computes `out = conv1x1(x)`. Rejects with `BackendFailureError` if the engine fails. */
  run(x: Tensor, out: Tensor): Promise<void>;
  /** Synchronous `run`, present only when the backend's capabilities say `sync`. */
  runSync?(x: Tensor, out: Tensor): void;
  /**
   * Runs and keeps the output where it was computed (a GPU texture), present
   * only on backends with device memory. `x` is a host tensor validated by
   * core, or a {@link ResidentTensor} of this backend with the input shape and
   * layout (checked by core), so layers chain without a round trip to host memory.
   */
  runResident?(x: Tensor | ResidentTensor): Promise<ResidentTensor>;
  /**
   * Zero-copy runs (ONNX Runtime's IO binding): a tensor of the input shape
   * and layout whose data lives in the memory the kernel reads, so a run with
   * it as `x` copies no input. Valid until the operator is disposed. Present
   * only on backends whose kernels own their memory.
   */
  createInput?(): Tensor;
  /** As {@link createInput}, for the output: a run into it copies no output. */
  createOutput?(): Tensor;
  /** Releases packed weights, compiled kernels and scratch memory. */
  dispose(): void;
}

/**
 * A result kept in a backend's device memory (gpu.js's pipeline textures;
 * ONNX Runtime's `preferredOutputLocation`). Logical shape `[N, C, H, W]` in
 * `layout`, float32. It stays valid until `dispose()`; `read()` copies it to
 * host memory.
 */
export interface ResidentTensor {
  readonly shape: Shape4D;
  readonly layout: Layout;
  /** The backend whose memory holds it (only that backend's operators take it as input). */
  readonly backend: string;
  /** True after `dispose()`. */
  readonly disposed: boolean;
  /**
   * Copies the values to host memory, into `out` when given (same shape and layout) or a new tensor.
   * @throws {DisposedError} after `dispose()`.
   */
  read(out?: Tensor): Promise<Tensor>;
  /** Frees the device memory. Idempotent. */
  dispose(): void;
}

/** What `Backend.prepare` receives: the validated geometry and the caller's weights and bias. */
export interface PrepareRequest {
  readonly geometry: Conv1x1Geometry;
  /** `[Co, Ci/g]` row-major. Read-only: copy or pack, never keep a reference that you modify. */
  readonly weights: Float32Array;
  /** `[Co]` or `null`. Read-only. */
  readonly bias: Float32Array | null;
}

/**
 * A compute engine for 1×1 convolution (interface version {@link BACKEND_API_VERSION}).
 *
 * Lifecycle: `probe()` (cheap, no side effects) → `init()` once (loads heavy
 * dependencies, fails early with a reason) → `prepare()` any number of times →
 * `dispose()`. The registry calls `init()` at most once per backend.
 */
export interface Backend {
  /** Stable registry name (`reference`, `cpu-tiled`, `workers`, `gpujs`, …). */
  readonly name: string;
  readonly apiVersion: typeof BACKEND_API_VERSION;
  /** Whether this backend can run here, without initialising it. */
  probe(): Promise<Availability>;
  /** Loads and checks what the backend needs. Throws with the reason on failure. */
  init(): Promise<void>;
  /** Valid after `init()` resolved. */
  capabilities(): BackendCapabilities;
  /** Packs weights / compiles kernels for one geometry. */
  prepare(request: PrepareRequest): Promise<BackendOperator>;
  /** Releases everything the backend holds (threads, GL contexts). */
  dispose(): Promise<void>;
}
