import type { ConformanceCase, DataSource } from './case.js';
import { SSD_DEFAULT_IMAGE, SSD_INPUT_SIZE, type SsdMobilenetV1Source } from '../network/ssd-network.js';

/**
 * The 1×1 layers of face-api's SSD-MobileNetV1 in the order the loader runs
 * them, with the number of stride-2 steps before each (the feature map is
 * `ceil(inputSize / 2^halvings)` on a side, 'same' padding) and its activation.
 */
const SSD_POINTWISE_LAYERS: readonly { name: string; halvings: number; activation: 'relu6' | 'none' }[] = [
  ...Array.from({ length: 13 }, (_, k) => {
    const i = k + 1;
    return { name: `MobilenetV1/Conv2d_${i}_pointwise`, halvings: 1 + [2, 4, 6, 12].filter((s) => s <= i).length, activation: 'relu6' as const };
  }),
  ...[0, 2, 4, 6].map((i) => ({ name: `Prediction/Conv2d_${i}_pointwise`, halvings: 5 + i / 2, activation: 'relu6' as const })),
  ...[4, 5, 6, 7, 8, 9].flatMap((halvings, index) =>
    ['BoxEncodingPredictor', 'ClassPredictor'].map((head) => ({ name: `Prediction/BoxPredictor_${index}/${head}`, halvings, activation: 'none' as const })),
  ),
];

/** The manifest's JSON: groups of weight entries (only names and shapes are read here). */
export type SsdManifest = readonly { readonly weights: readonly { readonly name: string; readonly shape: readonly number[] }[] }[];

/** `[Ci, Co]` of each 1×1 filter of a weights manifest, by layer name. */
export function filterChannelsOf(manifest: SsdManifest): Map<string, readonly number[]> {
  return new Map(manifest.flatMap((g) => g.weights).filter((w) => w.shape.length === 4).map((w) => [w.name.replace(/\/weights$/, ''), w.shape.slice(2)]));
}

/**
 * The network tier: each 1×1 layer of SSD-MobileNetV1 fed its real input
 * (the photograph through the preceding layers), with TensorFlow.js's output
 * as the expected result (within twice the bound: both are float32 engines).
 * Data come from the `ssd-mobilenet-v1` generator, so the records stay small. Environment-neutral:
 * `channels` are the manifest's (`filterChannelsOf`), read from a file in Node, fetched in a page.
 */
export function networkCasesWith(channels: ReadonlyMap<string, readonly number[]>, source: SsdMobilenetV1Source = {}): ConformanceCase[] {
  const image = source.image ?? SSD_DEFAULT_IMAGE;
  const inputSize = source.inputSize ?? SSD_INPUT_SIZE;
  return SSD_POINTWISE_LAYERS.map(({ name, halvings, activation }) => {
    const [ci, co] = channels.get(name) ?? [];
    if (ci === undefined || co === undefined) throw new Error(`SSD-MobileNetV1 manifest: no 1×1 filter ${name}/weights`);
    const size = Math.ceil(inputSize / 2 ** halvings);
    const data: DataSource = { generator: 'ssd-mobilenet-v1', layer: name, image, inputSize };
    return {
      name: `network/ssd-mobilenet-v1@${inputSize}/${name}`,
      tier: 'network',
      description: `${name} of face-api's SSD-MobileNetV1 on demo/${image}: ${ci}→${co} @${size}²`,
      inputShape: [1, ci, size, size],
      inputLayout: 'NHWC',
      outChannels: co,
      options: { activation },
      input: data,
      weights: data,
      bias: data,
      expected: { output: data, tolerance: { boundFactor: 2 }, source: 'TensorFlow.js cpu' },
      witnesses: true,
    } satisfies ConformanceCase;
  });
}
