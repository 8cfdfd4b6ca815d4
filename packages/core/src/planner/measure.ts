import type { BackendOperator } from '../backend.js';
import { PointwiseError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkedClock, isClockError } from './measure-clock.js';
import { MIN_WARMUP_RUNS, WARMUP_RUNS, WARMUP_SHARE, type MeasureOptions } from './measure-options.js';

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
