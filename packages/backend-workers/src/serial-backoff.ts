/**
 * When a pooled run is not worth posting: the back-off of one operator's
 * runs after pooled runs that computed on one thread only.
 *
 * A pooled run pays for its dispatch (the message, the doorbell, the output
 * copy out of shared memory), and earns it back only when two threads
 * compute at once. Measured on the shared 2-core machine, in Chromium and in
 * Node alike (README, "Runs that compute on one thread"): when the other core
 * is busy, the pool thread the calling thread wakes is scheduled on the
 * caller's core and preempts it inside `postMessage` / `Atomics.notify`, then
 * computes every tile while the caller waits; or it wakes after the caller
 * has taken every tile. Such a run is slower than the calling thread alone
 * (0.6–0.8× cpu-tiled on the MobileNetV2 layers). After a run like that, the
 * next runs of the operator compute on the calling thread alone (the same
 * tiles, so the same bits), in a back-off that doubles while pooled runs keep
 * computing on one thread (1, 2, 4 … `maxRuns` runs) and ends at the first
 * pooled run on which two threads computed.
 */

/**
 * Default of `WorkersBackendOptions.serialBackoffRuns`: off. On a quiet machine the back-off feeds itself (a
 * declined run leaves the pool thread asleep, so the next pooled run computes on one thread again: MobileNetV2's
 * 576→96 @14² at 0.98–1.01× cpu-tiled with it, 1.24–1.26× without, Node), and once the web app stopped sleeping
 * 4 ms between samples it lost in Chromium too (ResNet-50's layers 0.88–1.51× with it, 1.20–1.69× without, two
 * runs). It helps where other work keeps the second core busy; turn it on there (16 worked in Chromium under load).
 */
export const DEFAULT_SERIAL_BACKOFF_RUNS = 0;

/**
 * Whether a pooled run computed on more than one thread: at least two of the
 * calling thread and the pool threads computed a tile.
 * @param callerTiles tiles the calling thread computed (integer ≥ 0).
 * @param poolTiles tiles each pool thread of the run computed (integers ≥ 0).
 */
export function ranInParallel(callerTiles: number, poolTiles: readonly number[]): boolean {
  let computing = callerTiles > 0 ? 1 : 0;
  for (const tiles of poolTiles) if (tiles > 0) computing++;
  return computing >= 2;
}

/**
 * The back-off state of one operator's pooled runs. Not thread-safe and
 * needs not be: only the thread that owns the operator calls it.
 */
export class SerialBackoff {
  readonly #maxRuns: number;
  /** Consecutive pooled runs that computed on one thread. */
  #streak = 0;
  /** Runs left that compute on the calling thread alone. */
  #skip = 0;

  /**
   * @param maxRuns the longest back-off, in runs (integer ≥ 0; 0 never backs off).
   */
  constructor(maxRuns: number) {
    this.#maxRuns = maxRuns;
  }

  /** Whether the next run computes on the calling thread alone (consumes one run of the back-off). */
  takeSkip(): boolean {
    if (this.#skip === 0) return false;
    this.#skip--;
    return true;
  }

  /**
   * Records a pooled run: one that computed in parallel ends the back-off; one
   * that computed on one thread starts the next, twice as long as the last
   * (1, 2, 4 … `maxRuns` runs).
   */
  record(parallel: boolean): void {
    if (parallel) {
      this.#streak = 0;
      this.#skip = 0;
      return;
    }
    this.#streak++;
    this.#skip = Math.min(this.#maxRuns, 2 ** Math.min(this.#streak - 1, 30));
  }

  /** Runs left in the current back-off (for tests and reports). */
  get pending(): number {
    return this.#skip;
  }
}
