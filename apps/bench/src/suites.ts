import { InvalidArgumentError } from '@pointwise/core';
import { pointwiseLayers, type PointwiseLayerSpec, type PointwiseSuite } from '@pointwise/testing';
import { makeLayer, type BenchLayer, type Suite } from './layer.js';

/** A listed network layer as a benchmark layer: batch 1, square, with the activation that follows it in the network. */
function listedLayer(spec: PointwiseLayerSpec): BenchLayer {
  return makeLayer({ inChannels: spec.inChannels, outChannels: spec.outChannels, height: spec.size, width: spec.size, activation: spec.activation });
}

/** A suite of `@pointwise/testing`'s pointwise layer list (the conformance layers tier's list too). */
function listedSuite(suite: PointwiseSuite, description: string): Suite {
  return { name: suite, description, layers: pointwiseLayers(suite).map(listedLayer) };
}

/**
 * MobileNetV2 (Sandler et al., 2018, Table 2) at 224×224, batch 1: a
 * representative pointwise layer of each stage — expansion (t = 6, relu6)
 * and linear projection — with bias.
 */
export const MOBILENET_V2: Suite = listedSuite('mobilenet-v2', 'MobileNetV2 pointwise layers at 224², batch 1');

/** ResNet-50 (He et al., 2016, Table 1) bottleneck 1×1 layers at 224×224, batch 1, with their relu. */
export const RESNET_50: Suite = listedSuite('resnet-50', 'ResNet-50 bottleneck 1×1 layers at 224², batch 1');

/** The project's seed example: 56×56×512 → 56×56×1024, 3.3 GFLOP. */
export const SEED: Suite = listedSuite('seed', 'the seed example: 56×56×512 → 56×56×1024 (3.3 GFLOP)');

/** Tiny layers where call and dispatch overhead, not arithmetic, dominate (no activation). */
export const LATENCY: Suite = {
  name: 'latency',
  description: 'tiny layers: dispatch overhead dominates',
  layers: [[3, 8, 4], [8, 16, 8], [32, 32, 4], [64, 64, 1]].map(([inChannels, outChannels, size]) =>
    makeLayer({ inChannels, outChannels, height: size, width: size }),
  ),
};

/** The layers of `suite` whose `[Ci, Co]` are listed, in the list's order. */
function pick(suite: Suite, ...channels: [ci: number, co: number][]): BenchLayer[] {
  return suite.layers.filter((layer) => channels.some(([ci, co]) => layer.inChannels === ci && layer.outChannels === co));
}

/**
 * The suite `pnpm bench` runs with no arguments: about a minute on two cores,
 * spanning a tiny layer, MobileNetV2 and ResNet-50 layers of different
 * shapes (wide and short, narrow and tall) and the seed layer.
 */
export const DEFAULT: Suite = {
  name: 'default',
  description: 'a mix: latency, MobileNetV2, ResNet-50 and the seed layer',
  layers: [
    LATENCY.layers[0],
    ...pick(MOBILENET_V2, [16, 96], [96, 24], [384, 64], [320, 1280]),
    ...pick(RESNET_50, [1024, 256], [2048, 512]),
    ...SEED.layers,
  ],
};

/** A suite whose layers come from elsewhere (real networks); created on demand. */
export interface SuiteSource {
  readonly name: string;
  readonly description: string;
  load(): Promise<Suite>;
}

const STATIC_SUITES: readonly Suite[] = [DEFAULT, MOBILENET_V2, RESNET_50, SEED, LATENCY];

/** The built-in suites: the static ones plus those loaded on demand (real networks). */
export function builtInSuites(extra: readonly SuiteSource[] = [], more: readonly Suite[] = []): SuiteSource[] {
  return [...[...STATIC_SUITES, ...more].map((suite) => ({ name: suite.name, description: suite.description, load: async () => suite })), ...extra];
}

/**
 * Resolves `--suite` names.
 * @throws {InvalidArgumentError} for an unknown name, listing the known ones.
 */
export async function resolveSuites(names: readonly string[], sources: readonly SuiteSource[]): Promise<Suite[]> {
  const suites: Suite[] = [];
  for (const name of names) {
    const source = sources.find((s) => s.name === name);
    if (!source) throw new InvalidArgumentError('--suite', `one of ${sources.map((s) => s.name).join(', ')}`, name);
    suites.push(await source.load());
  }
  return suites;
}

/** A suite of custom layers (`--shape`, `--shape-file`). */
export function customSuite(customLayers: readonly BenchLayer[]): Suite {
  return { name: 'custom', description: 'custom shapes from the command line', layers: customLayers };
}
