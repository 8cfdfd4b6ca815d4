import type { BackendCapabilities, BackendOperator, ExecutionInfo, ResidentTensor } from './backend.js';
import { AliasingError, BackendFailureError, type BackendAttempt, DisposedError, InvalidArgumentError, InvalidTensorError, PointwiseError, ShapeMismatchError } from './errors.js';
import type { Conv1x1Geometry } from './geometry.js';
import type { SelectionReport } from './planner/choose-backend.js';
import { allocateSharedBuffer, mayShareMemory, readTensor, sharesMemory, zerosTensor, type Layout, type Shape4D, type Tensor } from './tensor.js';
import { TensorCheck } from './tensor-check.js';

function sameShape(a: Shape4D, b: Shape4D): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}

/** A resident tensor by its shape: `read` and `backend`, and no host `data` (an object with `data` is checked as a host tensor). */
function isResident(x: unknown): x is ResidentTensor {
  return typeof x === 'object' && x !== null && !('data' in x) && typeof (x as ResidentTensor).read === 'function' && typeof (x as ResidentTensor).backend === 'string';
}

/** Reads a caller's tensor once (see `readTensor`) and checks it against the prepared shape and layout. */
function checkTensor(parameter: string, tensor: Tensor, shape: Shape4D, layout: Layout): Tensor {
  const clean = readTensor(parameter, tensor);
  if (!sameShape(clean.shape, shape)) throw new ShapeMismatchError(`${parameter}.shape`, shape, clean.shape);
  if (clean.layout !== layout) throw new InvalidTensorError(`${parameter}.layout`, JSON.stringify(layout), clean.layout);
  return clean;
}

/**
 * A copy of `x` on memory of its own, of the same kind (shared stays shared,
 * so a multi-threaded backend still reads it from every thread).
 */
function snapshot(x: Tensor): Tensor {
  const bytes = x.data.byteLength;
  const data = x.data.buffer instanceof ArrayBuffer ? new Float32Array(x.data.length) : new Float32Array(allocateSharedBuffer(bytes));
  data.set(x.data);
  return Object.freeze({ shape: x.shape, layout: x.layout, data });
}

/** What selection adds to a backend's own info: the configuration that ran and what was skipped. */
export interface SelectionRecord {
  readonly configuration: string;
  readonly attempts: readonly BackendAttempt[];
  readonly selection?: SelectionReport;
}

function freezeReport(report: SelectionReport): SelectionReport {
  return Object.freeze({ ...report, candidates: Object.freeze(report.candidates.map((c) => Object.freeze({ ...c }))) });
}

function freezeInfo(info: ExecutionInfo, selection?: SelectionRecord): ExecutionInfo {
  return Object.freeze({
    backend: info.backend,
    details: Object.freeze({ ...info.details }),
    configuration: selection?.configuration ?? info.backend,
    attempts: Object.freeze((selection?.attempts ?? []).map((a) => Object.freeze({ ...a }))),
    ...(selection?.selection ? { selection: freezeReport(selection.selection) } : {}),
  });
}

/**
 * A prepared 1×1 convolution: weights packed and kernels compiled once by the
 * backend that was selected, run on any number of inputs of the prepared
 * shape. Every call validates its tensors before anything is written, so a
 * rejected call leaves every buffer as it was.
 */
export class Conv1x1Operator {
  readonly #op: BackendOperator;
  readonly #capabilities: BackendCapabilities;
  readonly #info: ExecutionInfo;
  /** `run` calls the backend's `runSync` where it has one: the same work, without a second Promise per run. */
  readonly #runsSync: boolean;
  /** Every run's checks of `x` and `out` against the prepared shapes and layouts. */
  readonly #checkX: TensorCheck;
  readonly #checkOut: TensorCheck;
  /** The data of every tensor `createOutput()` handed out: a run writes there, so none may be a run's `x`. */
  readonly #createdOutputs: Float32Array[] = [];
  #disposed = false;

  /** @internal Created by `prepareConv1x1`. */
  constructor(op: BackendOperator, capabilities: BackendCapabilities, selection?: SelectionRecord) {
    this.#op = op;
    this.#capabilities = Object.freeze({ ...capabilities, limits: Object.freeze({ ...capabilities.limits }) });
    this.#info = freezeInfo(op.info, selection);
    this.#runsSync = this.#capabilities.sync && typeof op.runSync === 'function';
    const g = op.geometry;
    this.#checkX = new TensorCheck('x', g.inputShape, g.inputLayout);
    this.#checkOut = new TensorCheck('out', g.outputShape, g.outputLayout);
  }

  /** The normalised geometry the operator was prepared for (frozen: changing it cannot change results). */
  get geometry(): Conv1x1Geometry {
    return this.#op.geometry;
  }

  /** Which backend runs this operator, and with what (gpu.js mode, threads, microkernel). Frozen. */
  get info(): ExecutionInfo {
    return this.#info;
  }

  /** Name of the backend that runs this operator. */
  get backend(): string {
    return this.#info.backend;
  }

  /** The backend's declared capabilities (precision, sync support, threads, limits). */
  get capabilities(): BackendCapabilities {
    return this.#capabilities;
  }

  /** Whether {@link runSync} is available on this backend. */
  get canRunSync(): boolean {
    return this.#runsSync;
  }

  /**
   * Computes the convolution of `x` (shape `geometry.inputShape`, layout
   * `geometry.inputLayout`) into `out` (shape `geometry.outputShape`, layout
   * `geometry.outputLayout`), allocated when absent. `x` is never modified.
   *
   * @returns the output tensor (`out` when given).
   * @throws {ShapeMismatchError} / {InvalidTensorError} for a tensor of another shape, layout or length.
   * @throws {AliasingError} when `out` shares memory with `x`, or `x` is (or overlaps) a tensor of this operator's {@link createOutput} (the kernel computes into its memory, so the run would change `x`).
   * @throws {InvalidArgumentError} when `out` is absent and an output that large cannot be allocated here.
   * @throws {DisposedError} after `dispose()`.
   * @throws {BackendFailureError} when the engine fails while running.
   */
  run(x: Tensor, out?: Tensor): Promise<Tensor> {
    // Not an async function: a synchronous run settles its promise at once, without an async frame.
    // Everything it throws rejects, a call on another `this` (an unbound `op.run`) included.
    try {
      if (this.#runsSync) return Promise.resolve(this.#runNow(x, out));
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#runAsync(x, out);
  }

  async #runAsync(x: Tensor, out: Tensor | undefined): Promise<Tensor> {
    const [input, target, result] = this.#validate(x, out);
    if (target.data.length === 0) return result;
    try {
      await this.#op.run(input, target);
    } catch (error) {
      throw this.#wrap(error);
    }
    return result;
  }

  /**
   * Synchronous {@link run}, for backends whose capabilities say `sync`.
   * @throws {InvalidArgumentError} when the backend cannot run synchronously; otherwise as {@link run}.
   */
  runSync(x: Tensor, out?: Tensor): Tensor {
    if (!this.#runsSync) {
      throw new InvalidArgumentError('runSync', 'a backend that runs synchronously (capabilities.sync)', this.backend);
    }
    return this.#runNow(x, out);
  }

  /** Validates, then runs the backend's `runSync` (present: `#runsSync`). */
  #runNow(x: Tensor, out: Tensor | undefined): Tensor {
    const [input, target, result] = this.#validate(x, out);
    if (target.data.length === 0) return result;
    try {
      this.#op.runSync!(input, target);
    } catch (error) {
      throw this.#wrap(error);
    }
    return result;
  }

  /** Whether {@link createInput} / {@link createOutput} are available (zero-copy runs). */
  get canCreateTensors(): boolean {
    return typeof this.#op.createInput === 'function' && typeof this.#op.createOutput === 'function';
  }

  /**
   * A tensor of the input shape and layout (`geometry.inputShape`,
   * `geometry.inputLayout`) whose data already lives where the kernel reads
   * it: fill it and pass it as `x`, and the run copies no input (the idea of
   * ONNX Runtime's IO binding). Valid until this operator is disposed.
   * @throws {InvalidArgumentError} when the backend has no such memory ({@link canCreateTensors}).
   * @throws {DisposedError} after `dispose()`.
   */
  createInput(): Tensor {
    return this.#created('createInput');
  }

  /**
   * A tensor of the output shape and layout that the kernel writes in place:
   * pass it as `out` and the run copies no output. Valid until this operator is disposed. It cannot be
   * this operator's `x` (an {@link AliasingError}: every run computes into its memory); copy it out first.
   * @throws {InvalidArgumentError} when the backend has no such memory ({@link canCreateTensors}).
   * @throws {DisposedError} after `dispose()`.
   */
  createOutput(): Tensor {
    return this.#created('createOutput');
  }

  #created(which: 'createInput' | 'createOutput'): Tensor {
    if (this.#disposed) throw new DisposedError(`${this.backend} operator`);
    if (!this.canCreateTensors) throw new InvalidArgumentError(which, 'a backend whose kernel owns its memory (canCreateTensors)', this.backend);
    const g = this.#op.geometry;
    const tensor = this.#op[which]!();
    if (which === 'createInput') return checkTensor('createInput()', tensor, g.inputShape, g.inputLayout);
    const created = checkTensor('createOutput()', tensor, g.outputShape, g.outputLayout);
    if (!this.#createdOutputs.some((data) => sharesMemory(data, created.data))) this.#createdOutputs.push(created.data);
    return created;
  }

  /** Whether {@link runResident} is available on this backend (device memory that outputs can stay in). */
  get canRunResident(): boolean {
    return typeof this.#op.runResident === 'function';
  }

  /**
   * Computes the convolution and keeps the output in the backend's device
   * memory: pass the result as the next operator's input without a round trip
   * to host memory, `read()` it when the host needs it, `dispose()` it after.
   * `x` is a host tensor (validated as in {@link run}) or a resident tensor of
   * this backend with the input shape and layout.
   *
   * @throws {InvalidArgumentError} when the backend keeps no results on a device, or `x` is resident on another backend.
   * @throws {ShapeMismatchError} / {InvalidTensorError} for a tensor of another shape or layout.
   * @throws {DisposedError} after `dispose()`, or for a disposed resident input.
   * @throws {BackendFailureError} when the engine fails while running.
   */
  async runResident(x: Tensor | ResidentTensor): Promise<ResidentTensor> {
    if (this.#disposed) throw new DisposedError(`${this.backend} operator`);
    if (!this.canRunResident) {
      throw new InvalidArgumentError('runResident', 'a backend that keeps results on a device (canRunResident)', this.backend);
    }
    const g = this.#op.geometry;
    let input: Tensor | ResidentTensor;
    if (isResident(x)) {
      if (x.backend !== this.#op.info.backend) throw new InvalidArgumentError('x.backend', JSON.stringify(this.#op.info.backend), x.backend);
      let disposed: boolean;
      try {
        disposed = x.disposed;
      } catch (error) {
        // A wrapper (a Proxy) of a backend's resident tensor cannot reach its private state.
        throw new InvalidArgumentError('x', `a resident tensor returned by runResident (${error instanceof Error ? error.message : String(error)})`, x);
      }
      if (disposed) throw new DisposedError('resident input tensor');
      const shape: unknown = x.shape;
      if (!Array.isArray(shape) || shape.length !== 4) throw new InvalidTensorError('x.shape', 'a 4-D shape [N, C, H, W]', shape);
      if (!sameShape(shape as unknown as Shape4D, g.inputShape)) throw new ShapeMismatchError('x.shape', g.inputShape, shape);
      if (x.layout !== g.inputLayout) throw new InvalidTensorError('x.layout', JSON.stringify(g.inputLayout), x.layout);
      input = x;
    } else {
      input = this.#checkX.check(x);
    }
    try {
      return await this.#op.runResident!(input);
    } catch (error) {
      throw this.#wrap(error);
    }
  }

  /** Releases the backend's packed weights and kernels. Further calls throw {@link DisposedError}. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#op.dispose();
  }

  /**
   * Validates both tensors before anything is written and returns what the
   * backend gets (clean copies of the caller's tensors, `x` snapshotted when
   * it might overlap `out`) and what the caller gets back (its own `out`).
   */
  #validate(x: Tensor, out: Tensor | undefined): [input: Tensor, target: Tensor, result: Tensor] {
    if (this.#disposed) throw new DisposedError(`${this.backend} operator`);
    const input = this.#checkX.check(x);
    // The kernel computes into the memory of createOutput()'s tensor whatever `out` is: as `x`, the run would change it.
    if (this.#createdOutputs.length > 0 && this.#createdOutputs.some((data) => sharesMemory(data, input.data))) {
      throw new AliasingError('x', "this operator's createOutput() tensor (every run writes there)");
    }
    if (out === undefined) {
      const g = this.#op.geometry;
      let fresh: Tensor;
      try {
        fresh = zerosTensor(g.outputShape, g.outputLayout);
      } catch (error) {
        // The engine's typed-array limit (about 2^32 elements in V8) or memory: say so, typed.
        if (!(error instanceof RangeError)) throw error;
        throw new InvalidArgumentError('out', `a tensor to write into: allocating the output of ${g.outputShape.join('×')} float32 values failed here (${error.message})`, out);
      }
      return [input, fresh, fresh];
    }
    const target = this.#checkOut.check(out);
    // Provable overlap implies possible overlap: the common, disjoint case costs one check.
    if (mayShareMemory(target.data, input.data)) {
      if (sharesMemory(target.data, input.data)) throw new AliasingError('out', 'x');
      // Distinct SharedArrayBuffers may map the same bytes (a grown WebAssembly.Memory, a
      // postMessage'd buffer): read all of x before out is written, so overlap cannot change the result.
      return [snapshot(input), target, out];
    }
    return [input, target, out];
  }

  #wrap(error: unknown): Error {
    if (PointwiseError.isInstance(error)) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new BackendFailureError(this.backend, message, { cause: error });
  }
}
