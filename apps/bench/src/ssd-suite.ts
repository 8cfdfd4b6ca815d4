import type { Activation } from '@pointwise/core';
import type { PointwiseLayer } from '@pointwise/conformance';
import { defaultLayerName, makeLayer, type BenchLayer, type LayerActivation, type LayerData, type Suite } from './layer.js';
import type { SuiteSource } from './suites.js';

/** `--suite` name of the real-network suite. */
export const SSD_SUITE_NAME = 'ssd-mobilenet-v1';

const DESCRIPTION =
  'SSD-MobileNetV1 (@vladmandic/face-api) at 512²: its 29 pointwise layers with their real weights, fed the real activations of a sample photograph';

/**
 * Short label of a network layer: `pw7` for `MobilenetV1/Conv2d_7_pointwise`,
 * `extra2` for the SSD extra feature layers, `box0` / `cls0` for the box
 * predictors; anything else keeps its full name.
 */
export function shortLayerName(name: string): string {
  const body = /^MobilenetV1\/Conv2d_(\d+)_pointwise$/.exec(name);
  if (body) return `pw${body[1]}`;
  const extra = /^Prediction\/Conv2d_(\d+)_pointwise$/.exec(name);
  if (extra) return `extra${extra[1]}`;
  const head = /^Prediction\/BoxPredictor_(\d+)\/(BoxEncoding|Class)Predictor$/.exec(name);
  if (head) return `${head[2] === 'Class' ? 'cls' : 'box'}${head[1]}`;
  return name;
}

function layerActivation(name: string, activation: Activation): LayerActivation {
  if (activation === 'none' || activation === 'relu' || activation === 'relu6') return activation;
  throw new Error(`${name}: activation ${JSON.stringify(activation)} is not one the bench runs`);
}

/** One network layer as a bench layer whose data is the layer's real weights, bias and input. */
export function networkLayer(layer: PointwiseLayer): BenchLayer {
  const [batch, inChannels, height, width] = layer.input.shape;
  const spec = { batch, inChannels, height, width, outChannels: layer.outChannels, activation: layerActivation(layer.name, layer.activation) };
  const data: LayerData = { weights: layer.weights, bias: layer.bias, input: layer.input };
  return makeLayer({ ...spec, name: `${shortLayerName(layer.name)} ${defaultLayerName(spec)}` }, async () => data);
}

/**
 * The `ssd-mobilenet-v1` suite, loaded on demand through the conformance
 * app's real-network pipeline (the same files and activations as its
 * real-network tier; about 10 s on two cores to run the network once).
 */
export const SSD_SUITE: SuiteSource = {
  name: SSD_SUITE_NAME,
  description: DESCRIPTION,
  async load(): Promise<Suite> {
    const { loadSsdMobilenetV1PointwiseLayers } = await import('@pointwise/conformance');
    const layers = await loadSsdMobilenetV1PointwiseLayers();
    return { name: SSD_SUITE_NAME, description: DESCRIPTION, layers: layers.map(networkLayer) };
  },
};
