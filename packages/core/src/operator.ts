import type { BackendCapabilities, BackendOperator, ExecutionInfo } from './backend.js';
import { AliasingError, BackendFailureError, DisposedError, InvalidArgumentError, InvalidTensorError, PointwiseError, ShapeMismatchError } from './errors.js';
import type { Conv1x1Geometry } from './geometry.js';
import { assertTensor, sharesMemory, zerosTensor, type Layout, type Shape4D, type Tensor } from './tensor.js';

function sameShape(a: Shape4D, b: Shape4D): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}

function checkTensor(parameter: string, tensor: Tensor, shape: Shape4D, layout: Layout): void {
  assertTensor(parameter, tensor);
  if (!sameShape(tensor.shape, shape)) throw new ShapeMismatchError(`${parameter}.shape`, shape, tensor.shape);
  if (tensor.layout !== layout) throw new InvalidTensorError(`${parameter}.layout`, JSON.stringify(layout), tensor.layout);
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
  #disposed = false;

  /** @internal Created by `prepareConv1x1`. */
  constructor(op: BackendOperator, capabilities: BackendCapabilities) {
    this.#op = op;
    this.#capabilities = capabilities;
  }

  /** The normalised geometry the operator was prepared for. */
  get geometry(): Conv1x1Geometry {
    return this.#op.geometry;
  }

  /** Which backend runs this operator, and with what (gpu.js mode, threads, microkernel). */
  get info(): ExecutionInfo {
    return this.#op.info;
  }

  /** Name of the backend that runs this operator. */
  get backend(): string {
    return this.#op.info.backend;
  }

  /** The backend's declared capabilities (precision, sync support, threads, limits). */
  get capabilities(): BackendCapabilities {
    return this.#capabilities;
  }

  /** Whether {@link runSync} is available on this backend. */
  get canRunSync(): boolean {
    return this.#capabilities.sync && typeof this.#op.runSync === 'function';
  }

  /**
   * Computes the convolution of `x` (shape `geometry.inputShape`, layout
   * `geometry.inputLayout`) into `out` (shape `geometry.outputShape`, layout
   * `geometry.outputLayout`), allocated when absent. `x` is never modified.
   *
   * @returns the output tensor (`out` when given).
   * @throws {ShapeMismatchError} / {InvalidTensorError} for a tensor of another shape, layout or length.
   * @throws {AliasingError} when `out` shares memory with `x`.
   * @throws {DisposedError} after `dispose()`.
   * @throws {BackendFailureError} when the engine fails while running.
   */
  async run(x: Tensor, out?: Tensor): Promise<Tensor> {
    const target = this.#validate(x, out);
    if (target.data.length === 0) return target;
    try {
      await this.#op.run(x, target);
    } catch (error) {
      throw this.#wrap(error);
    }
    return target;
  }

  /**
   * Synchronous {@link run}, for backends whose capabilities say `sync`.
   * @throws {InvalidArgumentError} when the backend cannot run synchronously; otherwise as {@link run}.
   */
  runSync(x: Tensor, out?: Tensor): Tensor {
    if (!this.canRunSync) {
      throw new InvalidArgumentError('runSync', 'a backend that runs synchronously (capabilities.sync)', this.backend);
    }
    const target = this.#validate(x, out);
    if (target.data.length === 0) return target;
    try {
      this.#op.runSync!(x, target);
    } catch (error) {
      throw this.#wrap(error);
    }
    return target;
  }

  /** Releases the backend's packed weights and kernels. Further calls throw {@link DisposedError}. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#op.dispose();
  }

  #validate(x: Tensor, out: Tensor | undefined): Tensor {
    if (this.#disposed) throw new DisposedError(`${this.backend} operator`);
    const g = this.#op.geometry;
    checkTensor('x', x, g.inputShape, g.inputLayout);
    if (out === undefined) return zerosTensor(g.outputShape, g.outputLayout);
    checkTensor('out', out, g.outputShape, g.outputLayout);
    if (sharesMemory(out.data, x.data)) throw new AliasingError('out', 'x');
    return out;
  }

  #wrap(error: unknown): Error {
    if (PointwiseError.isInstance(error)) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new BackendFailureError(this.backend, message, { cause: error });
  }
}
