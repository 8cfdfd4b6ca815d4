import {
  checkAccuracy,
  convertLayout,
  createTensor,
  describeAccuracy,
  normalizeConv1x1,
  problemKey,
  referenceConv1x1,
  type Layout,
  type Tensor,
} from '@pointwise/core';
import { UnsupportedLayerError, type Contender, type PreparedRun, type PreparedVariant } from './contenders/contender.js';
import { layerFlops, layerProblem, type BenchLayer, type LayerData, type Suite } from './layer.js';
import type { AccuracySummary, ContenderStatus, LayerInfo, LayerResult, Measurement, MeasurementSettings, SuiteResult, VariantMeasurement } from './results.js';
import { SampleSet } from './sampler.js';
import { gflops, summarize } from './stats.js';
import { syntheticLayerData } from './synthetic-data.js';

/** Receives progress: one step per contender per layer (and layout). */
export interface ProgressSink {
  start(total: number): void;
  /** Says what is running now. */
  status(text: string): void;
  /** One contender finished one layer. */
  step(): void;
  stop(): void;
}

/** Options of {@link runSuites}. */
export interface HarnessOptions {
  readonly settings: MeasurementSettings;
  /** Layouts to run each suite in (one table each). */
  readonly layouts: readonly Layout[];
  /** Seed of the synthetic data. */
  readonly seed: number;
  readonly progress?: ProgressSink;
  /** Stops the run between two timed runs: it rejects with the signal's reason (an `AbortError`). */
  readonly signal?: AbortSignal;
  /**
   * Awaited between two timed runs (outside the timing): a page passes a macrotask yield so it
   * stays responsive and paints progress; a CLI passes nothing.
   */
  readonly pause?: () => Promise<void>;
}

/** Between two timed runs: honours the signal and the shell's pause. */
async function between(options: Pick<HarnessOptions, 'signal' | 'pause'>): Promise<void> {
  options.signal?.throwIfAborted();
  if (options.pause) await options.pause();
  options.signal?.throwIfAborted();
}

const now = () => performance.now();

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function statusIdentity(contender: Contender): Pick<ContenderStatus, 'name' | 'kind' | 'version' | 'configuration'> {
  return {
    name: contender.name,
    kind: contender.kind,
    version: contender.version,
    ...(contender.configuration === undefined ? {} : { configuration: contender.configuration }),
  };
}

/**
 * Loads every contender once, timing it; one that cannot load is kept with
 * its reason and left out of the run.
 */
export async function loadContenders(contenders: readonly Contender[]): Promise<{ ready: Contender[]; statuses: ContenderStatus[] }> {
  const ready: Contender[] = [];
  const statuses: ContenderStatus[] = [];
  for (const contender of contenders) {
    const start = now();
    try {
      await contender.load();
      ready.push(contender);
      statuses.push({ ...statusIdentity(contender), available: true, loadMs: now() - start });
    } catch (error) {
      statuses.push({ ...statusIdentity(contender), available: false, reason: reasonOf(error) });
    }
  }
  return { ready, statuses };
}

function layerInfo(layer: BenchLayer, problem: string): LayerInfo {
  const { load, ...shape } = layer;
  return { ...shape, flops: layerFlops(layer), data: load ? 'real' : 'synthetic', problem };
}

/** A variant whose first result passed the check, ready to be timed. */
interface VerifiedVariant {
  readonly variant: PreparedVariant;
  readonly accuracy: AccuracySummary;
}

/** A contender whose first result passed the check, ready to be timed. */
interface Verified {
  readonly contender: Contender;
  readonly prepared: PreparedRun;
  /** Everything of its measurements but the samples. */
  readonly base: Omit<Measurement, 'samplesMs' | 'warmupRuns' | 'status'>;
  /** Its variants: checked ones to time, or the measurement saying why not. */
  readonly variants: readonly (VerifiedVariant | VariantMeasurement)[];
}

/** Checks one result against the reference (converted to the requested layout first). */
function checkResult(
  output: Float32Array,
  outputLayout: Layout,
  layout: Layout,
  outputShape: readonly [number, number, number, number],
  reference: ReturnType<typeof referenceConv1x1>,
  k: number,
  precisionFactor: number,
): AccuracySummary {
  if (outputLayout !== layout) output = convertLayout(createTensor(output, outputShape, outputLayout), layout).data;
  const report = checkAccuracy(output, reference, { k, precisionFactor });
  return { elements: report.elements, failureCount: report.failureCount, worstRatio: report.worstRatio, description: describeAccuracy(report) };
}

/** Runs each variant once and checks its result, as the usual run was checked. */
async function verifyVariants(
  prepared: PreparedRun,
  check: (output: Float32Array) => AccuracySummary,
): Promise<(VerifiedVariant | VariantMeasurement)[]> {
  const outcomes: (VerifiedVariant | VariantMeasurement)[] = [];
  for (const variant of prepared.variants ?? []) {
    const notTimed = (status: VariantMeasurement['status'], reason: string, accuracy?: AccuracySummary): VariantMeasurement => ({
      name: variant.name,
      status,
      reason,
      ...(variant.method ? { method: variant.method } : {}),
      ...(accuracy ? { accuracy } : {}),
      samplesMs: [],
      warmupRuns: 0,
    });
    if (variant.unsupported !== undefined) {
      outcomes.push(notTimed('unsupported', variant.unsupported));
      continue;
    }
    let accuracy: AccuracySummary;
    try {
      await prepared.activate?.();
      accuracy = check(await variant.first());
    } catch (error) {
      outcomes.push(notTimed('failed', `first run: ${reasonOf(error)}`));
      continue;
    }
    outcomes.push(accuracy.failureCount > 0 ? notTimed('wrong', accuracy.description, accuracy) : { variant, accuracy });
  }
  return outcomes;
}

/** Layer data with the input converted once per layout it is asked in. */
class LayerInputs {
  readonly #byLayout = new Map<Layout, Tensor>();
  constructor(readonly data: LayerData) {}

  in(layout: Layout): Tensor {
    let tensor = this.#byLayout.get(layout);
    if (tensor === undefined) {
      tensor = this.data.input.layout === layout ? this.data.input : convertLayout(this.data.input, layout);
      this.#byLayout.set(layout, tensor);
    }
    return tensor;
  }
}

/**
 * Prepares and runs a contender once (the cold start), then checks that
 * first result against the reference. Returns the contender ready for
 * timing, or the measurement that says why it will not be timed.
 */
async function verify(
  contender: Contender,
  layer: BenchLayer,
  layout: Layout,
  inputs: LayerInputs,
  reference: ReturnType<typeof referenceConv1x1>,
  outputShape: readonly [number, number, number, number],
): Promise<Verified | Measurement> {
  const identity = {
    contender: contender.name,
    kind: contender.kind,
    version: contender.version,
    ...(contender.configuration === undefined ? {} : { configuration: contender.configuration }),
  };
  const notTimed = (status: Measurement['status'], reason: string, extra: Partial<Measurement> = {}): Measurement => ({
    ...identity,
    status,
    reason,
    samplesMs: [],
    warmupRuns: 0,
    ...extra,
  });
  const inputLayout = contender.layoutFor(layout);
  let prepared: PreparedRun;
  let firstRunMs: number;
  const prepareStart = now();
  try {
    prepared = await contender.prepare({ layer, weights: inputs.data.weights, bias: inputs.data.bias, input: inputs.in(inputLayout) });
  } catch (error) {
    return notTimed(error instanceof UnsupportedLayerError ? 'unsupported' : 'failed', reasonOf(error));
  }
  const prepareMs = now() - prepareStart;
  try {
    await prepared.activate?.();
    const runStart = now();
    await prepared.run();
    firstRunMs = now() - runStart;
  } catch (error) {
    await prepared.dispose();
    return notTimed('failed', `first run: ${reasonOf(error)}`, { prepareMs });
  }
  const stamp = {
    inputLayout: prepared.inputLayout,
    outputLayout: prepared.outputLayout,
    details: prepared.details,
    ...(prepared.selection === undefined ? {} : { selection: prepared.selection }),
    prepareMs,
    firstRunMs,
  };
  const check = (output: Float32Array) =>
    checkResult(output, prepared.outputLayout, layout, outputShape, reference, layer.inChannels / layer.groups, prepared.precisionFactor);
  const accuracy = check(prepared.output());
  if (accuracy.failureCount > 0) {
    await prepared.dispose();
    return notTimed('wrong', accuracy.description, { ...stamp, accuracy });
  }
  return {
    contender,
    prepared,
    base: { ...identity, ...stamp, accuracy },
    variants: await verifyVariants(prepared, check),
  };
}

/** A verified contender (or one of its variants) being timed, with its samples. */
interface Series {
  readonly owner: Verified;
  /** Set for a variant's series; the usual run's otherwise. */
  readonly variant?: PreparedVariant;
  readonly set: SampleSet;
  warmupRuns: number;
  /** Fastest warm-up run, ms (Infinity before any). */
  fastestWarmupMs: number;
  /** Back-to-back runs per sample (set after the warm-up; one for a variant that does not batch, `PreparedVariant.batches`). */
  runsPerSample: number;
  /** Untimed runs that opened a round-robin turn (`MeasurementSettings.turnWarmupMs`). */
  turnRuns: number;
  /** A run's time after the warm-up, ms: the fastest warm-up run, else the cold first run (Infinity before the warm-up). */
  runMs: number;
}

/** Most runs one sample may batch (a layer of a few nanoseconds would otherwise take millions). */
const MAX_RUNS_PER_SAMPLE = 10_000;

/**
 * One timed run (result read back to host memory): activation outside the timing, then the run, in ms;
 * a variant times itself.
 */
async function timeOnce(series: Series): Promise<number> {
  await series.owner.prepared.activate?.();
  if (series.variant) return series.variant.sample();
  const start = now();
  await series.owner.prepared.run();
  return now() - start;
}

/** One sample: the mean of `series.runsPerSample` back-to-back runs (activation once, outside the timing), in ms. */
async function timeSample(series: Series): Promise<number> {
  if (series.runsPerSample === 1) return timeOnce(series);
  if (series.variant) {
    await series.owner.prepared.activate?.();
    return series.variant.sample(series.runsPerSample);
  }
  const { prepared } = series.owner;
  await prepared.activate?.();
  const start = now();
  for (let i = 0; i < series.runsPerSample; i++) await prepared.run();
  return (now() - start) / series.runsPerSample;
}

/**
 * Runs a series, discarding the runs, until `warmupMs` have passed counting
 * the cold first run: a layer whose first run alone took that long (seconds
 * for the naive loop on big layers) is warm already.
 */
async function warmUp(series: Series, warmupMs: number, minSampleMs: number, maxSampleMs: number): Promise<void> {
  let elapsed = series.variant ? 0 : (series.owner.base.firstRunMs ?? 0);
  while (elapsed < warmupMs) {
    const ms = await timeOnce(series);
    elapsed += ms;
    series.fastestWarmupMs = Math.min(series.fastestWarmupMs, ms);
    series.warmupRuns++;
  }
  // Runs shorter than a sample are timed in batches (from the fastest warm run: a slower one was still cold).
  const runMs = Number.isFinite(series.fastestWarmupMs) ? series.fastestWarmupMs : (series.owner.base.firstRunMs ?? Infinity);
  series.runMs = runMs;
  // A batch never outlasts the time a sample may take (`maxSampleMs`), whatever `minSampleMs` says.
  const sampleMs = Math.min(minSampleMs, maxSampleMs);
  if ((!series.variant || series.variant.batches === true) && sampleMs > 0 && runMs < sampleMs) {
    series.runsPerSample = Math.min(MAX_RUNS_PER_SAMPLE, Math.max(1, Math.floor(sampleMs / Math.max(runMs, 1e-6))));
  }
}

/** Status, samples, summary and GFLOP/s of a finished sample set. */
function timedFields(set: SampleSet, warmupRuns: number, flops: number) {
  const summary = set.samplesMs.length > 0 ? summarize(set.samplesMs) : undefined;
  return {
    status: set.failure === undefined ? ('ok' as const) : ('failed' as const),
    ...(set.failure === undefined ? {} : { reason: set.failure }),
    samplesMs: set.samplesMs,
    warmupRuns,
    ...(summary && set.failure === undefined
      ? { summary, gflops: { median: gflops(flops, summary.median), low: gflops(flops, summary.p90), high: gflops(flops, summary.p10) } }
      : {}),
  };
}

function finish(series: Series, all: readonly Series[], flops: number): Measurement {
  const measurement: Measurement = {
    ...series.owner.base,
    ...timedFields(series.set, series.warmupRuns, flops),
    ...(series.runsPerSample > 1 ? { runsPerSample: series.runsPerSample } : {}),
    ...(series.turnRuns > 0 ? { turnRuns: series.turnRuns } : {}),
  };
  if (series.owner.variants.length === 0) return measurement;
  const variants = series.owner.variants.map((v): VariantMeasurement => {
    if (!('variant' in v)) return v;
    const s = all.find((x) => x.variant === v.variant)!;
    const timed = timedFields(s.set, s.warmupRuns, flops);
    const reads = v.variant.readsMs ?? [];
    return {
      name: v.variant.name,
      method: v.variant.method,
      accuracy: v.accuracy,
      ...timed,
      ...(s.runsPerSample > 1 ? { runsPerSample: s.runsPerSample } : {}),
      ...(s.turnRuns > 0 ? { turnRuns: s.turnRuns } : {}),
      ...(timed.summary && measurement.summary ? { gain: measurement.summary.median / timed.summary.median } : {}),
      ...(reads.length > 0 ? { readMedianMs: summarize([...reads]).median } : {}),
    };
  });
  return { ...measurement, variants };
}

/**
 * Times the verified series round-robin: each round runs every series that
 * still needs samples once, so drift of a shared machine affects all alike
 * (a turn opens with an untimed run where `turnWarmupMs` says so).
 */
async function sampleRoundRobin(series: readonly Series[], options: HarnessOptions): Promise<void> {
  const { progress } = options;
  const turnWarmupMs = options.settings.turnWarmupMs ?? 0;
  // The contender whose series took the last sample (its own variants share its operator, threads and weights).
  let previous: Verified | undefined;
  let active = series.filter((s) => s.set.needsMore());
  while (active.length > 0) {
    for (const s of active) {
      await between(options);
      try {
        // Another contender ran since this one's last sample (or none sampled yet: every warm-up came between):
        // one untimed run first (see `turnWarmupMs`). Never with 0, also for a run a coarse clock reads as 0 ms.
        if (turnWarmupMs > 0 && previous !== s.owner && s.runMs <= turnWarmupMs) {
          await timeOnce(s);
          s.turnRuns++;
        }
        previous = s.owner;
        s.set.add(await timeSample(s), s.runsPerSample);
      } catch (error) {
        s.set.failure = `timed run: ${reasonOf(error)}`;
      }
      if (!s.set.needsMore() && !s.variant) progress?.step();
    }
    active = active.filter((s) => s.set.needsMore());
  }
}

/**
 * Measures one layer in one requested layout: the float64 reference, then
 * each contender's cold start and checked first result, warm-up, and
 * interleaved warm samples. Contenders are returned in the given order.
 */
async function measureLayer(
  layer: BenchLayer,
  layout: Layout,
  inputs: LayerInputs,
  contenders: readonly Contender[],
  options: HarnessOptions,
  label: string,
): Promise<LayerResult> {
  const { progress, settings } = options;
  progress?.status(`${label}: reference`);
  const { weights, bias } = inputs.data;
  const input = inputs.in(layout);
  const { geometry } = normalizeConv1x1(layerProblem(layer, input, weights, bias));
  const reference = referenceConv1x1(geometry, input.data, weights, bias);
  const outcomes: (Verified | Measurement)[] = [];
  for (const contender of contenders) {
    await between(options);
    progress?.status(`${label}: ${contender.name} cold start and check`);
    const outcome = await verify(contender, layer, layout, inputs, reference, geometry.outputShape);
    if (!('prepared' in outcome)) progress?.step();
    outcomes.push(outcome);
  }
  const fresh = (owner: Verified, variant?: PreparedVariant): Series => ({
    owner,
    ...(variant ? { variant } : {}),
    set: new SampleSet(settings),
    warmupRuns: 0,
    fastestWarmupMs: Infinity,
    runsPerSample: 1,
    turnRuns: 0,
    runMs: Infinity,
  });
  const series: Series[] = outcomes.flatMap((o) =>
    'prepared' in o ? [fresh(o), ...o.variants.flatMap((v) => ('variant' in v ? [fresh(o, v.variant)] : []))] : [],
  );
  try {
    progress?.status(`${label}: warm-up`);
    for (const s of series) {
      await between(options);
      try {
        await warmUp(s, settings.warmupMs, settings.minSampleMs ?? 0, settings.maxTimeMs / Math.max(1, settings.minSamplesAtCap));
      } catch (error) {
        s.set.failure = `warm-up: ${reasonOf(error)}`;
        if (!s.variant) progress?.step();
      }
    }
    progress?.status(`${label}: timing ${series.length} series round-robin`);
    await sampleRoundRobin(series, options);
  } finally {
    for (const o of outcomes) if ('prepared' in o) await o.prepared.dispose();
  }
  const flops = layerFlops(layer);
  const measurements = outcomes.map((o) => ('prepared' in o ? finish(series.find((s) => s.owner === o && !s.variant)!, series, flops) : o));
  return { layer: layerInfo(layer, problemKey(geometry)), measurements };
}

/**
 * Runs suites on loaded contenders: for every suite, layer and layout, the
 * reference, each contender's cold start and verified first result, then
 * interleaved warm samples. A contender whose result is wrong is reported
 * and not timed. Layer data (real or synthetic) is created once per layer.
 */
export async function runSuites(suites: readonly Suite[], contenders: readonly Contender[], options: HarnessOptions): Promise<SuiteResult[]> {
  const { progress, layouts } = options;
  progress?.start(suites.reduce((sum, s) => sum + s.layers.length, 0) * layouts.length * contenders.length);
  const results: SuiteResult[] = [];
  try {
    for (const suite of suites) {
      const perLayout = layouts.map((): LayerResult[] => []);
      for (const layer of suite.layers) {
        progress?.status(`${suite.name} ${layer.name}: loading data`);
        const inputs = new LayerInputs(layer.load ? await layer.load() : syntheticLayerData(layer, options.seed));
        for (let i = 0; i < layouts.length; i++) {
          const label = `${suite.name} ${layouts[i]} ${layer.name}`;
          perLayout[i].push(await measureLayer(layer, layouts[i], inputs, contenders, options, label));
        }
      }
      layouts.forEach((layout, i) => results.push({ suite: suite.name, description: suite.description, layout, layers: perLayout[i] }));
    }
  } finally {
    progress?.stop();
  }
  return results;
}
