import {
  checkAccuracy,
  createTensor,
  normalizeConv1x1,
  prepareConv1x1,
  referenceConv1x1,
  type BackendRegistry,
  type Conv1x1Problem,
} from '@pointwise/core';

/** What automatic selection did on one layer, and whether its result held to the §5 bound. */
export interface SelectionProbe {
  readonly layer: string;
  /** The backend automatic selection (no `backend` option, no environment variable) ran. */
  readonly backend: string;
  readonly details: Readonly<Record<string, unknown>>;
  /** Configurations skipped before it, with their reasons. */
  readonly skipped: readonly { readonly backend: string; readonly reason: string }[];
  readonly elements: number;
  readonly failureCount: number;
  readonly worstRatio: number;
}

/** Deterministic data in [-1, 1): a small linear congruential sequence (no randomness in checks). */
function seeded(length: number, seed: number): Float32Array {
  const out = new Float32Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/**
 * Runs one layer `ci→co @hw²` through automatic selection in `registry` and checks the
 * output against the float64 reference. Large layers are where `workers` should win the
 * selection over `cpu-tiled`: a silent fallback shows here as the wrong backend name.
 */
export async function probeAutomaticSelection(registry: BackendRegistry, ci = 256, co = 256, hw = 32): Promise<SelectionProbe> {
  const problem: Conv1x1Problem = {
    inputShape: [1, ci, hw, hw],
    weights: { data: seeded(co * ci, 7), shape: [co, ci] },
    bias: seeded(co, 11),
    activation: 'none',
  };
  const x = seeded(ci * hw * hw, 3);
  const skipped: { backend: string; reason: string }[] = [];
  const op = await prepareConv1x1(problem, { registry, onFallback: (a) => skipped.push({ backend: String(a.backend), reason: String(a.reason) }) });
  try {
    const y = await op.run(createTensor(x, [1, ci, hw, hw]));
    const normalized = normalizeConv1x1(problem);
    const reference = referenceConv1x1(normalized.geometry, x, normalized.weights, normalized.bias);
    const report = checkAccuracy(y.data, reference, { k: ci, precisionFactor: op.capabilities.precisionFactor });
    return {
      layer: `${ci}→${co} @${hw}²`,
      backend: op.backend,
      details: { ...op.info.details },
      skipped,
      elements: report.elements,
      failureCount: report.failureCount,
      worstRatio: report.worstRatio,
    };
  } finally {
    op.dispose();
  }
}
