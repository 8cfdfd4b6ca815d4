import { createTensor } from '@pointwise/core';
import type { PointwiseLayer } from '@pointwise/conformance';
import { describe, expect, it } from 'vitest';
import { layerFlops } from './layer.js';
import { networkLayer, shortLayerName } from './ssd-suite.js';

describe('shortLayerName', () => {
  it.each([
    ['MobilenetV1/Conv2d_7_pointwise', 'pw7'],
    ['Prediction/Conv2d_2_pointwise', 'extra2'],
    ['Prediction/BoxPredictor_0/BoxEncodingPredictor', 'box0'],
    ['Prediction/BoxPredictor_5/ClassPredictor', 'cls5'],
    ['Something/else', 'Something/else'],
  ])('%s → %s', (name, short) => {
    expect(shortLayerName(name)).toBe(short);
  });
});

describe('networkLayer', () => {
  const input = createTensor(new Float32Array(2 * 3 * 4).map((_, i) => i), [1, 2, 3, 4], 'NHWC');
  const layer: PointwiseLayer = {
    name: 'MobilenetV1/Conv2d_3_pointwise',
    input,
    weights: new Float32Array([1, 2, 3, 4, 5, 6]),
    bias: new Float32Array([0.5, -0.5, 1]),
    outChannels: 3,
    activation: 'relu6',
    tfjsOutput: createTensor(new Float32Array(3 * 3 * 4), [1, 3, 3, 4], 'NHWC'),
  };

  it('keeps the shape, activation and real data of the network layer', async () => {
    const bench = networkLayer(layer);
    expect(bench).toMatchObject({ name: 'pw3 2→3 @3×4', batch: 1, inChannels: 2, height: 3, width: 4, outChannels: 3, stride: 1, groups: 1, activation: 'relu6' });
    expect(layerFlops(bench)).toBe(2 * 3 * 2 * 3 * 4);
    const data = await bench.load!();
    expect(data.input).toBe(input);
    expect(data.weights).toBe(layer.weights);
    expect(data.bias).toBe(layer.bias);
  });

  it('refuses an activation the peers cannot all fuse', () => {
    expect(() => networkLayer({ ...layer, activation: { type: 'clamp', min: -1, max: 1 } })).toThrow(/activation/);
  });
});
