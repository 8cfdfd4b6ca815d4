import { createTensor } from '@pointwise/core';
import type { BenchLayer, LayerData } from './layer.js';

/**
 * A seeded uniform generator on `[0, 1)`: the Mulberry32 mixing function
 * (Tommy Ettinger, public domain) over a 32-bit state. Deterministic, so
 * every run and every contender sees the same data.
 */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fill(length: number, random: () => number, scale: number): Float32Array {
  const data = new Float32Array(length);
  for (let i = 0; i < length; i++) data[i] = (random() * 2 - 1) * scale;
  return data;
}

/**
 * Seeded pseudo-random data for a layer: input uniform in `[−1, 1)` (NCHW),
 * weights uniform in `[−1/√K, 1/√K)` with `K = Ci/groups` (so outputs stay
 * of order 1, like a trained layer's), bias uniform in `[−0.1, 0.1)`.
 */
export function syntheticLayerData(layer: BenchLayer, seed = 1): LayerData {
  const random = seededUniform(seed);
  const k = layer.inChannels / layer.groups;
  const input = fill(layer.batch * layer.inChannels * layer.height * layer.width, random, 1);
  const weights = fill(layer.outChannels * k, random, 1 / Math.sqrt(k));
  const bias = fill(layer.outChannels, random, 0.1);
  return {
    weights,
    bias,
    input: createTensor(input, [layer.batch, layer.inChannels, layer.height, layer.width], 'NCHW'),
  };
}
