import type { Layout } from '@pointwise/core';

/** The networks whose pointwise layers {@link POINTWISE_LAYERS} lists, plus the project's seed layer. */
export type PointwiseSuite = 'mobilenet-v2' | 'resnet-50' | 'seed';

/** A pointwise (1×1, stride 1, no padding) layer of a well-known network at batch 1. */
export interface PointwiseLayerSpec {
  /** The network it belongs to (`seed` for the project's 56×56×512 → 1024 example). */
  readonly suite: PointwiseSuite;
  readonly inChannels: number;
  readonly outChannels: number;
  /** Height = width of the square feature map. */
  readonly size: number;
  /** The activation that follows the layer in the network (a clamp, README “The operation”). */
  readonly activation: 'none' | 'relu' | 'relu6';
  /** The layout of the network's home framework (TensorFlow: NHWC, PyTorch: NCHW). */
  readonly layout: Layout;
}

/**
 * The pointwise layers of MobileNetV2 at 224² (Sandler et al., 2018, Table 2:
 * the expansion 1×1s are followed by relu6, the linear bottleneck projections
 * by nothing) and ResNet-50 at 224² (He et al., 2016, Table 1, bottleneck
 * 1×1s, each followed by relu but the expansion, which is added to the
 * shortcut first), plus the seed example 56×56×512 → 56×56×1024 (3.3 GFLOP).
 * The one list the conformance suite's layers tier and the benchmark's
 * named suites are built from.
 */
export const POINTWISE_LAYERS: readonly PointwiseLayerSpec[] = [
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

/** The layers of one suite of {@link POINTWISE_LAYERS}, in the list's order. */
export function pointwiseLayers(suite: PointwiseSuite): PointwiseLayerSpec[] {
  return POINTWISE_LAYERS.filter((layer) => layer.suite === suite);
}

/** FLOPs of a listed layer at batch 1: `2·Co·Ci·size²` (README “The operation”). */
export function pointwiseLayerFlops(layer: PointwiseLayerSpec): number {
  return 2 * layer.outChannels * layer.inChannels * layer.size * layer.size;
}
