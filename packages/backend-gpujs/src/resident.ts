import {
  DisposedError,
  InvalidArgumentError,
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

/** What a resident tensor holds per image: a GL pipeline texture, or a WebGPU storage buffer (`WebGpuImageBuffer`). */
export interface ResidentImage {
  /** Frees the device memory (GL `texture.delete()`, WebGPU `buffer.destroy()`). */
  delete(): void;
}

/**
 * A convolution output kept in device memory of the backend's gpu.js instance,
 * one handle per image (GL modes: a pipeline texture of `[Wo, Ho, ceil(Co/4)]`
 * texels; `webgpu`: a storage buffer of `[ceil(Co/4)][Ho][Wo]` vec4s), 4
 * channels per element, channels past `Co` zero: the packing the `vec4` kernel
 * of the next layer reads, so layers chain without a round trip to host memory.
 *
 * Lifetime: until `dispose()`, and at most as long as the operator that made
 * it (disposing the operator disposes the resident tensors it still holds —
 * their textures belong to its GL context and kernels). `read()` after either
 * throws `DisposedError`.
 */
export class GpujsResidentTensor<Image extends ResidentImage = GpuJsTexture> implements ResidentTensor {
  readonly shape: Shape4D;
  readonly layout: Layout;
  readonly backend: string;
  /** The gpu.js instance whose context holds the textures (an operator of another instance cannot read them). */
  readonly owner: object;
  #textures: Image[];
  readonly #read: (image: Image, out: Float32Array, base: number) => void | Promise<void>;
  readonly #onDispose: (tensor: GpujsResidentTensor<Image>) => void;
  #disposed = false;

  constructor(
    backend: string,
    owner: object,
    geometry: Conv1x1Geometry,
    textures: Image[],
    read: (image: Image, out: Float32Array, base: number) => void | Promise<void>,
    onDispose: (tensor: GpujsResidentTensor<Image>) => void,
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
   * The texture (GL) or buffer (WebGPU) of image `n`: what the next layer's kernel reads.
   * @throws {DisposedError} after `dispose()`.
   */
  texture(n: number): Image {
    if (this.#disposed) throw new DisposedError('gpujs resident tensor');
    return this.#textures[n];
  }

  /**
   * Copies the values to host memory (one `readPixels` / `mapAsync` per image), into `out` or a new tensor.
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
    for (let n = 0; n < this.#textures.length; n++) {
      await this.#read(this.#textures[n], target.data, n * perImage);
      // Disposed while a read was pending (WebGPU reads wait for the device).
      if (this.#disposed) throw new DisposedError('gpujs resident tensor');
    }
    return target;
  }

  /** Frees the device memory. Idempotent. */
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

/**
 * The resident input of a `runResident` call on an operator of the gpu.js instance `owner`, or
 * `null` for a host tensor.
 * @throws {InvalidArgumentError} for a resident tensor of another backend or gpu.js instance.
 * @throws {DisposedError} for a disposed resident tensor.
 */
export function residentInput<Image extends ResidentImage>(x: Tensor | ResidentTensor, owner: object): GpujsResidentTensor<Image> | null {
  // An operator's resident outputs hold the image kind of its mode; the owner check keeps other instances out.
  const resident = x instanceof GpujsResidentTensor ? (x as GpujsResidentTensor<Image>) : null;
  if (resident === null && !('data' in x)) {
    throw new InvalidArgumentError('x', 'a host tensor or a resident tensor of this gpujs backend', x.backend);
  }
  if (resident !== null) {
    if (resident.owner !== owner) throw new InvalidArgumentError('x', 'a resident tensor of this gpujs backend instance', 'one of another instance');
    if (resident.disposed) throw new DisposedError('gpujs resident tensor');
  }
  return resident;
}

/**
 * The resident outputs an operator has handed out and that are still alive:
 * they are disposed with the operator, since their images live in its
 * context. Each operator of either kind (GL textures, WebGPU buffers) keeps one.
 */
export class ResidentOutputs<Image extends ResidentImage> {
  readonly #alive = new Set<GpujsResidentTensor<Image>>();

  /**
   * A resident tensor over `images` (one per image of the batch, of `geometry`'s output), tracked
   * until it or the operator is disposed.
   * @param backend registry name stamped on the tensor; `owner` the gpu.js instance holding the images.
   */
  issue(
    backend: string,
    owner: object,
    geometry: Conv1x1Geometry,
    images: Image[],
    read: (image: Image, out: Float32Array, base: number) => void | Promise<void>,
  ): GpujsResidentTensor<Image> {
    const tensor = new GpujsResidentTensor<Image>(backend, owner, geometry, images, read, (disposed) => this.#alive.delete(disposed));
    this.#alive.add(tensor);
    return tensor;
  }

  /** Disposes every resident tensor still alive (the operator's `dispose`). */
  disposeAll(): void {
    for (const tensor of [...this.#alive]) tensor.dispose();
  }
}
