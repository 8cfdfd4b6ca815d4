import type { MaterializedCase } from '../catalogue/materialize.js';

/** The reference's witnesses (ONNX Runtime's `Conv`, TensorFlow.js's `conv2d`). */
export type WitnessId = 'witness:onnxruntime' | 'witness:tfjs';

/**
 * A known, declared difference between a witness library's semantics and
 * README “The operation” (PyTorch's): the output elements it explains are
 * excused — only those, and only when the witness gives exactly the value the
 * difference predicts — and the check is reported as skipped with the reason.
 */
export interface WitnessDifference {
  readonly name: string;
  readonly witnesses: readonly WitnessId[];
  readonly reason: string;
  /**
   * For each output element (in the output layout) the value this witness is
   * known to give instead of the reference's, or `undefined` when the
   * difference does not touch the element; `null` when it does not apply to
   * the case at all.
   */
  predicted(m: MaterializedCase): ((index: number) => number | undefined) | null;
}

/** The logical `(co, oh, ow)` of an output index in the geometry's output layout. */
function outputCoordinates(m: MaterializedCase): (index: number) => { co: number; oh: number; ow: number } {
  const [, co, ho, wo] = m.geometry.outputShape;
  if (m.geometry.outputLayout === 'NCHW') {
    return (i) => ({ co: Math.floor(i / (ho * wo)) % co, oh: Math.floor(i / wo) % ho, ow: i % wo });
  }
  return (i) => ({ co: i % co, oh: Math.floor(i / (co * wo)) % ho, ow: Math.floor(i / co) % wo });
}

function activate(m: MaterializedCase, v: number): number {
  const { min, max } = m.geometry.activation;
  return Number.isNaN(v) ? v : Math.min(Math.max(v, min), max);
}

/**
 * TF.js's `clipByValue(x, min, max)` returns `fill(x.shape, min)` when
 * `min == max`: an element that is NaN before the activation comes out as
 * `min` (also for `min == max == ±∞`, and `-0` for `clamp(-0, -0)`), where
 * the reference keeps NaN as PyTorch's `clamp` and ONNX `Clip` do.
 */
const CLIP_EQUAL_BOUNDS_FILLS: WitnessDifference = {
  name: 'tfjs-clip-equal-bounds',
  witnesses: ['witness:tfjs'],
  reason: "TF.js's clipByValue fills the constant when min == max, so NaN comes out as min (the reference keeps NaN, as PyTorch's clamp and ONNX Clip do)",
  predicted(m) {
    const { kind, min, max } = m.geometry.activation;
    if (kind === 'none' || min !== max) return null;
    const values = m.reference().values;
    const fill = Math.fround(min);
    return (i) => (Number.isNaN(values[i]) ? fill : undefined);
  },
};

/**
 * ONNX Runtime and TF.js skip the padding instead of reading 0 through the
 * arithmetic: a padded output cell of a channel with a ±∞ or NaN weight is
 * `act(bias)` there (`act(0)` without bias), where README “The operation”
 * and PyTorch give `act(b + Σ w·0)` = NaN (0·∞ = NaN).
 */
const PADDING_SKIPS_NON_FINITE_WEIGHTS: WitnessDifference = {
  name: 'padding-skips-arithmetic',
  witnesses: ['witness:onnxruntime', 'witness:tfjs'],
  reason:
    'ONNX Runtime and TF.js give act(bias) on padded cells of a channel with a ±Infinity or NaN weight; the reference reads 0 there through the same arithmetic (0·∞ = NaN, as in PyTorch)',
  predicted(m) {
    const g = m.geometry;
    if (g.padTop + g.padBottom + g.padLeft + g.padRight === 0) return null;
    const k = g.inChannelsPerGroup;
    const w = m.problem.weights.data;
    const nonFinite = new Set<number>();
    for (let co = 0; co < g.outChannels; co++) {
      for (let i = 0; i < k; i++) if (!Number.isFinite(w[co * k + i])) nonFinite.add(co);
    }
    if (nonFinite.size === 0) return null;
    const at = outputCoordinates(m);
    const values = m.reference().values;
    const bias = m.problem.bias;
    return (i) => {
      const { co, oh, ow } = at(i);
      if (!nonFinite.has(co) || !Number.isNaN(values[i])) return undefined;
      const ih = oh * g.strideH - g.padTop;
      const iw = ow * g.strideW - g.padLeft;
      const padded = ih < 0 || ih >= g.inHeight || iw < 0 || iw >= g.inWidth;
      return padded ? Math.fround(activate(m, bias ? bias[co] : 0)) : undefined;
    };
  },
};

/** Every declared difference of the witnesses (see README “Witnesses”). */
export const WITNESS_DIFFERENCES: readonly WitnessDifference[] = [CLIP_EQUAL_BOUNDS_FILLS, PADDING_SKIPS_NON_FINITE_WEIGHTS];

/** What {@link excuseKnownDifferences} did to a witness's output. */
export interface ExcusedOutput {
  /** The output with each explained element replaced by the reference's value. */
  readonly output: Float32Array;
  /** Per difference that explained at least one element: its name, reason and how many. */
  readonly excused: readonly { readonly name: string; readonly reason: string; readonly elements: number }[];
}

/**
 * Replaces, in a copy of a witness's output, each element that a declared
 * difference explains — the witness gives exactly the predicted value where
 * the reference differs — by the reference's value, so the remaining
 * elements are still held to the bound.
 */
export function excuseKnownDifferences(m: MaterializedCase, witness: WitnessId, output: Float32Array): ExcusedOutput {
  const copy = Float32Array.from(output);
  const excused: { name: string; reason: string; elements: number }[] = [];
  const values = m.reference().values;
  for (const difference of WITNESS_DIFFERENCES) {
    if (!difference.witnesses.includes(witness)) continue;
    const predicted = difference.predicted(m);
    if (predicted === null) continue;
    let elements = 0;
    for (let i = 0; i < copy.length; i++) {
      const p = predicted(i);
      // `===`: a fill of -0 where +0 was predicted is the same value under README “Accuracy”.
      if (p !== undefined && copy[i] === p && !Object.is(values[i], copy[i])) {
        copy[i] = values[i];
        elements++;
      }
    }
    if (elements > 0) excused.push({ name: difference.name, reason: difference.reason, elements });
  }
  return { output: copy, excused };
}
