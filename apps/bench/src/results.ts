import type { EnvironmentFingerprint, Layout, SelectionReport } from '@pointwise/core';
import type { ContenderDetails, ContenderKind, VariantName } from './contenders/contender.js';
import type { Environment } from './environment.js';
import type { LayerShape } from './layer.js';
import type { SampleSummary } from './stats.js';

/**
 * What happened to one contender on one layer:
 * - `ok`: verified against the reference, then timed;
 * - `wrong`: its first result failed the accuracy bound; not timed;
 * - `failed`: it threw while preparing or running;
 * - `unsupported`: it cannot express the layer (e.g. TF.js and groups).
 */
export type MeasurementStatus = 'ok' | 'wrong' | 'failed' | 'unsupported';

/** The accuracy check of a contender's first result (README “Accuracy”). */
export interface AccuracySummary {
  readonly elements: number;
  readonly failureCount: number;
  /** Largest `|ŷ − y| / bound`; ≤ 1 passes. */
  readonly worstRatio: number;
  /** Human-readable description (with the first failures when wrong). */
  readonly description: string;
}

/** One row entry: a contender on one layer; every timed run includes reading the result back to host memory. */
export interface Measurement {
  /** `--backends` name. */
  readonly contender: string;
  readonly kind: ContenderKind;
  readonly version: string;
  readonly status: MeasurementStatus;
  /** Why it is not `ok`. */
  readonly reason?: string;
  readonly inputLayout?: Layout;
  readonly outputLayout?: Layout;
  /**
   * Threads, kernel, gpu.js mode … as the engine reports them; a registry contender's also carry
   * `callingThread` (`blocked` | `shared` | `free` | `undeclared`: core's `callingThreadUse`; `blocked`
   * means a page's main thread is busy for the whole run).
   */
  readonly details?: ContenderDetails;
  /**
   * A registry contender's configuration in core's canonical selection syntax (`cpu-tiled[kernel=js]`):
   * what `prepareConv1x1`'s `backend` takes and what wisdom entries name.
   */
  readonly configuration?: string;
  /** The planner's report (`op.info.selection`) of the `auto` contender: method, every candidate's median, time to decide. */
  readonly selection?: SelectionReport;
  readonly accuracy?: AccuracySummary;
  /** Cold start: `prepare` (weights packed, kernels compiled, session built), in ms. */
  readonly prepareMs?: number;
  /** Cold start: the first run after prepare, in ms. */
  readonly firstRunMs?: number;
  /** Every warm sample after warm-up, in ms, in the order taken. */
  readonly samplesMs: readonly number[];
  /** Warm-up runs that were discarded. */
  readonly warmupRuns: number;
  /** Runs behind each sample (each sample is their mean; see `MeasurementSettings.minSampleMs`); absent: one. */
  readonly runsPerSample?: number;
  /** Untimed runs that opened a round-robin turn (see `MeasurementSettings.turnWarmupMs`); absent: none. */
  readonly turnRuns?: number;
  /** Summary of `samplesMs` (ms); present when `ok`. */
  readonly summary?: SampleSummary;
  /** GFLOP/s at the median, p10 and p90 time (p10 time gives the p90 rate). */
  readonly gflops?: { readonly median: number; readonly low: number; readonly high: number };
  /**
   * The same operator run another way, timed in the same round-robin (registry contenders): `zero-copy`
   * where the backend can create tensors in its kernel's memory, `compute-only` where it
   * keeps results on a device. Absent for peers and where a backend has neither.
   */
  readonly variants?: readonly VariantMeasurement[];
}

/** A variant of a contender's run on one layer (see {@link Measurement.variants}). */
export interface VariantMeasurement {
  readonly name: VariantName;
  /** `unsupported`: the operator has no such path (reason says why); otherwise as {@link MeasurementStatus}. */
  readonly status: MeasurementStatus;
  readonly reason?: string;
  /** How a sample is taken. */
  readonly method?: string;
  readonly accuracy?: AccuracySummary;
  readonly samplesMs: readonly number[];
  readonly warmupRuns: number;
  /** Runs behind each sample (zero-copy batches short runs as the usual run does); absent: one. */
  readonly runsPerSample?: number;
  /** Untimed runs that opened a round-robin turn; absent: none. */
  readonly turnRuns?: number;
  readonly summary?: SampleSummary;
  readonly gflops?: { readonly median: number; readonly low: number; readonly high: number };
  /** The usual run's median ÷ this variant's median (> 1: the variant is faster). */
  readonly gain?: number;
  /** compute-only: the median of the reads subtracted from its samples, ms. */
  readonly readMedianMs?: number;
}

/** One way of running a chained stack (see {@link ChainMeasurement}). */
export interface ChainSeries {
  readonly status: MeasurementStatus;
  readonly reason?: string;
  readonly accuracy?: AccuracySummary;
  readonly samplesMs: readonly number[];
  readonly warmupRuns: number;
  readonly summary?: SampleSummary;
  /** The stack's FLOPs over the median time. */
  readonly gflops?: { readonly median: number; readonly low: number; readonly high: number };
}

/** A registry contender running a chained stack: host chain and resident chain. */
export interface ChainMeasurement {
  readonly contender: string;
  readonly version: string;
  readonly configuration?: string;
  readonly status: MeasurementStatus;
  readonly reason?: string;
  /** What ran (from the layers' operators: `variant`, `renderer`, `kernel`, …). */
  readonly details?: ContenderDetails;
  /** Preparing every layer, ms. */
  readonly prepareMs?: number;
  /** `t = await op.run(t)` layer after layer: every result back in host memory. */
  readonly host?: ChainSeries;
  /** `t = await op.runResident(t)` layer after layer, one read at the end; `unsupported` with the reason where a layer cannot. */
  readonly resident?: ChainSeries;
  /** host median ÷ resident median. */
  readonly gain?: number;
}

/** A chained stack (`--chain`): every layer's output the next one's input, checked against the reference chain first. */
export interface ChainResult {
  readonly name: string;
  readonly description: string;
  readonly layout: Layout;
  readonly layers: readonly LayerShape[];
  /** Total FLOPs of the stack. */
  readonly flops: number;
  /** How the chained result was checked. */
  readonly check: string;
  readonly runs: readonly ChainMeasurement[];
}

/** The layer as reported: its shape, FLOPs and where its data came from. */
export interface LayerInfo extends LayerShape {
  readonly flops: number;
  /** `synthetic` (seeded) or `real` (network weights and activations). */
  readonly data: 'synthetic' | 'real';
  /** Core's `problemKey` of the layer's geometry in this table's layout (what wisdom is keyed by). */
  readonly problem?: string;
}

/** Every contender on one layer. */
export interface LayerResult {
  readonly layer: LayerInfo;
  readonly measurements: readonly Measurement[];
}

/** One suite in one requested layout. */
export interface SuiteResult {
  readonly suite: string;
  readonly description: string;
  /** The layout asked for; contenders that have only one run theirs (stamped per measurement). */
  readonly layout: Layout;
  readonly layers: readonly LayerResult[];
}

/** A contender as loaded at the start of the run. */
export interface ContenderStatus {
  readonly name: string;
  readonly kind: ContenderKind;
  readonly version: string;
  readonly available: boolean;
  /** Why it could not load. */
  readonly reason?: string;
  /** Time to load and initialise the engine (once per run), in ms. */
  readonly loadMs?: number;
  /** A registry contender's canonical configuration (see {@link Measurement.configuration}). */
  readonly configuration?: string;
}

/** The measurement settings of a run. */
export interface MeasurementSettings {
  /** Minimum warm samples per contender and layer. */
  readonly repeat: number;
  /** Minimum total warm time per contender and layer, ms. */
  readonly minTimeMs: number;
  /** Stop sampling a contender once its samples total this long (ms) and it has `minSamplesAtCap`, even below `repeat`. */
  readonly maxTimeMs: number;
  /** Samples required before `maxTimeMs` may stop a contender. */
  readonly minSamplesAtCap: number;
  /** Stop sampling at this many samples even below `minTimeMs` (tiny layers; bounds the JSON). */
  readonly maxSamples: number;
  /** Warm-up time per contender and layer (at least one run), ms. */
  readonly warmupMs: number;
  /**
   * Shortest sample, ms (default 0: every sample is one run). A contender whose warm runs are shorter
   * times back-to-back batches of runs instead and records each batch's mean as one sample, the
   * auto-ranged iteration count of Google Benchmark (XNNPACK's benchmarks) and Python's `timeit`: a lone
   * microsecond run right after another contender's is timed mostly with that contender's data and code in
   * the caches (the naive loop on 3→8 @4² ran 0.58 GFLOP/s alone and 0.27 beside ONNX Runtime).
   */
  readonly minSampleMs?: number;
  /**
   * Turn warm-up, ms (default 0: none). A contender whose fastest warm-up run took at most this long runs
   * once, untimed, right before a sample whenever another contender's series took the sample before (its
   * own variants, which share its operator, do not count), so its sample is taken as a network's next layer
   * would run: its threads awake and its data in the caches, not after every other contender's runs. Without it a thread pool is timed from sleep every
   * sample (workers' median on 960→160 @7² was 1.46× its median measured alone, cpu-tiled's 1.07×).
   */
  readonly turnWarmupMs?: number;
}

/**
 * The CLI's and the page's `turnWarmupMs`: runs up to 10 ms get a turn warm-up (an untimed run costs
 * a round at most that much; a longer run's wake-up and cold caches are a few % of it).
 */
export const DEFAULT_TURN_WARMUP_MS = 10;

/** The engine options of a run, as the command line gave them (stamped in the report). */
export interface EngineSettings {
  /** `--threads`: threads of `workers` and `ort-mt`. */
  readonly threads: number;
  /** `--kernel` microkernels, or `default` (each backend's own). */
  readonly kernel: readonly string[] | 'default';
  /** `--gpujs-mode` modes. */
  readonly gpujsMode: readonly string[];
}

/** Everything that shaped a run: sampling, seed, requested layouts and, from the CLI, the engine options. */
export interface ReportSettings extends MeasurementSettings, Partial<EngineSettings> {
  /** Seed of the synthetic layer data. */
  readonly seed: number;
  /** The requested layouts, one table each. */
  readonly layout: readonly Layout[];
}

/** Everything a run produced: what `--json` writes. */
export interface BenchReport {
  readonly tool: '@pointwise/bench';
  readonly version: string;
  readonly startedAt: string;
  /** Wall time of the whole run, ms. */
  readonly wallMs: number;
  readonly environment: Environment;
  readonly settings: ReportSettings;
  readonly contenders: readonly ContenderStatus[];
  readonly suites: readonly SuiteResult[];
  /** Chained stacks (`--chain`), one per requested layout; absent when not asked for. */
  readonly chains?: readonly ChainResult[];
  /**
   * What core's planner would key wisdom by in the environment that ran: `environmentFingerprint()` and
   * the `@pointwise/core` version (absent in reports of earlier bench versions).
   */
  readonly planner?: {
    readonly fingerprint: EnvironmentFingerprint;
    readonly coreVersion: string;
    /** The `auto` contender's candidates (canonical configurations, preference order), when it ran. */
    readonly candidates?: readonly string[];
  };
}
