import { createTensor } from '@pointwise/core';
import { SplitMix32 } from '@pointwise/testing';
import type { BenchLayer, LayerData } from './layer.js';

/**
 * Seeded pseudo-random data for a layer (`@pointwise/testing`'s SplitMix32,
 * so every run and every contender sees the same data): input uniform in
 * `[−1, 1)` (NCHW), weights uniform in `[−1/√K, 1/√K)` with `K = Ci/groups`
 * (so outputs stay of order 1, like a trained layer's), bias uniform in
 * `[−0.1, 0.1)`.
 */
export function syntheticLayerData(layer: BenchLayer, seed = 1): LayerData {
  const random = new SplitMix32(seed);
  const k = layer.inChannels / layer.groups;
  const limit = 1 / Math.sqrt(k);
  const input = random.fill(layer.batch * layer.inChannels * layer.height * layer.width, -1, 1);
  const weights = random.fill(layer.outChannels * k, -limit, limit);
  const bias = random.fill(layer.outChannels, -0.1, 0.1);
  return {
    weights,
    bias,
    input: createTensor(input, [layer.batch, layer.inChannels, layer.height, layer.width], 'NCHW'),
  };
}
