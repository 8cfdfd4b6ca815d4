import {
  DisposedError,
  InvalidTensorError,
  ShapeMismatchError,
  zerosTensor,
  type Conv1x1Geometry,
  type Layout,
  type ResidentTensor,
  type Shape4D,
  type Tensor,
} from '@pointwise/core';
import type { GpuJsTexture } from './gpujs-api.js';

/**
 * A convolution output kept in GL textures of the backend's gpu.js instance
 * (one pipeline texture per image, `[Wo, Ho, ceil(Co/4)]` texels holding 4
 * channels each, channels past `Co` zero): the packing the `vec4` kernel of
 * the next layer reads, so layers chain without a round trip to host memory.
 *
 * Lifetime: until `dispose()`, and at most as long as the operator that made
 * it (disposing the operator disposes the resident tensors it still holds —
 * their textures belong to its GL context and kernels). `read()` after either
 * throws `DisposedError`.
 */
export class GpujsResidentTensor implements ResidentTensor {
  readonly shape: Shape4D;
  readonly layout: Layout;
  readonly backend: string;
  /** The gpu.js instance whose context holds the textures (an operator of another instance cannot read them). */
  readonly owner: object;
  #textures: GpuJsTexture[];
  readonly #read: (texture: GpuJsTexture, out: Float32Array, base: number) => void;
  readonly #onDispose: (tensor: GpujsResidentTensor) => void;
  #disposed = false;

  constructor(
    backend: string,
    owner: object,
    geometry: Conv1x1Geometry,
    textures: GpuJsTexture[],
    read: (texture: GpuJsTexture, out: Float32Array, base: number) => void,
    onDispose: (tensor: GpujsResidentTensor) => void,
  ) {
    this.backend = backend;
    this.owner = owner;
    this.shape = geometry.outputShape;
    this.layout = geometry.outputLayout;
    this.#textures = textures;
    this.#read = read;
    this.#onDispose = onDispose;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /**
   * The texture of image `n` (what the next layer's kernel reads).
   * @throws {DisposedError} after `dispose()`.
   */
  texture(n: number): GpuJsTexture {
    if (this.#disposed) throw new DisposedError('gpujs resident tensor');
    return this.#textures[n];
  }

  /**
   * Copies the values to host memory (one `readPixels` per image), into `out` or a new tensor.
   * @throws {DisposedError} after `dispose()` (or after the operator that made it was disposed).
   * @throws {ShapeMismatchError} / {InvalidTensorError} for an `out` of another shape, layout or length.
   */
  async read(out?: Tensor): Promise<Tensor> {
    if (this.#disposed) throw new DisposedError('gpujs resident tensor');
    const target = out ?? zerosTensor(this.shape, this.layout);
    if (target.shape.some((s, i) => s !== this.shape[i])) throw new ShapeMismatchError('out', this.shape, target.shape);
    if (target.layout !== this.layout) throw new InvalidTensorError('out.layout', JSON.stringify(this.layout), target.layout);
    const perImage = this.shape[1] * this.shape[2] * this.shape[3];
    if (!(target.data instanceof Float32Array) || target.data.length !== perImage * this.shape[0]) {
      throw new InvalidTensorError('out.data', `a Float32Array of ${perImage * this.shape[0]} values`, target.data);
    }
    for (let n = 0; n < this.#textures.length; n++) this.#read(this.#textures[n], target.data, n * perImage);
    return target;
  }

  /** Frees the textures. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const texture of this.#textures) {
      try {
        texture.delete();
      } catch {
        // gone with its context
      }
    }
    this.#textures = [];
    this.#onDispose(this);
  }
}
