import type { Layout } from './tensor.js';

/**
 * Activation fused into the output store.
 * - `'none'`: identity;
 * - `'relu'`: `max(v, 0)` (PyTorch `relu`);
 * - `'relu6'`: `min(max(v, 0), 6)` (PyTorch `relu6`, ONNX `Clip(0, 6)`);
 * - `{ type: 'clamp', min, max }`: `min(max(v, min), max)` (PyTorch `clamp` / `hardtanh`, ONNX `Clip`).
 * NaN stays NaN under every activation, as in PyTorch.
 */
export type Activation = 'none' | 'relu' | 'relu6' | { readonly type: 'clamp'; readonly min: number; readonly max: number };

/**
 * Convolution options, PyTorch `conv2d` / ONNX `Conv` semantics for a 1×1 kernel.
 */
export interface Conv1x1Options {
  /** Output pixel step, `s` or `[sH, sW]`; integers ≥ 1. Default 1. */
  readonly stride?: number | readonly [number, number];
  /**
   * Zero padding in pixels, integers ≥ 0: `p` (all sides), `[pH, pW]` (PyTorch:
   * top = bottom = pH, left = right = pW) or `[top, left, bottom, right]`
   * (ONNX `pads` order). Padded output cells hold `activation(bias)`. Default 0.
   */
  readonly padding?: number | readonly [number, number] | readonly [number, number, number, number];
  /** Accepted for API compatibility (integers ≥ 1) and ignored: dilation does not change a 1×1 kernel. */
  readonly dilation?: number | readonly [number, number];
  /** Channel groups; divides both `Ci` and `Co`. Default 1. `groups = Ci = Co` is a depthwise 1×1. */
  readonly groups?: number;
  /** Fused activation. Default `'none'`. */
  readonly activation?: Activation;
  /** Memory order of the output; defaults to the input's layout. */
  readonly outputLayout?: Layout;
}

/**
 * Weights of a 1×1 convolution: `Co` filters of `Ci/groups` values, row-major
 * `[Co, Ci/groups]`, also accepted as PyTorch's `[Co, Ci/groups, 1, 1]`.
 */
export interface WeightsInput {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/** Everything that fixes an operator except the input data. */
export interface Conv1x1Params extends Conv1x1Options {
  /** Weights `[Co, Ci/groups]` or `[Co, Ci/groups, 1, 1]`. */
  readonly weights: WeightsInput;
  /** Optional bias, one value per output channel (`[Co]`). */
  readonly bias?: Float32Array | null;
}
