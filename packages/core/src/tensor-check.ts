import { InvalidTensorError, ShapeMismatchError } from './errors.js';
import { readTensor, shapeSize, type Layout, type Shape4D, type Tensor } from './tensor.js';
import { float32Length } from './typed-array.js';

/**
 * The check an operator applies to every tensor of one parameter (`x` or
 * `out`) on every run: the caller's tensor must have the prepared shape and
 * layout and genuine `Float32Array` data of the matching length (see
 * {@link readTensor}). What a backend gets is a clean, frozen tensor
 * (`{ shape, layout, data }`, `data` a view made from the array's internal
 * slots).
 *
 * Every call checks everything, but the common case — a data array this check
 * accepted before — allocates nothing and builds no message: the shape's
 * four sizes, the layout and the array's real length are compared with the
 * prepared ones, and the clean tensor made for that array is returned (a view's
 * buffer and byte offset never change, and a length equal to the prepared one
 * means the view is in bounds, so the clean view is still exact). A tiny
 * layer's run takes about 1 µs; building the clean copy and its error-message
 * strings afresh each call was about half of it. Any other tensor goes
 * through {@link readTensor}, which types what is wrong.
 */
export class TensorCheck {
  readonly #parameter: string;
  readonly #shape: Shape4D;
  readonly #layout: Layout;
  readonly #length: number;
  /**
   * The clean tensor made for each caller's data array this check accepted (weakly held: an
   * operator must not keep a caller's input alive; a lookup is a few nanoseconds).
   */
  readonly #clean = new WeakMap<Float32Array, Tensor>();

  /**
   * @param parameter the name used in error messages (`x`, `out`).
   * @param shape the prepared logical shape `[N, C, H, W]` (kept: pass a frozen one).
   * @param layout the prepared layout.
   */
  constructor(parameter: string, shape: Shape4D, layout: Layout) {
    this.#parameter = parameter;
    this.#shape = shape;
    this.#layout = layout;
    this.#length = shapeSize(shape);
  }

  /**
   * Reads `tensor`'s `shape`, `layout` and `data` once each and returns the
   * clean tensor a backend gets (frozen; the data is not copied).
   * @throws {InvalidTensorError} / {InvalidArgumentError} for a malformed tensor (as {@link readTensor}).
   * @throws {ShapeMismatchError} for a tensor of another shape.
   * @throws {InvalidTensorError} for another layout.
   */
  check(tensor: unknown): Tensor {
    if (typeof tensor !== 'object' || tensor === null) return this.#full(tensor);
    const t = tensor as Partial<Tensor>;
    const shape: unknown = t.shape;
    const layout: unknown = t.layout;
    const data: unknown = t.data;
    const s = this.#shape;
    // A key of the map is a genuine Float32Array (its kind cannot change); anything else finds nothing.
    const clean = this.#clean.get(data as Float32Array);
    if (
      clean !== undefined &&
      layout === this.#layout &&
      Array.isArray(shape) &&
      shape.length === 4 &&
      shape[0] === s[0] &&
      shape[1] === s[1] &&
      shape[2] === s[2] &&
      shape[3] === s[3] &&
      // Only a detach or a resizable buffer's shrink changes a view's length.
      float32Length(data as Float32Array) === this.#length
    ) {
      return clean;
    }
    // The values read above, not the caller's object again: a getter is read once per call.
    return this.#full({ shape, layout, data });
  }

  #full(tensor: unknown): Tensor {
    const parameter = this.#parameter;
    const read = readTensor(parameter, tensor);
    const s = this.#shape;
    const shape = read.shape;
    if (shape[0] !== s[0] || shape[1] !== s[1] || shape[2] !== s[2] || shape[3] !== s[3]) {
      throw new ShapeMismatchError(`${parameter}.shape`, s, shape);
    }
    if (read.layout !== this.#layout) throw new InvalidTensorError(`${parameter}.layout`, JSON.stringify(this.#layout), read.layout);
    const clean = Object.freeze({ shape: s, layout: this.#layout, data: read.data });
    this.#clean.set((tensor as Tensor).data, clean);
    return clean;
  }
}
