import { InvalidTensorError } from './errors.js';

// The %TypedArray%.prototype accessors, read once: they see a typed array's
// internal slots, so an own `length` property or a Proxy cannot lie to them
// (ECMA-262 §23.2.3). `@@toStringTag` returns undefined for anything that is
// not a real typed array (a Proxy included) instead of throwing.
const TYPED_ARRAY_PROTOTYPE = Object.getPrototypeOf(Uint8Array.prototype) as object;
function intrinsicGetter(key: PropertyKey): (this: unknown) => unknown {
  return Object.getOwnPropertyDescriptor(TYPED_ARRAY_PROTOTYPE, key)!.get! as (this: unknown) => unknown;
}
const TAG = intrinsicGetter(Symbol.toStringTag);
const LENGTH = intrinsicGetter('length');
const BUFFER = intrinsicGetter('buffer');
const BYTE_OFFSET = intrinsicGetter('byteOffset');

/** True when `value` is a genuine `Float32Array` (not a Proxy, not another typed array). */
export function isFloat32Array(value: unknown): value is Float32Array {
  return TAG.call(value) === 'Float32Array';
}

/** The element count of a genuine `Float32Array` from its internal slot (0 once detached). */
export function float32Length(value: Float32Array): number {
  return LENGTH.call(value) as number;
}

/**
 * A fresh `Float32Array` view over the same memory as `value`, built from
 * its internal slots: no own properties, no Proxy, the real length. What a
 * backend receives, so that nothing the caller attached to the object can
 * change what is read or written.
 *
 * @param parameter the name used in the error message (`x.data`, `weights.data`).
 * @param value the caller's array.
 * @param expectedLength the element count the shape requires.
 * @throws {InvalidTensorError} when `value` is not a genuine `Float32Array`
 *   (with a hint for plain arrays) or its real length differs from `expectedLength`.
 */
export function float32View(parameter: string, value: unknown, expectedLength: number, lengthReason = ''): Float32Array {
  if (!isFloat32Array(value)) {
    const hint = Array.isArray(value)
      ? ' (wrap a number[] as new Float32Array(values))'
      : value instanceof Float32Array
        ? ' (received an object that only claims to be one, such as a Proxy)'
        : '';
    throw new InvalidTensorError(parameter, `a Float32Array${hint}`, value);
  }
  const length = float32Length(value);
  if (length !== expectedLength) {
    throw new InvalidTensorError(parameter, `length ${expectedLength}${lengthReason}`, value);
  }
  if (length === 0) return new Float32Array(0);
  const buffer = BUFFER.call(value) as ArrayBufferLike;
  const byteOffset = BYTE_OFFSET.call(value) as number;
  // A view's buffer, offset and length never change (only a detach zeroes the length, checked above),
  // so the clean view made for this array last time is still exact: reuse it (a run validates every call).
  const cached = CLEAN_VIEWS.get(value);
  if (cached !== undefined && cached.buffer === buffer && cached.byteOffset === byteOffset && cached.length === length) return cached;
  const view = new Float32Array(buffer, byteOffset, length);
  CLEAN_VIEWS.set(value, view);
  return view;
}

/** The clean view made for each caller array (weakly held: it goes with the array). */
const CLEAN_VIEWS = new WeakMap<Float32Array, Float32Array>();
