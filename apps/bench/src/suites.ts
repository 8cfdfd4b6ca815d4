import { InvalidArgumentError } from '@pointwise/core';
import { makeLayer, type BenchLayer, type Suite } from './layer.js';

/** A suite of square layers at batch 1, each given as `[Ci, Co, H = W]`. */
function squareLayers(name: string, description: string, ...shapes: [ci: number, co: number, size: number][]): Suite {
  return {
    name,
    description,
    layers: shapes.map(([inChannels, outChannels, size]) => makeLayer({ inChannels, outChannels, height: size, width: size })),
  };
}

/**
 * MobileNetV2 (Sandler et al., 2018, Table 2) at 224×224, batch 1: a
 * representative pointwise layer of each stage — expansion (t = 6) and
 * projection — with bias and no activation.
 */
export const MOBILENET_V2: Suite = squareLayers(
  'mobilenet-v2',
  'MobileNetV2 pointwise layers at 224², batch 1',
  [16, 96, 112], [96, 24, 56], [144, 24, 56], [192, 32, 28], [384, 64, 14], [576, 96, 14], [960, 160, 7], [320, 1280, 7],
);

/** ResNet-50 (He et al., 2016, Table 1) bottleneck 1×1 layers at 224×224, batch 1. */
export const RESNET_50: Suite = squareLayers(
  'resnet-50',
  'ResNet-50 bottleneck 1×1 layers at 224², batch 1',
  [256, 64, 56], [64, 256, 56], [1024, 256, 14], [2048, 512, 7],
);

/** The project's seed example: 56×56×512 → 56×56×1024, 3.3 GFLOP. */
export const SEED: Suite = squareLayers(
  'seed',
  'the seed example: 56×56×512 → 56×56×1024 (3.3 GFLOP)',
  [512, 1024, 56],
);

/** Tiny layers where call and dispatch overhead, not arithmetic, dominate. */
export const LATENCY: Suite = squareLayers(
  'latency',
  'tiny layers: dispatch overhead dominates',
  [3, 8, 4], [8, 16, 8], [32, 32, 4], [64, 64, 1],
);

/**
 * The suite `pnpm bench` runs with no arguments: about a minute on two cores,
 * spanning a tiny layer, MobileNetV2 and ResNet-50 layers of different
 * shapes (wide and short, narrow and tall) and the seed layer.
 */
export const DEFAULT: Suite = squareLayers(
  'default',
  'a mix: latency, MobileNetV2, ResNet-50 and the seed layer',
  [3, 8, 4], [16, 96, 112], [96, 24, 56], [384, 64, 14], [320, 1280, 7], [1024, 256, 14], [2048, 512, 7], [512, 1024, 56],
);

/** A suite whose layers come from elsewhere (real networks); created on demand. */
export interface SuiteSource {
  readonly name: string;
  readonly description: string;
  load(): Promise<Suite>;
}

const STATIC_SUITES: readonly Suite[] = [DEFAULT, MOBILENET_V2, RESNET_50, SEED, LATENCY];

/** The built-in suites: the static ones plus those loaded on demand (real networks). */
export function builtInSuites(extra: readonly SuiteSource[] = []): SuiteSource[] {
  return [...STATIC_SUITES.map((suite) => ({ name: suite.name, description: suite.description, load: async () => suite })), ...extra];
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
