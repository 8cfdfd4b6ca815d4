import type { Activation, Layout } from '@pointwise/core';
import type { ConformanceCase } from './case.js';
import { makeCase } from './make-case.js';

/** A pointwise layer of a well-known network at batch 1. */
export interface LayerSpec {
  /** `mobilenet-v2`, `resnet-50` or `seed`. */
  readonly suite: string;
  readonly inChannels: number;
  readonly outChannels: number;
  /** Height = width of the feature map. */
  readonly size: number;
  /** The activation that follows the layer in the network. */
  readonly activation: Extract<Activation, string>;
  /** The layout the network's home framework uses (TensorFlow: NHWC, PyTorch: NCHW). */
  readonly layout: Layout;
}

/**
 * The pointwise layers of MobileNetV2 (Sandler et al., 2018, Table 2: the
 * expansion 1×1s are followed by relu6, the linear bottleneck projections by
 * nothing) and ResNet-50 (He et al., 2016, Table 1, bottleneck 1×1s), plus
 * the seed example 56×56×512 → 56×56×1024.
 */
export const LAYER_SPECS: readonly LayerSpec[] = [
  { suite: 'mobilenet-v2', inChannels: 16, outChannels: 96, size: 112, activation: 'relu6', layout: 'NHWC' },
  { suite: 'mobilenet-v2', inChannels: 96, outChannels: 24, size: 56, activation: 'none', layout: 'NHWC' },
  { suite: 'mobilenet-v2', inChannels: 144, outChannels: 24, size: 56, activation: 'none', layout: 'NHWC' },
  { suite: 'mobilenet-v2', inChannels: 192, outChannels: 32, size: 28, activation: 'none', layout: 'NHWC' },
  { suite: 'mobilenet-v2', inChannels: 384, outChannels: 64, size: 14, activation: 'none', layout: 'NHWC' },
  { suite: 'mobilenet-v2', inChannels: 576, outChannels: 96, size: 14, activation: 'none', layout: 'NHWC' },
  { suite: 'mobilenet-v2', inChannels: 960, outChannels: 160, size: 7, activation: 'none', layout: 'NHWC' },
  { suite: 'mobilenet-v2', inChannels: 320, outChannels: 1280, size: 7, activation: 'relu6', layout: 'NHWC' },
  { suite: 'resnet-50', inChannels: 256, outChannels: 64, size: 56, activation: 'relu', layout: 'NCHW' },
  { suite: 'resnet-50', inChannels: 64, outChannels: 256, size: 56, activation: 'none', layout: 'NCHW' },
  { suite: 'resnet-50', inChannels: 1024, outChannels: 256, size: 14, activation: 'relu', layout: 'NCHW' },
  { suite: 'resnet-50', inChannels: 2048, outChannels: 512, size: 7, activation: 'relu', layout: 'NCHW' },
  { suite: 'seed', inChannels: 512, outChannels: 1024, size: 56, activation: 'none', layout: 'NCHW' },
];

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
