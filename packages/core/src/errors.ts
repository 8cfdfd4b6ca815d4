/**
 * Typed errors of Pointwise. Every backend throws these same classes for the
 * same bad input, so callers can branch on the class rather than the message.
 *
 * Messages name the parameter, what was expected and what was received (the
 * convention of TensorFlow.js's and ONNX Runtime's argument checks).
 *
 * `instanceof` fails when two copies of this package are loaded (bundlers,
 * nested node_modules); `PointwiseError.isInstance(e)` checks a
 * `Symbol.for` marker instead and works across copies.
 */

import { closestName, didYouMean } from './suggest.js';

const MARKER = Symbol.for('@pointwise/core.error');

/** Stable machine-readable codes, one per error class. */
export type PointwiseErrorCode =
  | 'INVALID_ARGUMENT'
  | 'SHAPE_MISMATCH'
  | 'INVALID_TENSOR'
  | 'ALIASING'
  | 'UNKNOWN_BACKEND'
  | 'BACKEND_UNAVAILABLE'
  | 'BACKEND_FAILURE'
  | 'BACKEND_CAPACITY'
  | 'DISPOSED';

// Explicit names: `new.target.name` would be mangled by a minifier (`_`), the code is stable.
const ERROR_NAMES: Readonly<Record<PointwiseErrorCode, string>> = {
  INVALID_ARGUMENT: 'InvalidArgumentError',
  SHAPE_MISMATCH: 'ShapeMismatchError',
  INVALID_TENSOR: 'InvalidTensorError',
  ALIASING: 'AliasingError',
  UNKNOWN_BACKEND: 'UnknownBackendError',
  BACKEND_UNAVAILABLE: 'BackendUnavailableError',
  BACKEND_FAILURE: 'BackendFailureError',
  BACKEND_CAPACITY: 'BackendCapacityError',
  DISPOSED: 'DisposedError',
};

/**
 * Base class of every error Pointwise throws on purpose. `code` is the stable
 * field to branch on (it survives minification and duplicate copies of this
 * package); `name` is set from it.
 */
export class PointwiseError extends Error {
  readonly code: PointwiseErrorCode;
  readonly [MARKER] = true;

  constructor(code: PointwiseErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = ERROR_NAMES[code];
    this.code = code;
  }

  /** True for any Pointwise error, also one thrown by another copy of this package. */
  static isInstance(error: unknown): error is PointwiseError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }
}

/**
 * @internal `text` as a JSON string literal with every control character escaped: JSON escapes the C0
 * controls, and this DEL and C1 too (U+009B opens a terminal escape sequence on its own), so a message
 * or table that prints it is plain text.
 */
export function quotePrintable(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const MAX_LISTED = 8;
const MAX_STRING = 120;
/** Array levels whose elements are listed; deeper arrays are summarised by length. */
const MAX_DEPTH = 2;

/**
 * Renders a received value for an error message: short and unambiguous,
 * whatever its size (arrays and typed arrays are summarised by type, length
 * and their first values, arrays nested deeper than two levels by their
 * length only; long strings are cut).
 */
export function describeValue(value: unknown): string {
  return describeAt(value, 0);
}

/**
 * {@link describeValue} at nesting level `depth`: a level cap, because listing nested arrays recursively
 * overflowed the stack on a 10⁵-deep array (a RangeError instead of the typed error being built) and grew
 * as 8^depth on an array holding itself eight times per level.
 */
function describeAt(value: unknown, depth: number): string {
  if (Array.isArray(value) && depth >= MAX_DEPTH) return `Array(length ${value.length})`;
  const describe = (v: unknown) => describeAt(v, depth + 1);
  if (typeof value === 'string') {
    return quotePrintable(value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value);
  }
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'bigint') return `${value}n (a bigint)`;
  if (Array.isArray(value)) {
    if (value.length <= MAX_LISTED) return `[${value.map(describe).join(', ')}]`;
    return `Array(length ${value.length}) [${value.slice(0, MAX_LISTED).map(describe).join(', ')}, …]`;
  }
  if (ArrayBuffer.isView(value)) {
    const tag = (Object.prototype.toString.call(value) as string).slice(8, -1);
    try {
      return `${tag}(length ${(value as unknown as { length?: number }).length ?? value.byteLength})`;
    } catch {
      return tag;
    }
  }
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'object') {
    try {
      return (value as { constructor?: { name?: string } }).constructor?.name || 'object';
    } catch {
      return 'object';
    }
  }
  return String(value);
}

/**
 * An option or size has a value outside its domain (stride < 1, negative or
 * fractional padding, `groups` that does not divide `Ci`, a NaN size, an unknown
 * activation or layout).
 */
export class InvalidArgumentError extends PointwiseError {
  readonly parameter: string;
  readonly expected: string;
  readonly received: unknown;
  /** The known value the received one most likely meant (a misspelt option key), also named in the message as `(did you mean "…"?)`. */
  readonly suggestion?: string;

  /** @param suggestion a close known value, appended to the message as `(did you mean "…"?)`; see `closestName`. */
  constructor(parameter: string, expected: string, received: unknown, suggestion?: string) {
    super('INVALID_ARGUMENT', `${parameter}: expected ${expected}, received ${describeValue(received)}${didYouMean(suggestion)}`);
    this.parameter = parameter;
    this.expected = expected;
    this.received = received;
    if (suggestion !== undefined) this.suggestion = suggestion;
  }
}

/**
 * Two shapes that must agree do not: weights vs. input channels, bias vs.
 * `Co`, an `out` tensor vs. the output shape, a run input vs. the shape the
 * operator was prepared for.
 */
export class ShapeMismatchError extends PointwiseError {
  readonly parameter: string;
  readonly expected: readonly number[];
  readonly received: readonly number[];

  constructor(parameter: string, expected: readonly number[], received: readonly number[], detail = '') {
    super(
      'SHAPE_MISMATCH',
      `${parameter}: expected shape [${expected.join(', ')}], received [${received.join(', ')}]${detail ? ` (${detail})` : ''}`,
    );
    this.parameter = parameter;
    this.expected = expected;
    this.received = received;
  }
}

/**
 * A tensor is malformed in itself: data that is not a `Float32Array`, a data
 * length that differs from the product of the shape, a layout other than
 * `'NCHW'`/`'NHWC'`, a layout that differs from the one required.
 */
export class InvalidTensorError extends PointwiseError {
  readonly parameter: string;

  constructor(parameter: string, expected: string, received: unknown) {
    super('INVALID_TENSOR', `${parameter}: expected ${expected}, received ${describeValue(received)}`);
    this.parameter = parameter;
  }
}

/** An `out` tensor shares memory with an input (the result would overwrite what it reads). */
export class AliasingError extends PointwiseError {
  constructor(parameter: string, other: string) {
    super('ALIASING', `${parameter}: must not share memory with ${other}`);
  }
}

/**
 * A backend name that no registry entry carries. When a registered name is
 * close (Levenshtein distance ≤ 2, or a prefix either way: see `closestName`)
 * the message ends with `(did you mean "…"?)` and `suggestion` holds it.
 */
export class UnknownBackendError extends PointwiseError {
  readonly backend: string;
  readonly known: readonly string[];
  /** The registered name closest to `backend`, when one is close enough to suggest. */
  readonly suggestion?: string;

  /** @param parameter where the name came from: `backend` (an option) or `POINTWISE_BACKEND` (the environment). */
  constructor(backend: string, known: readonly string[], parameter = 'backend') {
    const suggestion = closestName(backend, known);
    super(
      'UNKNOWN_BACKEND',
      `${parameter}: expected one of ${known.map((k) => JSON.stringify(k)).join(', ') || '(none registered)'}, received ${JSON.stringify(backend)}${didYouMean(suggestion)}`,
    );
    this.backend = backend;
    this.known = known;
    if (suggestion !== undefined) this.suggestion = suggestion;
  }
}

/** One backend's failed attempt during selection, kept with its reason. */
export interface BackendAttempt {
  readonly backend: string;
  readonly reason: string;
}

/**
 * No backend of a selection could be used: every one was unavailable or
 * failed `init()`. `attempts` lists each with its reason (ONNX Runtime's
 * approach of one error that lists every execution provider tried).
 */
export class BackendUnavailableError extends PointwiseError {
  readonly attempts: readonly BackendAttempt[];

  constructor(attempts: readonly BackendAttempt[], strict = false) {
    const list = attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ');
    super(
      'BACKEND_UNAVAILABLE',
      `${strict ? 'the requested backend is not available' : 'no requested backend is available'} (${list || 'nothing requested'})`,
    );
    this.attempts = attempts;
  }
}

/**
 * A backend failed while running (a worker thread died, a GPU context was
 * lost, a kernel failed to compile). The operator stays usable where the
 * backend can recover.
 */
export class BackendFailureError extends PointwiseError {
  readonly backend: string;

  constructor(backend: string, message: string, options?: { cause?: unknown }) {
    super('BACKEND_FAILURE', `${backend}: ${message}`, options);
    this.backend = backend;
  }
}

/** An operator or backend was used after `dispose()`. */
export class DisposedError extends PointwiseError {
  constructor(what: string) {
    super('DISPOSED', `${what} was used after dispose()`);
  }
}

/**
 * A valid problem exceeds a limit of one backend (WebAssembly's 4 GiB memory,
 * a GPU's texture size, a ceiling on live operators). It is never the
 * caller's mistake: `prepareConv1x1` records it as that backend's reason and
 * falls back to the next one in the selection, the way ONNX Runtime assigns a
 * node an execution provider only when the provider can take it.
 */
export class BackendCapacityError extends PointwiseError {
  readonly backend: string;
  /** The limit that was reached, e.g. `wasm memory 4294967296 bytes`. */
  readonly limit: string;

  constructor(backend: string, limit: string, detail: string) {
    super('BACKEND_CAPACITY', `${backend}: this problem exceeds ${limit} (${detail})`);
    this.backend = backend;
    this.limit = limit;
  }
}
