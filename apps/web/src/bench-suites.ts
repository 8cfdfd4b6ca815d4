/**
 * The bench suites and sampling settings the page offers. Both shells of the page — its main thread
 * and its dedicated harness worker — read them from here, so a request names a suite by its name and
 * both sides run the same layers.
 */
import { CROSSOVER, CROSSOVER_QUICK, DEFAULT, DEFAULT_TURN_WARMUP_MS, LATENCY, MOBILENET_V2, RESNET_50, SEED, makeLayer, type MeasurementSettings, type Suite } from '@pointwise/bench/harness';

/** A tiny suite for smoke runs (and the browser tests): two small layers, NCHW. */
export const TINY: Suite = {
  name: 'tiny',
  description: 'two small layers: a quick check that everything runs',
  layers: [makeLayer({ inChannels: 16, outChannels: 32, height: 8, width: 8 }), makeLayer({ inChannels: 64, outChannels: 64, height: 16, width: 16, activation: 'relu' })],
};

/** Every suite the page lists, in its order. */
export const SUITES: readonly Suite[] = [TINY, LATENCY, DEFAULT, MOBILENET_V2, RESNET_50, SEED, CROSSOVER_QUICK, CROSSOVER];

/**
 * The page's quick sampling: 5+ samples, at least 50 ms (at most 500 ms) per contender and layer; runs
 * under 0.25 ms are timed in back-to-back batches (a cross-origin isolated page's `performance.now()` is
 * coarsened to 5 µs steps, longer than a tiny layer's run); runs up to 10 ms open each turn with an
 * untimed run, as the CLI's (`turnWarmupMs`).
 */
export const QUICK: MeasurementSettings = { repeat: 5, minTimeMs: 50, maxTimeMs: 500, minSamplesAtCap: 3, maxSamples: 50, warmupMs: 20, minSampleMs: 0.25, turnWarmupMs: DEFAULT_TURN_WARMUP_MS };

/**
 * The suite named `name`.
 * @throws Error naming the suites the page has, when there is none of that name.
 */
export function suiteNamed(name: string): Suite {
  const suite = SUITES.find((s) => s.name === name);
  if (suite === undefined) throw new Error(`unknown suite ${name} (the page has ${SUITES.map((s) => s.name).join(', ')})`);
  return suite;
}
