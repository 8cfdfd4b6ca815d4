import type { Backend, BackendOperator } from '../backend.js';
import { PointwiseError, type BackendAttempt } from '../errors.js';
import type { NormalizedConv1x1 } from '../geometry.js';
import type { BackendRegistry } from '../registry.js';
import type { BackendEntry } from '../selection-syntax.js';
import { shapeSize, type Tensor } from '../tensor.js';
import { environmentFingerprint, POINTWISE_CORE_VERSION } from './fingerprint.js';
import { RejectedResultError, timeInRounds, type MeasuredCandidate } from './measure.js';
import { checkedClock, isClockError } from './measure-clock.js';
import type { MeasureOptions } from './measure-options.js';
import { measurementInput, measurementInputIntact } from './measurement-input.js';
import { sampleCheck } from './sample-check.js';
import { borrowScratch, returnScratch } from './scratch-memory.js';
import { Wisdom, problemKey } from './wisdom.js';

/**
 * How `prepareConv1x1` picks among the candidates: `'first'` (default) the
 * first that can prepare, in preference order; `'fastest'` measures every
 * available candidate on this problem and keeps the fastest, remembering the
 * decision as wisdom (a remembered decision is used without measuring again);
 * `'wisdom-only'` uses a remembered decision where there is one and otherwise
 * takes the first, never measuring.
 */
export type ChooseMode = 'first' | 'fastest' | 'wisdom-only';

/** One candidate in a selection report. */
export interface CandidateReport {
  /** Canonical configuration string. */
  readonly configuration: string;
  /**
   * `chosen`; `measured` (slower than the chosen one); `dropped` (prepared but
   * its result disagreed with the reference, or it failed while measured);
   * `unavailable` (could not be selected or prepared); `not measured`
   * (a remembered or first-choice decision made measuring unnecessary).
   */
  readonly status: 'chosen' | 'measured' | 'dropped' | 'unavailable' | 'not measured';
  /** Median milliseconds per run, for measured candidates. */
  readonly medianMs?: number;
  /** Lower quartile of its runs, milliseconds, for measured candidates: what the candidates are ranked by (see `Timing.lowerQuartileMs`). */
  readonly lowerQuartileMs?: number;
  /** Timed runs behind the median. */
  readonly runs?: number;
  /** Why it was dropped or unavailable. */
  readonly reason?: string;
}

/** How the backend of an operator was chosen (`op.info.selection`). */
export interface SelectionReport {
  /** `first` (preference order), `fastest` (measured now), `wisdom` (a remembered measurement). */
  readonly method: 'first' | 'fastest' | 'wisdom';
  readonly candidates: readonly CandidateReport[];
  /**
   * Milliseconds spent deciding (preparation, checking and timing of every candidate, the measurement tensors),
   * without {@link initMs}.
   */
  readonly decisionMs: number;
  /**
   * Milliseconds spent selecting the candidates' backends from the registry, which initialises each on its
   * first use in this registry (a thread pool starting, modules compiling, gpu.js probing its modes: 100–300 ms
   * here) and is about 0 after that. Not part of {@link decisionMs}: it is paid once whatever chooses the
   * backend, by name or by measuring.
   */
  readonly initMs: number;
}

/** What the planner hands back: the kept operator and how it was chosen. */
export interface PlannedOperator {
  readonly op: BackendOperator;
  readonly backend: Backend;
  readonly configuration: string;
  readonly attempts: readonly BackendAttempt[];
  readonly report: SelectionReport;
}

const WISDOM_KEY = Symbol.for('@pointwise/core.defaultWisdom.v1');

/**
 * The process-wide wisdom `prepareConv1x1` uses unless given another:
 * in memory, for this environment's fingerprint, shared by copies of this
 * package. Export it with `getDefaultWisdom().export()` and load it back with
 * `import()` to keep decisions across runs.
 */
export function getDefaultWisdom(): Wisdom {
  const g = globalThis as unknown as Record<symbol, Wisdom | undefined>;
  return (g[WISDOM_KEY] ??= new Wisdom(environmentFingerprint()));
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Selects and prepares exactly one configuration, or says why it cannot be used; `init.ms` gets the time the
 * registry's selection took (a backend's first initialisation), read from `now`.
 */
async function prepareOne(
  registry: BackendRegistry,
  configuration: string,
  problem: NormalizedConv1x1,
  now: () => number,
  init: { ms: number },
): Promise<{ op: BackendOperator; backend: Backend; race: <T>(work: Promise<T>) => Promise<T> } | { reason: string }> {
  let selecting: number | null = now();
  try {
    const selected = await registry.select({ backend: configuration as unknown as BackendEntry, strict: true });
    init.ms += now() - selecting;
    selecting = null;
    const race = selected.untilDisposed ?? (<T>(work: Promise<T>) => work);
    const op = await race(selected.backend.prepare(problem));
    return { op, backend: selected.backend, race };
  } catch (error) {
    if (selecting !== null) init.ms += now() - selecting;
    // Bad input and a dispose() are the caller's to see; a backend that cannot take the problem is a reason.
    if (PointwiseError.isInstance(error) && !['BACKEND_FAILURE', 'BACKEND_CAPACITY', 'BACKEND_UNAVAILABLE'].includes(error.code)) throw error;
    const attempts = (error as { attempts?: BackendAttempt[] }).attempts;
    return { reason: attempts?.length ? attempts.map((a) => a.reason).join('; ') : reasonOf(error) };
  }
}

/**
 * The measuring planner (FFTW's planner, cuDNN's benchmark mode): prepares
 * every candidate configuration for this problem, checks each one's result
 * on a sample of outputs against the float64 reference within the accuracy
 * bound (a candidate that disagrees is dropped and reported), times a few
 * warm runs of each within `limits`, keeps the fastest and disposes of the
 * rest. With a remembered decision for this problem, candidate set and
 * environment in `wisdom`, that configuration is prepared without measuring.
 *
 * @returns `null` when no candidate could be prepared (the caller reports the attempts).
 */
export async function planFastest(
  registry: BackendRegistry,
  candidates: readonly string[],
  problem: NormalizedConv1x1,
  wisdom: Wisdom,
  limits: Required<MeasureOptions>,
  measure: boolean,
  attempts: BackendAttempt[],
): Promise<PlannedOperator | null> {
  const now = checkedClock(limits.clock);
  const started = now();
  const key = problemKey(problem.geometry);
  const remembered = wisdom.lookup(key, candidates);
  const init = { ms: 0 };
  if (remembered !== undefined) {
    const kept = await prepareOne(registry, remembered.choice, problem, now, init);
    if ('op' in kept) {
      let decisionMs: number;
      try {
        decisionMs = now() - started - init.ms;
      } catch (error) {
        kept.op.dispose();
        throw error;
      }
      return {
        ...kept,
        configuration: remembered.choice,
        attempts,
        report: {
          method: 'wisdom',
          decisionMs,
          initMs: init.ms,
          candidates: candidates.map((c) =>
            c === remembered.choice
              ? { configuration: c, status: 'chosen', medianMs: remembered.medianMs[c] }
              : { configuration: c, status: 'not measured', ...(remembered.medianMs[c] !== undefined ? { medianMs: remembered.medianMs[c] } : {}) },
          ),
        },
      };
    }
    attempts.push({ backend: remembered.choice, reason: `remembered choice could not be prepared: ${kept.reason}` });
  }
  if (!measure) return null;

  const g = problem.geometry;
  // On memory an earlier decision used where it is still alive (its pages are mapped already).
  const shared = limits.sharedTensors;
  const inputLength = shapeSize(g.inputShape);
  const outputLength = shapeSize(g.outputShape);
  const xMemory = borrowScratch(inputLength * Float32Array.BYTES_PER_ELEMENT, shared);
  const outMemory = borrowScratch(outputLength * Float32Array.BYTES_PER_ELEMENT, shared);
  // Lent again only when every run settled: a run that failed or was abandoned (a dispose(), a thread let go
  // after a stall) may still write to the memory.
  const runs = { settled: true };
  try {
    const x = measurementInput(g, shared, new Float32Array(xMemory, 0, inputLength));
    const out: Tensor = { shape: g.outputShape, layout: g.outputLayout, data: new Float32Array(outMemory, 0, outputLength) };
    return await measureAndKeep(registry, candidates, problem, wisdom, limits, attempts, { now, started, key, x, out, runs, init });
  } catch (error) {
    if (!(PointwiseError.isInstance(error) && isClockError(error))) runs.settled = false;
    throw error;
  } finally {
    if (runs.settled) {
      returnScratch(xMemory, shared);
      returnScratch(outMemory, shared);
    }
  }
}

/** Where a decision stands when its measurement starts: its clock, when it started, its wisdom key and the measurement tensors. */
interface Decision {
  readonly now: () => number;
  readonly started: number;
  readonly key: string;
  readonly x: Tensor;
  readonly out: Tensor;
  /** Cleared when a run failed rather than gave a result (its memory is then not lent again). */
  readonly runs: { settled: boolean };
  /** Milliseconds the registry spent initialising backends so far (not the decision's: see `SelectionReport.initMs`). */
  readonly init: { ms: number };
}

/** The measuring part of {@link planFastest}: prepares, checks and times every candidate, keeps the fastest and remembers it. */
async function measureAndKeep(
  registry: BackendRegistry,
  candidates: readonly string[],
  problem: NormalizedConv1x1,
  wisdom: Wisdom,
  limits: Required<MeasureOptions>,
  attempts: BackendAttempt[],
  { now, started, key, x, out, runs, init }: Decision,
): Promise<PlannedOperator | null> {
  const g = problem.geometry;
  const check = sampleCheck(g, x, problem.weights, problem.bias);
  const shared = limits.sharedTensors;
  // Whether x still holds the measurement input; restored when not (the candidate that wrote into it is dropped).
  const inputIntact = (): boolean => {
    if (measurementInputIntact(x)) return true;
    measurementInput(g, shared, x.data);
    return false;
  };
  // Touched here, once, so that the first candidate's checked run does not pay alone for fresh pages.
  out.data.fill(0);
  // What is spent on no candidate in particular (these tensors, candidates whose check failed) is charged to
  // the budgets of the measured ones in equal parts, so deciding costs about budgetMs per measured candidate.
  // Not a candidate that could not be used: its time is mostly a backend starting once per process (importing
  // gpu.js and probing its modes: 100–200 ms here), which would leave the others no budget to measure with.
  let sharedMs = now() - started - init.ms;
  const reports: CandidateReport[] = [];
  const measured: (MeasuredCandidate & { configuration: string; backend: Backend; medianMs: number; lowerQuartileMs: number })[] = [];
  let best: (typeof measured)[number];
  try {
    for (const configuration of candidates) {
      // A backend's first initialisation is not this decision's (SelectionReport.initMs): it comes off `began`.
      let began = now();
      const initBefore = init.ms;
      const prepared = await prepareOne(registry, configuration, problem, now, init);
      began += init.ms - initBefore;
      if (!('op' in prepared)) {
        reports.push({ configuration, status: 'unavailable', reason: prepared.reason });
        attempts.push({ backend: configuration, reason: prepared.reason });
        continue;
      }
      try {
        check.poison(out.data);
        // Measured runs race a dispose() of the registry like preparation does: nothing stays pending.
        try {
          await prepared.race(Promise.resolve(prepared.op.run(x, out)));
        } catch (error) {
          runs.settled = false;
          throw error;
        }
        const capabilities = prepared.backend.capabilities();
        if (!inputIntact()) throw new RejectedResultError('it wrote into its input (inputs are never to be changed)');
        const disagreement = check(out.data, capabilities);
        if (disagreement !== null) throw new RejectedResultError(`result outside the accuracy bound: ${disagreement}`);
        const setupMs = now() - began;
        measured.push({
          configuration,
          op: prepared.op,
          backend: prepared.backend,
          medianMs: NaN,
          lowerQuartileMs: NaN,
          race: prepared.race,
          setupMs,
          check: (y) => check(y, capabilities),
          poison: (y) => check.poison(y),
          inputIntact,
        });
      } catch (error) {
        prepared.op.dispose();
        // A broken clock ends the decision; it is no candidate's fault.
        if (PointwiseError.isInstance(error) && (error.code === 'DISPOSED' || isClockError(error))) throw error;
        sharedMs += now() - began;
        reports.push({ configuration, status: 'dropped', reason: reasonOf(error) });
        attempts.push({ backend: configuration, reason: `dropped by the planner: ${reasonOf(error)}` });
      }
    }
    // Timed in rounds, every candidate in each round, so a load that comes and goes weighs on all alike.
    const timings = await timeInRounds(
      measured.map((m) => ({ ...m, setupMs: m.setupMs + sharedMs / measured.length })),
      x,
      out,
      limits,
    );
    for (let i = measured.length - 1; i >= 0; i--) {
      const m = measured[i];
      const timing = timings[i];
      // A candidate that failed, or was right only sometimes (every timed run was checked), is dropped.
      const reason = timing.error !== undefined ? reasonOf(timing.error) : null;
      if (timing.error !== undefined && !(timing.error instanceof RejectedResultError)) runs.settled = false;
      if (reason !== null) {
        m.op.dispose();
        measured.splice(i, 1);
        reports.push({ configuration: m.configuration, status: 'dropped', reason });
        attempts.push({ backend: m.configuration, reason: `dropped by the planner: ${reason}` });
      } else {
        m.medianMs = timing.medianMs;
        m.lowerQuartileMs = timing.lowerQuartileMs;
        reports.push({ configuration: m.configuration, status: 'measured', medianMs: timing.medianMs, lowerQuartileMs: timing.lowerQuartileMs, runs: timing.runs });
      }
    }
    reports.sort((a, b) => candidates.indexOf(a.configuration) - candidates.indexOf(b.configuration));
    if (measured.length === 0) return null;
    // Ranked by the lower quartile of their runs (see Timing); ties go to the earlier, higher-priority one.
    best = measured.reduce((a, b) => (b.lowerQuartileMs < a.lowerQuartileMs ? b : a));
    // The kept backend may have been disposed while later candidates were measured.
    await best.race(Promise.resolve());
  } catch (error) {
    for (const m of measured) m.op.dispose();
    throw error;
  }
  for (const m of measured) if (m !== best) m.op.dispose();
  const medianMs: Record<string, number> = {};
  for (const m of measured) medianMs[m.configuration] = m.medianMs;
  let decisionMs: number;
  try {
    wisdom.remember({
      problem: key,
      candidates: [...candidates],
      fingerprint: wisdom.fingerprint,
      version: POINTWISE_CORE_VERSION,
      choice: best.configuration,
      medianMs,
      measuredAt: new Date().toISOString(),
    });
    decisionMs = now() - started - init.ms;
  } catch (error) {
    // Nothing the caller holds refers to the kept operator yet.
    best.op.dispose();
    throw error;
  }
  return {
    op: best.op,
    backend: best.backend,
    configuration: best.configuration,
    attempts,
    report: {
      method: 'fastest',
      decisionMs,
      initMs: init.ms,
      candidates: reports.map((r) => (r.configuration === best.configuration ? { ...r, status: 'chosen' as const } : r)),
    },
  };
}
