import {
  checkAccuracy,
  convertLayout,
  createTensor,
  describeAccuracy,
  normalizeConv1x1,
  referenceConv1x1,
  type Layout,
  type ReferenceResult,
  type Tensor,
} from '@pointwise/core';
import { SplitMix32 } from '@pointwise/testing';
import type { ChainLayer, Contender, PreparedChain } from './contenders/contender.js';
import { layerFlops, layerProblem, makeLayer, outputSize, type BenchLayer, type LayerActivation } from './layer.js';
import type { AccuracySummary, ChainMeasurement, ChainResult, ChainSeries, MeasurementSettings } from './results.js';
import { SampleSet } from './sampler.js';
import { gflops, summarize } from './stats.js';

/** A stack of layers where each layer's output is the next one's input (batch 1). */
export interface ChainSpec {
  readonly name: string;
  readonly description: string;
  readonly layers: readonly BenchLayer[];
}

/**
 * MobileNetV2's pointwise stack (Sandler et al., 2018, Table 2) without its depthwise convolutions: every
 * 1×1 layer of the network in order, from the first block's projection (32→16) to the final 320→1280, 34
 * layers — expansions with relu6, linear projections without activation. A depthwise convolution keeps the
 * channel count, so leaving them out keeps adjacent layers' channels in agreement; where a block's depthwise
 * convolution has stride 2, the following projection takes stride 2 instead, so every layer has the
 * network's own output size and FLOPs. `inputSize` is the first layer's H = W (112 for a 224² image).
 */
export function mobileNetV2Stack(inputSize = 112): ChainSpec {
  // [expansion t, output channels c, repeats n, stride s] of Table 2, after the 32-channel stem.
  const blocks: readonly (readonly [number, number, number, number])[] = [
    [1, 16, 1, 1],
    [6, 24, 2, 2],
    [6, 32, 3, 2],
    [6, 64, 4, 2],
    [6, 96, 3, 1],
    [6, 160, 3, 2],
    [6, 320, 1, 1],
  ];
  const layers: BenchLayer[] = [];
  let channels = 32;
  let size = inputSize;
  const add = (outChannels: number, stride: number, activation: LayerActivation) => {
    const layer = makeLayer({ inChannels: channels, outChannels, height: size, width: size, stride, activation });
    layers.push(layer);
    channels = outChannels;
    size = outputSize(layer)[0];
  };
  for (const [t, c, n, s] of blocks) {
    for (let i = 0; i < n; i++) {
      if (t !== 1) add(channels * t, 1, 'relu6');
      add(c, i === 0 ? s : 1, 'none');
    }
  }
  add(1280, 1, 'relu6');
  return {
    name: 'mobilenet-v2',
    description: `MobileNetV2's ${layers.length} pointwise layers chained (depthwise convolutions left out, their stride moved to the next 1×1), input 32×${inputSize}²`,
    layers,
  };
}

/** Seeded data of a stack: the input (NCHW) and each layer's weights and bias (as `syntheticLayerData`). */
export function chainData(spec: ChainSpec, seed = 1): { input: Tensor; layers: ChainLayer[] } {
  const random = new SplitMix32(seed);
  const first = spec.layers[0];
  const input = createTensor(
    random.fill(first.batch * first.inChannels * first.height * first.width, -1, 1),
    [first.batch, first.inChannels, first.height, first.width],
    'NCHW',
  );
  const layers = spec.layers.map((layer) => {
    const k = layer.inChannels / layer.groups;
    const limit = 1 / Math.sqrt(k);
    return { layer, weights: random.fill(layer.outChannels * k, -limit, limit), bias: random.fill(layer.outChannels, -0.1, 0.1) };
  });
  return { input, layers };
}

/**
 * The reference chain: core's float64 `referenceConv1x1` layer by layer, each output rounded to float32 as the
 * next input; the last layer's values and magnitudes, and the chain's total dot-product length.
 */
export interface ReferenceChain {
  /** The last layer's reference (values and `|b| + Σ|w·x|`), in the chain's layout. */
  readonly last: ReferenceResult;
  /** `Σ Ci/groups` over the layers. */
  readonly totalK: number;
}

export function referenceChain(layers: readonly ChainLayer[], input: Tensor): ReferenceChain {
  let x = input.data;
  let shape = input.shape;
  let last: ReferenceResult | undefined;
  let totalK = 0;
  for (const { layer, weights, bias } of layers) {
    const { geometry } = normalizeConv1x1(layerProblem(layer, { shape, layout: input.layout } as Tensor, weights, bias));
    last = referenceConv1x1(geometry, x, weights, bias);
    totalK += layer.inChannels / layer.groups;
    x = Float32Array.from(last.values);
    shape = geometry.outputShape;
  }
  if (!last) throw new RangeError('a chain needs at least one layer');
  return { last, totalK };
}

/**
 * Checks a chained result (in the chain's layout) against the reference chain: core's `checkAccuracy` on the
 * last layer's reference with `K` = the chain's total dot-product length and the contender's precision factor,
 * i.e. README “Accuracy”'s bound `2·γ(ΣK)·magnitude + 2u·|y|`. Each layer's rounding is at most `γ(K_i)`
 * relative to its magnitudes, and a layer carries a relative error of its input into its output at most
 * relative to its own magnitudes, so the sum of the layers' terms bounds the chain for inputs without
 * cancellation; the worst case over all inputs (`|W|` applied to the error, layer after layer) grows by about
 * `√K/2` a layer, ~10²⁸ over MobileNetV2's 34 layers, too loose to catch anything, so it is not used.
 */
export function checkChain(actual: Float32Array, reference: ReferenceChain, precisionFactor: number): AccuracySummary {
  const report = checkAccuracy(actual, reference.last, { k: reference.totalK, precisionFactor });
  return { elements: report.elements, failureCount: report.failureCount, worstRatio: report.worstRatio, description: describeAccuracy(report) };
}

/** How {@link runChain} checks, in one sentence (stamped on the result). */
export const CHAIN_CHECK =
  "the last layer's output against core's referenceConv1x1 applied layer by layer (float64, each output rounded to float32 as the next input), " +
  "under README “Accuracy”'s bound with K = the chain's total dot-product length ΣCi (checkAccuracy on the last layer's magnitudes)";

/** Options of {@link runChain}. */
export interface ChainOptions {
  readonly settings: MeasurementSettings;
  readonly layout: Layout;
  readonly seed: number;
  readonly signal?: AbortSignal;
  readonly pause?: () => Promise<void>;
  readonly status?: (text: string) => void;
}

interface ChainSeriesState {
  readonly run: () => Promise<Float32Array>;
  readonly set: SampleSet;
  warmupRuns: number;
  accuracy?: AccuracySummary;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function seriesResult(state: ChainSeriesState | ChainSeries, flops: number): ChainSeries {
  if (!('run' in state)) return state;
  const { set } = state;
  const summary = set.samplesMs.length > 0 ? summarize(set.samplesMs) : undefined;
  return {
    status: set.failure === undefined ? 'ok' : 'failed',
    ...(set.failure === undefined ? {} : { reason: set.failure }),
    ...(state.accuracy ? { accuracy: state.accuracy } : {}),
    samplesMs: set.samplesMs,
    warmupRuns: state.warmupRuns,
    ...(summary && set.failure === undefined
      ? { summary, gflops: { median: gflops(flops, summary.median), low: gflops(flops, summary.p90), high: gflops(flops, summary.p10) } }
      : {}),
  };
}

/**
 * Runs a chained stack on every contender that can prepare one (registry backends): prepares every layer
 * on the contender's backend instance in `options.layout`, runs the host chain (`t = await op.run(t)`) and,
 * where every layer has `runResident`, the resident chain (`t = await op.runResident(t)`, one read at the
 * end) once each and checks both against the reference chain; then warm-up and interleaved samples of every
 * checked chain, as the layers are timed. Environment-neutral.
 */
export async function runChain(spec: ChainSpec, contenders: readonly Contender[], options: ChainOptions): Promise<ChainResult> {
  const { settings, layout } = options;
  const data = chainData(spec, options.seed);
  const input = layout === data.input.layout ? data.input : convertLayout(data.input, layout);
  const flops = spec.layers.reduce((sum, l) => sum + layerFlops(l), 0);
  const capable = contenders.filter((c) => c.kind === 'backend' && typeof c.prepareChain === 'function');
  const between = async () => {
    options.signal?.throwIfAborted();
    if (options.pause) await options.pause();
  };
  const shapes = spec.layers.map(({ load: _load, ...shape }) => shape);
  const result = (runs: ChainMeasurement[]): ChainResult => ({ name: spec.name, description: spec.description, layout, layers: shapes, flops, check: CHAIN_CHECK, runs });
  if (capable.length === 0) return result([]);
  options.status?.(`chain ${spec.name} ${layout}: reference`);
  const reference = referenceChain(data.layers, input);
  const entries: { contender: Contender; prepared?: PreparedChain; base: ChainMeasurement; host?: ChainSeriesState | ChainSeries; resident?: ChainSeriesState | ChainSeries }[] = [];
  try {
    for (const contender of capable) {
      await between();
      options.status?.(`chain ${spec.name} ${layout}: ${contender.name} prepare and check`);
      const identity = {
        contender: contender.name,
        version: contender.version,
        ...(contender.configuration === undefined ? {} : { configuration: contender.configuration }),
      };
      const start = performance.now();
      let prepared: PreparedChain;
      try {
        prepared = await contender.prepareChain!(data.layers, input);
      } catch (error) {
        entries.push({ contender, base: { ...identity, status: 'failed', reason: `prepare: ${reasonOf(error)}` } });
        continue;
      }
      const base: ChainMeasurement = { ...identity, status: 'ok', details: prepared.details, prepareMs: performance.now() - start };
      const check = async (run: () => Promise<Float32Array>): Promise<ChainSeriesState | ChainSeries> => {
        let accuracy: AccuracySummary;
        try {
          accuracy = checkChain(await run(), reference, prepared.precisionFactor);
        } catch (error) {
          return { status: 'failed', reason: `first run: ${reasonOf(error)}`, samplesMs: [], warmupRuns: 0 };
        }
        if (accuracy.failureCount > 0) return { status: 'wrong', reason: accuracy.description, accuracy, samplesMs: [], warmupRuns: 0 };
        return { run, set: new SampleSet(settings), warmupRuns: 0, accuracy };
      };
      const host = await check(prepared.runHost);
      const resident = prepared.runResident
        ? await check(prepared.runResident)
        : ({ status: 'unsupported', reason: prepared.residentUnsupported ?? 'no runResident', samplesMs: [], warmupRuns: 0 } satisfies ChainSeries);
      entries.push({ contender, prepared, base, host, resident });
    }
    const timed = entries.flatMap((e) => [e.host, e.resident]).filter((s): s is ChainSeriesState => s !== undefined && 'run' in s);
    const once = async (s: ChainSeriesState) => {
      const start = performance.now();
      await s.run();
      return performance.now() - start;
    };
    options.status?.(`chain ${spec.name} ${layout}: warm-up`);
    for (const s of timed) {
      await between();
      try {
        for (let elapsed = 0; elapsed < settings.warmupMs; s.warmupRuns++) elapsed += await once(s);
      } catch (error) {
        s.set.failure = `warm-up: ${reasonOf(error)}`;
      }
    }
    options.status?.(`chain ${spec.name} ${layout}: timing ${timed.length} series round-robin`);
    let active = timed.filter((s) => s.set.needsMore());
    while (active.length > 0) {
      for (const s of active) {
        await between();
        try {
          s.set.add(await once(s));
        } catch (error) {
          s.set.failure = `timed run: ${reasonOf(error)}`;
        }
      }
      active = active.filter((s) => s.set.needsMore());
    }
  } finally {
    for (const e of entries) e.prepared?.dispose();
  }
  return result(
    entries.map(({ base, host, resident }) => {
      if (!host) return base;
      const h = seriesResult(host, flops);
      const r = resident ? seriesResult(resident, flops) : undefined;
      const wrong = h.status === 'wrong' || r?.status === 'wrong';
      return {
        ...base,
        ...(wrong ? { status: 'wrong' as const, reason: (h.status === 'wrong' ? h : r)!.reason! } : {}),
        host: h,
        ...(r ? { resident: r } : {}),
        ...(h.summary && r?.summary ? { gain: h.summary.median / r.summary.median } : {}),
      };
    }),
  );
}
