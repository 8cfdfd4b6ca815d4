import { describe, expect, it } from 'vitest';
import { POINTWISE_LAYERS, pointwiseLayerFlops, pointwiseLayers } from '../src/index.js';

describe('the pointwise layer list', () => {
  it('holds the 8 MobileNetV2, 4 ResNet-50 layers and the seed layer of issue 3', () => {
    const triples = (suite: Parameters<typeof pointwiseLayers>[0]) => pointwiseLayers(suite).map((l) => [l.inChannels, l.outChannels, l.size]);
    expect(triples('mobilenet-v2')).toEqual([[16, 96, 112], [96, 24, 56], [144, 24, 56], [192, 32, 28], [384, 64, 14], [576, 96, 14], [960, 160, 7], [320, 1280, 7]]);
    expect(triples('resnet-50')).toEqual([[256, 64, 56], [64, 256, 56], [1024, 256, 14], [2048, 512, 7]]);
    expect(triples('seed')).toEqual([[512, 1024, 56]]);
    expect(POINTWISE_LAYERS).toHaveLength(13);
  });

  it('gives FLOPs as 2·Co·Ci·size² (the seed layer: 3 288 334 336)', () => {
    expect(pointwiseLayerFlops(pointwiseLayers('seed')[0])).toBe(3_288_334_336);
    expect(pointwiseLayerFlops(pointwiseLayers('resnet-50')[3])).toBe(2 * 512 * 2048 * 49);
  });

  it('follows MobileNetV2 expansions (Ci → 6·Ci) with relu6 and leaves projections linear', () => {
    for (const layer of pointwiseLayers('mobilenet-v2')) {
      const expansion = layer.outChannels > layer.inChannels;
      expect(layer.activation).toBe(expansion ? 'relu6' : 'none');
    }
  });
});
