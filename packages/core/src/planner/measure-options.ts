import { InvalidArgumentError } from '../errors.js';
import { assertKnownKeys } from '../known-keys.js';

/** Limits of a measurement, per candidate. */
export interface MeasureOptions {
  /** Timed runs at most per candidate (after its checked run and its warm-up). Default 10, at most {@link MAX_MEASURE_RUNS}. */
  readonly maxRuns?: number;
  /**
   * Milliseconds per candidate, counting everything spent on it: preparing it, its checked run, its warm-up
   * and its timed rounds, and its share of the decision's own setup (the measurement tensors). The first
   * {@link MIN_TIMED_ROUNDS} rounds are taken even past it (a layer whose runs take longer than the budget
   * still gets a median of four runs). Default 50, at most {@link MAX_MEASURE_BUDGET_MS}.
   */
  readonly budgetMs?: number;
  /**
   * The clock timings are read from, in milliseconds (default `performance.now`). Inject one to make a
   * decision reproducible: given the same readings the planner always chooses the same candidate (ties go
   * to the earlier candidate, i.e. the higher priority).
   */
  readonly clock?: () => number;
  /**
   * Measure with input and output on `SharedArrayBuffer` memory (default `false`: plain `ArrayBuffer`s,
   * what most callers pass). Pass what your runs will use: a multi-threaded backend reads a shared input
   * and writes a shared output from every thread, but copies plain ones on the calling thread, so the
   * fastest candidate can differ between the two (the bench's contenders run on shared tensors).
   */
  readonly sharedTensors?: boolean;
}

/** The default clock: `performance.now()` where it exists, else `Date.now()`. */
export function defaultClock(): number {
  return globalThis.performance?.now() ?? Date.now();
}

/** Default and largest timed runs per candidate. */
export const DEFAULT_MEASURE_RUNS = 10;
export const MAX_MEASURE_RUNS = 100;
/** Default and largest time budget per candidate, milliseconds. */
export const DEFAULT_MEASURE_BUDGET_MS = 50;
export const MAX_MEASURE_BUDGET_MS = 1000;
/** Untimed warm-up runs per candidate before the timed rounds, at most, and the share of `budgetMs` they may take. */
export const WARMUP_RUNS = 30;
/**
 * Warm-up runs every candidate takes, even past its share of the budget: a fresh operator's second and third
 * runs are still slow (the workers backend's: 1.1–1.4× its later runs on MobileNetV2's 16→96 @112² here).
 */
export const MIN_WARMUP_RUNS = 3;
export const WARMUP_SHARE = 0.5;

/**
 * Checks measurement limits and fills in the defaults.
 * @throws {InvalidArgumentError} for an unknown key or a limit that is not an integer in range.
 */
export function resolveMeasureOptions(options: unknown): Required<MeasureOptions> {
  if (options === undefined) return { maxRuns: DEFAULT_MEASURE_RUNS, budgetMs: DEFAULT_MEASURE_BUDGET_MS, clock: defaultClock, sharedTensors: false };
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options.measure', 'an object { maxRuns, budgetMs, clock }', options);
  const o = options as Record<string, unknown>;
  assertKnownKeys('options.measure', o, ['maxRuns', 'budgetMs', 'clock', 'sharedTensors']);
  const sharedTensors = o.sharedTensors ?? false;
  if (typeof sharedTensors !== 'boolean') throw new InvalidArgumentError('options.measure.sharedTensors', 'true or false', sharedTensors);
  if (sharedTensors && typeof SharedArrayBuffer !== 'function') {
    throw new InvalidArgumentError('options.measure.sharedTensors', 'false where SharedArrayBuffer does not exist (a page that is not cross-origin isolated)', sharedTensors);
  }
  const clock = o.clock ?? defaultClock;
  if (typeof clock !== 'function') throw new InvalidArgumentError('options.measure.clock', 'a function returning milliseconds', clock);
  const maxRuns = o.maxRuns ?? DEFAULT_MEASURE_RUNS;
  const budgetMs = o.budgetMs ?? DEFAULT_MEASURE_BUDGET_MS;
  if (typeof maxRuns !== 'number' || !Number.isInteger(maxRuns) || maxRuns < 1 || maxRuns > MAX_MEASURE_RUNS) {
    throw new InvalidArgumentError('options.measure.maxRuns', `an integer in [1, ${MAX_MEASURE_RUNS}]`, maxRuns);
  }
  if (typeof budgetMs !== 'number' || !Number.isFinite(budgetMs) || budgetMs <= 0 || budgetMs > MAX_MEASURE_BUDGET_MS) {
    throw new InvalidArgumentError('options.measure.budgetMs', `a number in (0, ${MAX_MEASURE_BUDGET_MS}]`, budgetMs);
  }
  return { maxRuns, budgetMs, clock: clock as () => number, sharedTensors };
}
