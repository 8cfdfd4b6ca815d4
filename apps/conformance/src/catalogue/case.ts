import type { Layout } from '@pointwise/core';

/**
 * A number as JSON can carry it: finite numbers as numbers, the IEEE special
 * values as the strings `"NaN"`, `"Infinity"`, `"-Infinity"` and `"-0"`.
 */
export type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity' | '-0';

/** The tiers of the catalogue, in the order the matrix prints them. */
export const TIERS = ['edge', 'layers', 'network', 'property', 'errors', 'file'] as const;

/** A catalogue tier: `file` holds cases loaded with `--cases`. */
export type Tier = (typeof TIERS)[number];

/** Convolution options of a case: core's `Conv1x1Options` in JSON form. */
export interface CaseOptions {
  readonly stride?: number | readonly [number, number];
  /** `p`, `[pH, pW]` or `[top, left, bottom, right]`. */
  readonly padding?: number | readonly [number, number] | readonly [number, number, number, number];
  readonly dilation?: number | readonly [number, number];
  readonly groups?: number;
  readonly activation?: 'none' | 'relu' | 'relu6' | { readonly type: 'clamp'; readonly min: JsonNumber; readonly max: JsonNumber };
}

/**
 * Where a case's numbers come from: inline values, or a named generator that
 * produces them deterministically (sizes come from the case).
 * - `values`: the numbers themselves, in the tensor's memory order;
 * - `uniform`: seeded uniform floats in `[min, max)` (default `[-1, 1)`);
 * - `integers`: seeded integers in `[min, max]` (small ones make every float32 sum exact);
 * - `special`: seeded normals mixed with NaN, ±Inf, −0, ±subnormals and 0, each with probability `fraction / 6`;
 * - `constant`: every element `value`;
 * - `ramp`: element `i` is `start + i·step`;
 * - `ssd-mobilenet-v1`: the real network tier's tensors (see `network/`): layer `layer`'s input, weights, bias or TF.js output.
 */
export type DataSource =
  | { readonly values: readonly JsonNumber[] }
  | { readonly generator: 'uniform'; readonly seed: number; readonly min?: number; readonly max?: number }
  | { readonly generator: 'integers'; readonly seed: number; readonly min: number; readonly max: number }
  | { readonly generator: 'special'; readonly seed: number; readonly fraction?: number; readonly scale?: number }
  | { readonly generator: 'constant'; readonly value: JsonNumber }
  | { readonly generator: 'ramp'; readonly start?: number; readonly step?: number }
  | { readonly generator: 'ssd-mobilenet-v1'; readonly layer: string; readonly image?: string; readonly inputSize?: number };

/**
 * How close a case's `expected` output must be:
 * - `boundFactor`: within `boundFactor ×` the bound of README “Accuracy” (use 2 when
 *   `expected` came from another float32 engine, which may sit a whole bound away on the other side);
 * - `atol` / `rtol`: `|actual − expected| ≤ atol + rtol·|expected|`.
 * NaN positions must match either way.
 */
export type Tolerance = { readonly boundFactor: number } | { readonly atol?: number; readonly rtol?: number };

/**
 * One conformance case: a problem, its data and, optionally, an expected
 * output. JSON-serialisable; its `name` encodes the parameters.
 */
export interface ConformanceCase {
  readonly name: string;
  readonly tier: Tier;
  /** What the case is about, for reports. */
  readonly description?: string;
  /** Logical input shape `[N, Ci, H, W]`. */
  readonly inputShape: readonly [number, number, number, number];
  readonly inputLayout: Layout;
  /** Defaults to `inputLayout`. */
  readonly outputLayout?: Layout;
  /** `Co`. */
  readonly outChannels: number;
  readonly options?: CaseOptions;
  /** `N·Ci·H·W` values in `inputLayout` memory order. */
  readonly input: DataSource;
  /** `Co·Ci/groups` values, row-major `[Co, Ci/groups]`. */
  readonly weights: DataSource;
  /** `Co` values, or absent / `null` for no bias. */
  readonly bias?: DataSource | null;
  /** An output to compare with besides the reference (`N·Co·Ho·Wo` values in the output layout). */
  readonly expected?: { readonly output: DataSource; readonly tolerance?: Tolerance; readonly source?: string };
  /** Also check the reference against ONNX Runtime and TensorFlow.js on this case. */
  readonly witnesses?: boolean;
}

/** The error classes of `@pointwise/core`, by name. */
export type ErrorClassName =
  | 'InvalidArgumentError'
  | 'ShapeMismatchError'
  | 'InvalidTensorError'
  | 'AliasingError'
  | 'UnknownBackendError'
  | 'DisposedError';

/**
 * What makes an error case invalid, applied to its otherwise valid base case:
 * - `option`: sets `problem[key]` to `value` (e.g. `stride: 0`, `groups: 5`, `padding: -1`);
 * - `inputShape`: prepares with this `[N, Ci, H, W]` (non-integer or non-finite sizes);
 * - `weightsShape` / `weightsLength` / `weightsType`: malformed weights;
 * - `biasLength`: a bias of another length than `Co`;
 * - `runInput`: runs on an `x` with another shape, layout or data length than prepared;
 * - `out`: runs into an `out` of another shape or layout, or one aliasing `x`;
 * - `backendName`: asks for a backend that is not registered;
 * - `useAfterDispose`: runs the operator after `dispose()`.
 */
export type Fault =
  | { readonly kind: 'option'; readonly key: 'stride' | 'padding' | 'dilation' | 'groups' | 'activation' | 'outputLayout' | 'inputLayout'; readonly value: unknown }
  | { readonly kind: 'inputShape'; readonly shape: readonly JsonNumber[] }
  | { readonly kind: 'weightsShape'; readonly shape: readonly number[] }
  | { readonly kind: 'weightsLength'; readonly length: number }
  | { readonly kind: 'weightsType'; readonly type: 'Float64Array' | 'Array' }
  | { readonly kind: 'biasLength'; readonly length: number }
  | { readonly kind: 'runInput'; readonly shape?: readonly number[]; readonly layout?: string; readonly length?: number }
  | { readonly kind: 'out'; readonly shape?: readonly number[]; readonly layout?: string; readonly aliasInput?: boolean }
  | { readonly kind: 'backendName'; readonly name: string }
  | { readonly kind: 'useAfterDispose' };

/** An invalid input and the error class every backend must raise for it. */
export interface ErrorCase {
  readonly name: string;
  readonly tier: 'errors';
  readonly base: ConformanceCase;
  readonly fault: Fault;
  readonly expectedError: ErrorClassName;
}

/** Anything in the catalogue. */
export type CatalogueEntry = ConformanceCase | ErrorCase;

/** True for an {@link ErrorCase}. */
export function isErrorCase(entry: CatalogueEntry): entry is ErrorCase {
  return 'fault' in entry;
}
