import { POINTWISE_LAYERS, type PointwiseLayerSpec } from '@pointwise/testing';
import type { ConformanceCase } from './case.js';
import { makeCase } from './make-case.js';

/** A pointwise layer of a well-known network at batch 1 (the shared list's record). */
export type LayerSpec = PointwiseLayerSpec;

/**
 * The pointwise layers of MobileNetV2 and ResNet-50 and the seed example
 * 56×56×512 → 56×56×1024: `@pointwise/testing`'s list, the one the
 * benchmark's suites come from too.
 */
export const LAYER_SPECS: readonly LayerSpec[] = POINTWISE_LAYERS;

/**
 * A layer as a case: batch 1, bias, inputs uniform in `[0, 1)` (post-ReLU
 * activations) and weights uniform in `±√(3/Ci)` (unit variance of each output).
 */
export function layerCase(spec: LayerSpec, tier: 'layers' = 'layers'): ConformanceCase {
  const limit = Math.sqrt(3 / spec.inChannels);
  return makeCase({
    tier,
    label: spec.suite,
    shape: [1, spec.inChannels, spec.size, spec.size],
    outChannels: spec.outChannels,
    options: { activation: spec.activation },
    inputLayout: spec.layout,
    bias: true,
    input: (seed) => ({ generator: 'uniform', seed, min: 0, max: 1 }),
    weights: (seed) => ({ generator: 'uniform', seed, min: -limit, max: limit }),
  });
}

/** The layers tier: every {@link LAYER_SPECS} entry as a case. */
export function layerCases(): ConformanceCase[] {
  return LAYER_SPECS.map((spec) => layerCase(spec));
}
