import type { MeasurementSettings } from './results.js';

/**
 * The warm samples of one contender on one layer, with the
 * stopping rule: enough samples AND enough total time, or — for runs so slow
 * that this would take too long — the time cap with a smaller count.
 */
export class SampleSet {
  readonly samplesMs: number[] = [];
  #totalMs = 0;
  /** Set when a timed run threw; the set then stops. */
  failure: string | undefined;

  constructor(private readonly settings: MeasurementSettings) {}

  /** Records one sample (ms): one run, or the mean of `runs` back-to-back runs (all of them count towards the time limits). */
  add(ms: number, runs = 1): void {
    this.samplesMs.push(ms);
    this.#totalMs += ms * runs;
  }

  /** Sum of the samples, ms. */
  get totalMs(): number {
    return this.#totalMs;
  }

  /**
   * Whether to take another sample: not after a failure; otherwise until
   * `count ≥ repeat` and `total ≥ minTime`, or until `total ≥ maxTime` with
   * `count ≥ minSamplesAtCap`, or until `count ≥ max(maxSamples, repeat)`.
   */
  needsMore(): boolean {
    if (this.failure !== undefined) return false;
    const { repeat, minTimeMs, maxTimeMs, minSamplesAtCap, maxSamples } = this.settings;
    const count = this.samplesMs.length;
    if (count >= minSamplesAtCap && this.#totalMs >= maxTimeMs) return false;
    if (count >= Math.max(maxSamples, repeat)) return false;
    return count < repeat || this.#totalMs < minTimeMs;
  }
}
