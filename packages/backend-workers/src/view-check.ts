import { BackendFailureError, float32Length } from '@pointwise/core';

/**
 * Checks, when a run actually touches a caller's tensor, that its data still
 * has the element count core validated when `run()` was called. A pooled run
 * starts after earlier runs of its operator (it takes a turn) and copies a
 * plain output back after awaiting its threads, so in between the caller may
 * have detached the array's `ArrayBuffer` (transferred it) or resized a
 * resizable one: a fixed-length view then reads as length 0 (ECMA-262
 * §10.4.5, out of bounds), a length-tracking view as its new length. Copying
 * from or to such a view would silently copy nothing or part of the tensor,
 * leaving the previous run's data in its place.
 *
 * @param backend the backend name the error carries.
 * @param tensor which tensor (`'input'` or `'output'`), named in the message.
 * @param data the view the backend was given (core's clean view of `x.data` / `out.data`).
 * @param length the element count the operator's shape requires.
 * @throws {BackendFailureError} when the view's real length is not `length` (nothing has been read or written).
 */
export function assertTensorIntact(backend: string, tensor: 'input' | 'output', data: Float32Array, length: number): void {
  const actual = float32Length(data);
  if (actual !== length) {
    throw new BackendFailureError(
      backend,
      `the ${tensor} tensor's data was resized or detached since run() was called (it holds ${actual} elements, the run needs ${length}); nothing was written`,
    );
  }
}
