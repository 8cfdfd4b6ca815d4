import { FLOAT32_MAX, errorBound } from '../accuracy.js';
import type { BackendCapabilities, BackendOperator } from '../backend.js';
import { InvalidArgumentError, PointwiseError } from '../errors.js';
import { assertKnownKeys } from '../known-keys.js';
import type { Conv1x1Geometry } from '../geometry.js';
import { referenceElement } from '../reference/reference-kernel.js';
import { allocateSharedBuffer, layoutStrides, shapeSize, type Tensor } from '../tensor.js';

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
/** Output elements checked against the float64 reference per candidate. */
export const CHECKED_SAMPLE = 64;

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

/** The seed of the measurement input's LCG. */
const MEASUREMENT_SEED = 0x9e3779b9;

/** The next state of the measurement input's LCG (Numerical Recipes' 32-bit constants). */
function lcgNext(state: number): number {
  return (Math.imul(state, 1664525) + 1013904223) >>> 0;
}

/**
 * The input a measurement runs on: deterministic values in [−1, 1) (a 32-bit LCG, Numerical Recipes'
 * constants), on `SharedArrayBuffer` memory when `shared`, or written into `data` when given.
 * @throws {InvalidArgumentError} when `data` is not a `Float32Array` of the input's element count, or is not
 *   on `SharedArrayBuffer` memory while `shared` is set.
 */
export function measurementInput(g: Conv1x1Geometry, shared = false, data?: Float32Array): Tensor {
  const length = shapeSize(g.inputShape);
  if (data !== undefined) {
    const expected = `a Float32Array of ${length} elements${shared ? ' on SharedArrayBuffer memory' : ''}`;
    if (!(data instanceof Float32Array)) throw new InvalidArgumentError('data', expected, data === null ? null : Object.prototype.toString.call(data));
    if (data.length !== length) throw new InvalidArgumentError('data', expected, `${data.length} elements`);
    if (shared && !(typeof SharedArrayBuffer === 'function' && data.buffer instanceof SharedArrayBuffer)) throw new InvalidArgumentError('data', expected, 'an ArrayBuffer');
  }
  data ??= shared ? new Float32Array(allocateSharedBuffer(length * Float32Array.BYTES_PER_ELEMENT)) : new Float32Array(length);
  let state = MEASUREMENT_SEED;
  for (let i = 0; i < data.length; i++) {
    state = lcgNext(state);
    data[i] = state / 2 ** 31 - 1;
  }
  return Object.freeze({ shape: g.inputShape, layout: g.inputLayout, data });
}

/**
 * Whether `x` (from {@link measurementInput}) still holds the measurement input, bit for bit: a candidate
 * that wrote into its input must be caught (inputs are never to be changed), or every later check would
 * compare against a reference of the old values and blame the candidates that are right.
 */
export function measurementInputIntact(x: Tensor): boolean {
  const data = x.data;
  let state = MEASUREMENT_SEED;
  for (let i = 0; i < data.length; i++) {
    state = lcgNext(state);
    // Values in [−1, 1) are never NaN: `!==` compares them bit for bit but for ±0, which the LCG never gives.
    if (data[i] !== Math.fround(state / 2 ** 31 - 1)) return false;
  }
  return true;
}

/**
 * Checks sampled outputs against the float64 reference: {@link CHECKED_SAMPLE}
 * elements evenly spread over the output (in NCHW order), each within the
 * accuracy bound times the checked backend's declared precision factor.
 */
export interface SampleCheck {
  (out: Float32Array, capabilities: BackendCapabilities): string | null;
  /**
   * Writes a value no correct run leaves at each sampled position (NaN, or 0 where the reference is NaN),
   * so a run that skips the output — or part of it — fails the check instead of passing on what an earlier
   * run wrote there.
   */
  poison(out: Float32Array): void;
}

/**
 * Computes the float64 reference of the sampled output elements for input
 * `x` once, and returns the check of an output (`out` in `g`'s output
 * layout): `null` when every sampled element is within bound, else a
 * description of the first that is not. Checking then costs 64 comparisons,
 * so the planner checks every timed run, not only the first.
 */
export function sampleCheck(g: Conv1x1Geometry, x: Tensor, weights: Float32Array, bias: Float32Array | null): SampleCheck {
  const [n, co, ho, wo] = g.outputShape;
  const ys = layoutStrides(g.outputShape, g.outputLayout);
  const total = n * co * ho * wo;
  const step = Math.max(1, Math.floor(total / CHECKED_SAMPLE));
  const samples: { readonly at: number; readonly name: string; readonly value: number; readonly magnitude: number }[] = [];
  for (let linear = 0; linear < total; linear += step) {
    // Logical indices of the linear position (NCHW order), then the element in the output layout.
    const b = Math.floor(linear / (co * ho * wo));
    const c = Math.floor(linear / (ho * wo)) % co;
    const i = Math.floor(linear / wo) % ho;
    const j = linear % wo;
    const expected = referenceElement(g, x.data, weights, bias, b, c, i, j);
    samples.push({ at: b * ys.n + c * ys.c + i * ys.h + j * ys.w, name: `y[${b}, ${c}, ${i}, ${j}]`, value: expected.value, magnitude: expected.magnitude });
  }
  const check = (out: Float32Array, capabilities: BackendCapabilities): string | null => {
    for (const { at, name, value: y, magnitude } of samples) {
      const actual = out[at];
      const bound = errorBound(g.inChannelsPerGroup, magnitude, y, capabilities.precisionFactor);
      let ok: boolean;
      if (Number.isNaN(y)) ok = Number.isNaN(actual);
      // Beyond float32's range the float32 result is the infinity of that sign.
      else if (Math.abs(y) > FLOAT32_MAX) ok = actual === Math.sign(y) * Infinity || Math.abs(actual - y) <= bound;
      else ok = Math.abs(actual - y) <= bound;
      if (!ok) return `${name} = ${actual}, the reference is ${y}`;
    }
    return null;
  };
  return Object.assign(check, {
    poison(out: Float32Array): void {
      for (const { at, value } of samples) out[at] = Number.isNaN(value) ? 0 : Number.NaN;
    },
  });
}

/**
 * Checks a sample of `out` against the float64 reference ({@link sampleCheck}
 * made and applied once). Returns `null` when every sampled element is within
 * bound, else a description of the first that is not.
 */
export function checkSample(
  g: Conv1x1Geometry,
  x: Tensor,
  weights: Float32Array,
  bias: Float32Array | null,
  out: Float32Array,
  capabilities: BackendCapabilities,
): string | null {
  return sampleCheck(g, x, weights, bias)(out, capabilities);
}

/**
 * The clock, its readings checked: a reading that is not a finite number, or
 * one earlier than the last, would make medians meaningless (NaN or negative).
 * @throws {InvalidArgumentError} on such a reading.
 */
export function checkedClock(clock: () => number): () => number {
  let last = -Infinity;
  return () => {
    const reading: unknown = clock();
    if (typeof reading !== 'number' || !Number.isFinite(reading) || reading < last) {
      const since = last === -Infinity ? '' : ` (the last reading was ${last})`;
      throw new InvalidArgumentError('options.measure.clock', `finite milliseconds that never decrease${since}`, reading);
    }
    last = reading;
    return reading;
  };
}

/** Whether `error` is {@link checkedClock}'s: a broken clock ends the measurement, it is no candidate's fault. */
export function isClockError(error: PointwiseError): boolean {
  return error instanceof InvalidArgumentError && error.parameter === 'options.measure.clock';
}

/** Median and lower quartile of the timed runs of one candidate, milliseconds, and how many runs were timed. */
export interface Timing {
  readonly medianMs: number;
  /**
   * The lower quartile (nearest rank: the ⌊(n−1)/4⌋-th smallest of n runs; the fastest of four or fewer).
   * Candidates are ranked by it: load that comes and goes only ever adds time, and hits a multi-threaded
   * candidate harder than a one-thread one, so a median taken while it passed can rank a near-tie the wrong
   * way round; the lower quartile stays put while up to three runs in four are slowed (BenchmarkTools.jl
   * ranks by the minimum for the same reason; one lucky run cannot decide here).
   */
  readonly lowerQuartileMs: number;
  readonly runs: number;
}

/** What {@link timeInRounds} measured for one candidate. */
export interface RoundTiming extends Timing {
  /** Set when one of its runs failed, or gave a result its check rejected ({@link RejectedResultError}); it is then timed no further. */
  readonly error?: unknown;
}

function median(sorted: readonly number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Share of the decision's whole budget (`budgetMs` per candidate) the rounds leave for what follows them:
 * the late checks, disposing of the candidates not kept, remembering the decision (1–2 ms of 100 here).
 */
export const DECISION_TAIL_SHARE = 0.02;

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Rounds every candidate takes (unless dropped or failing), whatever its budget: a median of fewer runs is noise. */
export const MIN_TIMED_ROUNDS = 2;
/**
 * Timed runs per round, after the round's untimed run: two samples for three runs (one for two measured
 * noisier choices at the same cost: more samples per millisecond of budget).
 */
export const TIMED_RUNS_PER_ROUND = 2;

/** One candidate as {@link timeInRounds} measures it. */
export interface MeasuredCandidate {
  readonly op: BackendOperator;
  /** Runs go through it (it rejects when the registry is disposed). */
  readonly race: <T>(work: Promise<T>) => Promise<T>;
  /** Milliseconds of its budget already spent before the warm-up (preparing it and its checked run). */
  readonly setupMs: number;
  /** Checks the output of each of its timed runs (a candidate right only sometimes is dropped); `null` means right. */
  readonly check: (out: Float32Array) => string | null;
  /** Poisons the checked positions of `out` before a timed run (see {@link SampleCheck.poison}). */
  readonly poison: (out: Float32Array) => void;
  /** Whether the input still holds the measurement values, restoring them when not (a candidate that wrote into it is dropped). */
  readonly inputIntact: () => boolean;
}

/** A result a candidate's run gave that the measurement rejects (wrong values, a changed input): the run itself settled. */
export class RejectedResultError extends Error {
  override readonly name = 'RejectedResultError';
}

/**
 * Warms up each candidate, then times warm runs of several prepared operators in rounds: per round, each
 * candidate's untimed run then {@link TIMED_RUNS_PER_ROUND} timed ones (so load that comes and goes weighs on
 * every candidate alike, and none is timed cold), odd rounds in reverse order (so none always follows the
 * same candidate).
 *
 * Each candidate has its own budget of `budgetMs`, which counts everything spent on it: its `setupMs`
 * (preparing and the checked run), its warm-up and its rounds, so a slow candidate cannot leave the others
 * too few rounds and deciding costs about `budgetMs` per candidate. The warm-up runs untimed until
 * {@link WARMUP_SHARE} of the budget is spent (at least {@link MIN_WARMUP_RUNS} runs, at most {@link WARMUP_RUNS}). Every
 * candidate takes {@link MIN_TIMED_ROUNDS} rounds; after them a candidate takes another only when one more
 * of its rounds, as long as its longest so far, still fits its budget, and the whole measurement's spending
 * still fits `budgetMs` per candidate (less {@link DECISION_TAIL_SHARE}); none times more than `maxRuns` runs. A candidate
 * whose two or more warm-up runs all took over four times the fastest warm-up run takes no round (its fastest
 * is its sample); after
 * the first round one over four times the best median, after the second one over twice the best median, is
 * timed no
 * further. Every timed run's output goes through the candidate's `check`; one it rejects drops the candidate
 * (its `error`). The callers have run each once already (the checked run).
 */
export async function timeInRounds(candidates: readonly MeasuredCandidate[], x: Tensor, out: Tensor, limits: Required<MeasureOptions>): Promise<RoundTiming[]> {
  const times = candidates.map(() => [] as number[]);
  const errors: unknown[] = candidates.map(() => undefined);
  const now = checkedClock(limits.clock);
  const spent = candidates.map((c) => c.setupMs);
  /** Each candidate's longest round so far, milliseconds: what one more round may cost. */
  const longestRound = candidates.map(() => 0);
  const dropped = candidates.map(() => false);
  // Warm-up, untimed: a new operator's first runs are slow (state built lazily, code not yet
  // optimised; the workers backend's pool threads most — 1.5–2× over its first ten runs here), and
  // a median over them would rank candidates by how fast they warm up, not how fast they run.
  /** Each candidate's fastest warm-up run and its warm-up run count. */
  const fastestWarmUp = candidates.map(() => Infinity);
  const warmUpRuns = candidates.map(() => 0);
  for (let i = 0; i < candidates.length; i++) {
    const began = now();
    for (let r = 0; r < WARMUP_RUNS && (r < MIN_WARMUP_RUNS || spent[i] + (now() - began) < limits.budgetMs * WARMUP_SHARE); r++) {
      const t0 = now();
      try {
        await candidates[i].race(Promise.resolve(candidates[i].op.run(x, out)));
      } catch (error) {
        if (PointwiseError.isInstance(error) && (error.code === 'DISPOSED' || isClockError(error))) throw error;
        errors[i] = error;
        break;
      }
      fastestWarmUp[i] = Math.min(fastestWarmUp[i], now() - t0);
      warmUpRuns[i]++;
    }
    spent[i] += now() - began;
  }
  // A candidate whose warm-up runs all took over four times the fastest warm-up run of all cannot win (a
  // JavaScript kernel beside WebAssembly ones): its fastest is its one sample, and it takes no round. Two
  // runs at least: one can be slow by accident (a page fault, a thread waking up).
  const fastestOfAll = Math.min(...fastestWarmUp.filter((_, i) => errors[i] === undefined));
  fastestWarmUp.forEach((t, i) => {
    if (errors[i] === undefined && warmUpRuns[i] >= 2 && t > 4 * fastestOfAll) {
      dropped[i] = true;
      times[i].push(t);
    }
  });
  const timing = (i: number) => errors[i] === undefined && !dropped[i];
  const totalBudget = limits.budgetMs * candidates.length * (1 - DECISION_TAIL_SHARE);
  for (let round = 0; ; round++) {
    // Every candidate takes the first rounds; then each goes on while one more round fits its budget.
    const takes = candidates.map((_, i) => timing(i) && times[i].length < limits.maxRuns && (round < MIN_TIMED_ROUNDS || spent[i] + longestRound[i] <= limits.budgetMs));
    if (!takes.includes(true)) break;
    // Odd rounds go in reverse order, so no candidate always follows the same one.
    for (let k = 0; k < candidates.length; k++) {
      const i = round % 2 === 0 ? k : candidates.length - 1 - k;
      if (!takes[i]) continue;
      // Nor may the decision as a whole pass its budget: what one candidate's fixed minimums took past its own
      // (a slow setup on fresh memory) comes out of the others' extra rounds.
      if (round >= MIN_TIMED_ROUNDS && sum(spent) + longestRound[i] > totalBudget) {
        takes[i] = false;
        continue;
      }
      const run = () => candidates[i].race(Promise.resolve(candidates[i].op.run(x, out)));
      const began = now();
      try {
        // An untimed run right before the timed ones: what ran in between (another candidate) must not
        // leave this one cold (a thread pool asleep, caches full of other data), as back-to-back layers are not.
        await run();
        const timed = Math.min(TIMED_RUNS_PER_ROUND, limits.maxRuns - times[i].length);
        for (let r = 0; r < timed; r++) {
          candidates[i].poison(out.data);
          const t0 = now();
          await run();
          const ms = now() - t0;
          // Right in the first run is not enough: every timed run is checked (against a precomputed sample).
          const disagreement = candidates[i].check(out.data);
          if (disagreement !== null) throw new RejectedResultError(`result outside the accuracy bound in a timed run: ${disagreement}`);
          times[i].push(ms);
        }
        if (!candidates[i].inputIntact()) throw new RejectedResultError('it wrote into its input (inputs are never to be changed)');
      } catch (error) {
        // A dispose() and a broken clock end the measurement; any other failure drops this candidate.
        if (PointwiseError.isInstance(error) && (error.code === 'DISPOSED' || isClockError(error))) throw error;
        errors[i] = error;
        continue;
      } finally {
        const took = now() - began;
        longestRound[i] = Math.max(longestRound[i], took);
        spent[i] += took;
      }
    }
    // A round in which no candidate ran (each out of budget) is the last.
    if (!takes.includes(true)) break;
    // A candidate that cannot win is timed no further: after the first round one over four times the best
    // median (a JavaScript kernel beside WebAssembly ones), after the second one over twice the best median.
    {
      const factor = round === 0 ? 4 : 2;
      const medians = times.map((t, i) => (t.length > 0 && errors[i] === undefined ? median([...t].sort((a, b) => a - b)) : Infinity));
      const best = Math.min(...medians);
      medians.forEach((m, i) => {
        if (m > factor * best) dropped[i] = true;
      });
    }
  }
  return candidates.map((_, i) => {
    const sorted = [...times[i]].sort((a, b) => a - b);
    return {
      medianMs: sorted.length > 0 ? median(sorted) : NaN,
      lowerQuartileMs: sorted.length > 0 ? sorted[(sorted.length - 1) >> 2] : NaN,
      runs: sorted.length,
      ...(errors[i] !== undefined ? { error: errors[i] } : {}),
    };
  });
}
