import { SPIN_BEFORE_BLOCK_MS } from './blocking-wait.js';
import type { HostMessage, IdentityMessage, LoadMessage, RunMessage, ThreadMessage } from './protocol.js';
import { cancelIfUnstarted, isRunning, isUnstarted, Outcome, postControl, progressOf, requestReply, settleWithoutReply, threadTilesOf, tilesDone, tokenOf, waitWhileRunning, type SyncLayout } from './run-sync.js';
import { ranInParallel, SerialBackoff } from './serial-backoff.js';
import type { SpawnThread, ThreadHandle, WorkerScriptUrl } from './thread-spawn.js';
import { tileCount } from './work-split.js';

/** A run as the pool receives it: everything but the job id and token it assigns. */
export type RunRequest = Omit<RunMessage, 'type' | 'job' | 'token'>;

/** Default of the `readyTimeoutMs` option (ms): how long `init()` waits for every pool thread to report ready. */
export const DEFAULT_READY_TIMEOUT_MS = 30_000;
/** Default of the `stallTimeoutMs` option (ms): how long a pooled run awaiting replies may go without progress. */
export const DEFAULT_STALL_TIMEOUT_MS = 60_000;
/** Default of `ThreadPoolOptions.busySpinMicros` (µs): the spin of `blocking-wait.ts` before any block. */
export const DEFAULT_POOL_BUSY_SPIN_MICROS = SPIN_BEFORE_BLOCK_MS * 1000;
/** Default of `ThreadPoolOptions.terminateTimeoutMs` (ms). */
export const DEFAULT_TERMINATE_TIMEOUT_MS = 5_000;

/** A run handed to the pool: settle it with {@link ThreadPool.settleEarly} or {@link ThreadPool.awaitReplies}. */
export interface PoolRun {
  readonly job: number;
  /**
   * Pool threads the run was posted to; 0 when the pool declined it (the
   * operator's runs are backing off, see `serial-backoff.ts`): the calling
   * thread computes every tile, and {@link ThreadPool.settleEarly} settles it.
   */
  readonly threads: number;
  /** Settles with the job (resolves once every thread's part is settled; rejects on a failure, a stall or `dispose()`). */
  readonly promise: Promise<void>;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms) as unknown as { unref?: () => void };
    timer.unref?.();
  });
}

/** Options of {@link ThreadPool}. */
export interface ThreadPoolOptions {
  /** Number of threads (≥ 0; a pool of 0 threads runs nothing and is ready at once). */
  readonly size: number;
  /** The worker entry module (see `worker.ts`). */
  readonly workerUrl: WorkerScriptUrl;
  /** Thread factory from `loadThreadFactory()`. */
  readonly spawn: SpawnThread;
  /** How long a thread keeps spinning after answering a run, so that a run posted meanwhile starts at once (µs). */
  readonly spinMicros?: number;
  /** Of `spinMicros`, how long a thread busy-spins before it blocks in `Atomics.wait` (µs; default {@link DEFAULT_POOL_BUSY_SPIN_MICROS}). */
  readonly busySpinMicros?: number;
  /** How long {@link ThreadPool.ready} waits for every thread to report ready before it rejects (ms). */
  readonly readyTimeoutMs?: number;
  /** How long a run awaiting replies may go without progress (a tile or a thread finishing) before its stuck threads (running it, or idle yet not starting it) are replaced and it rejects (ms). */
  readonly stallTimeoutMs?: number;
  /** How long `dispose()` waits for each thread to terminate before it lets it go (ms). */
  readonly terminateTimeoutMs?: number;
  /**
   * Longest back-off, in runs, of an operator whose pooled runs compute on one
   * thread only (`serial-backoff.ts`): the pool declines that many of its next
   * runs, which the calling thread computes alone. 0 (the default) never
   * declines; only a pool whose callers compute tiles may set it.
   */
  readonly serialBackoffRuns?: number;
}

/** Counters of a pool's life, for tests and reports. */
export interface ThreadPoolStats {
  /** Threads alive now. */
  readonly threads: number;
  /** Threads started over the pool's life (initial ones and replacements). */
  readonly started: number;
  /** Threads started to replace one that failed. */
  readonly replaced: number;
  /** Runs handed to the pool (declined ones included) / still in flight. */
  readonly runs: number;
  readonly inFlight: number;
  /** Operators loaded on the threads (prepared, pooled, neither disposed nor collected). */
  readonly loaded: number;
  /** Of `runs`, those the pool declined (the calling thread computed them alone): their operator was backing off after runs that computed on one thread. */
  readonly declined: number;
  /**
   * Of the runs settled from their threads' control words (each pool thread's
   * tile count published with its `DONE`), those on which two or more
   * threads computed tiles, and those on which one thread computed every
   * tile (the woken pool thread preempting the caller on its core, or waking
   * after the caller took every tile: README, "Runs that compute on one thread").
   */
  readonly parallelRuns: number;
  readonly oneThreadRuns: number;
  /**
   * Tiles of those runs, and of them the tiles pool threads computed (the
   * rest the calling thread did): with the caller and one pool thread
   * sharing evenly, `poolTiles / settledTiles` is ½.
   */
  readonly settledTiles: number;
  readonly poolTiles: number;
}

interface Slot {
  readonly index: number;
  handle: ThreadHandle;
  /** `[messages posted]` (see `IdentityMessage.bell`). */
  readonly bell: Int32Array;
  ready: boolean;
  /** Jobs this thread still owes a reply for. */
  readonly jobs: Set<number>;
}

interface PendingJob {
  /** The operator's key. */
  readonly key: number;
  /** The run's shared words, their layout, the index of slot 0's control word and the run's tile count. */
  readonly sync: Int32Array;
  readonly layout: SyncLayout;
  readonly control: number;
  readonly tiles: number;
  /** Indices of the slots the job was posted to. */
  readonly posted: readonly number[];
  /** Slots whose part is not settled yet (by a reply, their control word or their death). */
  readonly waiting: Set<Slot>;
  failure: string | null;
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
  /** The stall watchdog while the job awaits replies. */
  watchdog: ReturnType<typeof setTimeout> | null;
}

/**
 * A fixed-size set of threads that stays up between runs (hand-written, not a
 * pool library: it must run unchanged on Node `worker_threads` and browser
 * Web Workers, which piscina and tinypool do not — see the package README for
 * the dispatch-overhead measurements).
 *
 * A run is posted to up to `size` threads; each takes tiles from a shared
 * atomic counter until none is left, so a thread slowed by another process
 * simply takes fewer tiles. The run settles when every thread it was posted
 * to has replied. A thread that dies rejects every run it had started, and a
 * run it had not started only when no other thread of that run is left (after
 * the other threads of those runs have finished, so nothing writes to a
 * rejected run's output afterwards), is replaced at once by a new thread that
 * gets every loaded operator again, and later runs succeed.
 */
export class ThreadPool {
  readonly size: number;
  readonly #url: WorkerScriptUrl;
  readonly #spawn: SpawnThread;
  readonly #spinMicros: number;
  readonly #busySpinMicros: number;
  readonly #readyTimeoutMs: number;
  readonly #stallTimeoutMs: number;
  readonly #terminateTimeoutMs: number;
  readonly #serialBackoffRuns: number;
  /** The back-off of each operator (by key) whose runs may be declined. */
  readonly #backoffs = new Map<number, SerialBackoff>();
  #declined = 0;
  #parallelRuns = 0;
  #oneThreadRuns = 0;
  #settledTiles = 0;
  #poolTiles = 0;
  #readyTimer: ReturnType<typeof setTimeout> | null = null;
  readonly #slots: Slot[] = [];
  readonly #loads = new Map<number, LoadMessage>();
  readonly #jobs = new Map<number, PendingJob>();
  #nextJob = 1;
  #started = 0;
  #replaced = 0;
  #runs = 0;
  #broken: string | null = null;
  #disposed = false;
  #whenReady: Promise<void>;
  #readyWaiters: Array<{ resolve(): void; reject(error: Error): void }> = [];

  /** Starts `options.size` threads; await {@link ready} before relying on them. */
  constructor(options: ThreadPoolOptions) {
    this.size = options.size;
    this.#url = options.workerUrl;
    this.#spawn = options.spawn;
    this.#spinMicros = options.spinMicros ?? 0;
    this.#busySpinMicros = options.busySpinMicros ?? DEFAULT_POOL_BUSY_SPIN_MICROS;
    this.#readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    this.#stallTimeoutMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    this.#terminateTimeoutMs = options.terminateTimeoutMs ?? DEFAULT_TERMINATE_TIMEOUT_MS;
    this.#serialBackoffRuns = options.serialBackoffRuns ?? 0;
    this.#whenReady =
      options.size === 0 ? Promise.resolve() : new Promise((resolve, reject) => this.#readyWaiters.push({ resolve, reject }));
    // A pool that fails before anyone awaits `ready()` must not be an unhandled rejection.
    this.#whenReady.catch(() => {});
    for (let i = 0; i < options.size; i++) this.#slots.push(this.#startSlot(i));
    if (options.size > 0 && this.#readyWaiters.length > 0) {
      const timer = setTimeout(() => this.#readyTimedOut(), this.#readyTimeoutMs) as ReturnType<typeof setTimeout> & { unref?: () => void };
      // The threads, held until ready, keep a Node process alive meanwhile; the timer itself does not.
      timer.unref?.();
      this.#readyTimer = timer;
    }
  }

  /**
   * Resolves once every thread has loaded its modules.
   * @throws {Error} with the reason when a thread fails to start (bad worker URL, module error), when
   *   not every thread reports ready within `readyTimeoutMs`, or when the pool is disposed first.
   */
  ready(): Promise<void> {
    return this.#whenReady;
  }

  /** True after {@link dispose}. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /** Life counters (threads alive, started, replaced, runs). */
  stats(): ThreadPoolStats {
    return {
      threads: this.#disposed ? 0 : this.#slots.length,
      started: this.#started,
      replaced: this.#replaced,
      runs: this.#runs,
      inFlight: this.#jobs.size,
      loaded: this.#loads.size,
      declined: this.#declined,
      parallelRuns: this.#parallelRuns,
      oneThreadRuns: this.#oneThreadRuns,
      settledTiles: this.#settledTiles,
      poolTiles: this.#poolTiles,
    };
  }

  /** Sends an operator to every thread (and to every later replacement). */
  load(message: LoadMessage): void {
    this.#loads.set(message.key, message);
    for (const slot of this.#slots) this.#post(slot, message);
  }

  /** Forgets an operator on every thread. */
  unload(key: number): void {
    this.#backoffs.delete(key);
    if (!this.#loads.delete(key) || this.#disposed) return;
    for (const slot of this.#slots) this.#post(slot, { type: 'unload', key });
  }

  /**
   * Posts one job to `threads` threads (1 … size; the pool must have a
   * thread). The job is settled later by {@link settleEarly} (every tile is
   * done: no reply needed) or {@link awaitReplies}. With `serialBackoffRuns`,
   * a run of an operator that is backing off is declined instead (posted to
   * no thread, `threads: 0`): the calling thread computes all its tiles.
   * @throws {Error} after `dispose()` or when the pool is broken.
   */
  run(request: RunRequest, threads: number): PoolRun {
    if (this.#disposed) throw new Error('the thread pool was disposed');
    if (this.#broken !== null) throw new Error(this.#broken);
    const job = this.#nextJob++;
    this.#runs++;
    if (this.#backoffOf(request.key)?.takeSkip() === true) {
      this.#declined++;
      return { job, threads: 0, promise: Promise.resolve() };
    }
    const token = tokenOf(job);
    const count = Math.max(1, Math.min(threads, this.size));
    const message: RunMessage = { type: 'run', job, token, ...request };
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Settled without anyone awaiting it when the run completes early or the pool is disposed.
    promise.catch(() => {});
    const posted: number[] = [];
    const pending: PendingJob = {
      key: request.key,
      sync: request.sync,
      layout: request.layout,
      control: request.layout.control,
      tiles: tileCount(request.grid),
      posted,
      waiting: new Set(),
      failure: null,
      promise,
      resolve,
      reject,
      watchdog: null,
    };
    if (this.#jobs.size === 0) this.#hold(true);
    this.#jobs.set(job, pending);
    // Rotate the first thread so concurrent small jobs spread over the pool.
    for (let i = 0; i < count; i++) {
      const slot = this.#slots[(job + i) % this.size];
      pending.waiting.add(slot);
      posted.push(slot.index);
      slot.jobs.add(job);
      postControl(request.sync, request.layout.control, slot.index, token);
      this.#post(slot, message);
    }
    return { job, threads: count, promise };
  }

  /**
   * Call once every tile of the job is counted as done: cancels its threads
   * that have not started and reads which have finished, waiting up to
   * `spinMs` for those still running (spinning 50 µs, then blocking where it
   * may: `waitWhileRunning`). Never waits for the event loop.
   * @returns true when the job is settled without failure (no reply will be
   *   needed; its shared memory may be reused at once), false when it must be
   *   awaited with {@link awaitReplies}.
   */
  settleEarly(run: PoolRun, spinMs: number): boolean {
    if (run.threads === 0) return true;
    const pending = this.#jobs.get(run.job);
    if (pending === undefined || pending.failure !== null) return false;
    const end = performance.now() + spinMs;
    for (const slot of [...pending.waiting]) {
      const index = pending.control + slot.index;
      let outcome = settleWithoutReply(pending.sync, index);
      if (outcome === Outcome.Running) {
        // Returns once the thread has left RUNNING, or at `end`.
        waitWhileRunning(pending.sync, index, end);
        outcome = settleWithoutReply(pending.sync, index);
      }
      if (outcome !== Outcome.Settled) return false;
      this.#release(run.job, pending, slot);
    }
    const settled = !this.#jobs.has(run.job) && pending.failure === null;
    if (settled) this.#recordShares(pending);
    return settled;
  }

  /**
   * The operator's back-off, or `undefined` when the pool never declines
   * (`serialBackoffRuns` 0) or the operator is not loaded.
   */
  #backoffOf(key: number): SerialBackoff | undefined {
    if (this.#serialBackoffRuns === 0 || !this.#loads.has(key)) return undefined;
    let backoff = this.#backoffs.get(key);
    if (backoff === undefined) {
      backoff = new SerialBackoff(this.#serialBackoffRuns);
      this.#backoffs.set(key, backoff);
    }
    return backoff;
  }

  /**
   * Counts a job settled from its control words (every thread `DONE` or
   * `CANCELLED`, each `DONE` published with its tile count) as parallel or
   * one-thread, and feeds that to its operator's back-off.
   */
  #recordShares(pending: PendingJob): void {
    const poolTiles = pending.posted.map((slot) => threadTilesOf(pending.sync, pending.layout, slot));
    const poolTotal = poolTiles.reduce((sum, tiles) => sum + tiles, 0);
    const callerTiles = pending.tiles - poolTotal;
    const parallel = ranInParallel(callerTiles, poolTiles);
    this.#settledTiles += pending.tiles;
    this.#poolTiles += poolTotal;
    if (parallel) this.#parallelRuns++;
    else this.#oneThreadRuns++;
    this.#backoffOf(pending.key)?.record(parallel);
  }

  /**
   * Settles the job from its threads' replies (and their control words):
   * every thread not finished yet is asked for a reply; with
   * `cancelUnstarted` (every tile is done, or the run failed) threads that
   * have not started are cancelled instead. A job that makes no progress
   * (no tile and no thread finishing) for `stallTimeoutMs` replaces its
   * stuck threads — running ones, and ones that owed no earlier job a reply
   * yet did not start it over the whole period — and rejects.
   * @throws {Error} when a thread of the job fails or dies, the job stalls, or the pool is disposed.
   */
  awaitReplies(run: PoolRun, cancelUnstarted: boolean): Promise<void> {
    const pending = this.#jobs.get(run.job);
    // Already settled (a thread died, the pool was disposed): the promise holds the outcome.
    if (pending === undefined) return run.promise;
    this.#requestReplies(run.job, pending, cancelUnstarted);
    if (this.#jobs.has(run.job) && pending.watchdog === null) this.#watch(run.job, pending, this.#progress(pending), this.#idleUnstarted(run.job, pending));
    return pending.promise;
  }

  /**
   * Ends every thread. Runs in flight and a pending {@link ready} reject. Waits
   * up to `terminateTimeoutMs` for each thread to stop. Idempotent.
   */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#clearReadyTimer();
    this.#failReady(new Error('the thread pool was disposed before its threads were ready'));
    for (const [job, pending] of this.#jobs) {
      this.#jobs.delete(job);
      if (pending.watchdog !== null) clearTimeout(pending.watchdog);
      pending.reject(new Error('the thread pool was disposed while the run was in flight'));
    }
    this.#loads.clear();
    await Promise.all(this.#slots.map((slot) => this.#terminate(slot)));
  }

  /** Terminates a thread, waiting at most `terminateTimeoutMs` (a thread that does not stop by then is let go, unref'd). */
  async #terminate(slot: Slot): Promise<void> {
    slot.handle.hold(false);
    await Promise.race([slot.handle.terminate().catch(() => {}), delay(this.#terminateTimeoutMs)]);
  }

  #readyTimedOut(): void {
    this.#readyTimer = null;
    if (this.#disposed || this.#readyWaiters.length === 0) return;
    const late = this.#slots.filter((s) => !s.ready).map((s) => s.index);
    this.#broken =
      `worker thread${late.length > 1 ? 's' : ''} ${late.join(', ')} did not report ready within ${this.#readyTimeoutMs} ms ` +
      `(readyTimeoutMs): the worker entry ${this.#url.href} loaded but never called startPoolThread(), or is stuck`;
    this.#failReady(new Error(this.#broken));
  }

  #clearReadyTimer(): void {
    if (this.#readyTimer !== null) clearTimeout(this.#readyTimer);
    this.#readyTimer = null;
  }

  #requestReplies(job: number, pending: PendingJob, cancelUnstarted: boolean): void {
    for (const slot of [...pending.waiting]) {
      if (requestReply(pending.sync, pending.control + slot.index, cancelUnstarted) === Outcome.Settled) this.#release(job, pending, slot);
    }
  }

  /** Tiles done plus the threads' control words: changes whenever the job moves on. */
  #progress(pending: PendingJob): number {
    return progressOf(pending.sync, pending.control, [...pending.waiting].map((slot) => slot.index));
  }

  /**
   * Slots of the job that have not started it although they reported ready
   * and owe no reply to an earlier job: their messages are handled in order,
   * so such a thread has nothing before this run but a few loads — if it
   * still has not started after a whole stall period, its event loop is
   * stuck. (A replacement thread still loading its modules is not counted.)
   */
  #idleUnstarted(job: number, pending: PendingJob): Set<Slot> {
    const idle = new Set<Slot>();
    for (const slot of pending.waiting) {
      if (!slot.ready || !isUnstarted(pending.sync, pending.control, slot.index)) continue;
      if ([...slot.jobs].every((other) => other >= job)) idle.add(slot);
    }
    return idle;
  }

  /**
   * Every `stallTimeoutMs` while the job awaits replies: when the job made no
   * progress over the period, the threads running it, and those that were
   * idle yet did not start it over the whole period (a slot busy with an
   * earlier job is left to that job's watchdog), are stuck — they are
   * terminated and replaced and the job fails.
   * @param seen the job's progress at the start of the period.
   * @param idle its slots that were unstarted with nothing earlier to do at the start of the period.
   */
  #watch(job: number, pending: PendingJob, seen: number, idle: ReadonlySet<Slot>): void {
    pending.watchdog = setTimeout(() => {
      pending.watchdog = null;
      if (this.#jobs.get(job) !== pending) return;
      const now = this.#progress(pending);
      const idleNow = this.#idleUnstarted(job, pending);
      if (now !== seen) return this.#watch(job, pending, now, idleNow);
      const running = [...pending.waiting].filter((slot) => isRunning(pending.sync, pending.control, slot.index));
      // Idle at both ends of the period means idle throughout: a slot's earlier jobs only ever settle, and a later one is never earlier.
      const neverStarted = [...idleNow].filter((slot) => idle.has(slot));
      if (running.length > 0) {
        // Running threads made no progress for a whole period: they are stuck. Threads not started yet are
        // left alone (on a loaded machine they may just not have been scheduled); the job fails anyway.
        const reason = `no progress for ${this.#stallTimeoutMs} ms (stallTimeoutMs); the thread was replaced`;
        for (const slot of running) void this.#abandon(slot, reason);
      } else if (neverStarted.length > 0) {
        const reason = `did not start the run within ${this.#stallTimeoutMs} ms (stallTimeoutMs) with nothing else to do; the thread was replaced`;
        for (const slot of neverStarted) void this.#abandon(slot, reason);
      }
      // Still watched: a thread left alone above may start the job and get stuck too (abandoning twice is harmless).
      this.#watch(job, pending, now, idleNow);
    }, this.#stallTimeoutMs);
  }

  /** Ends a stuck thread, then fails its jobs and replaces it as if it had died (nothing of it writes afterwards). */
  async #abandon(slot: Slot, reason: string): Promise<void> {
    if (this.#disposed || this.#slots[slot.index] !== slot) return;
    await this.#terminate(slot);
    // A stuck thread's unstarted jobs fail too: they made no progress for a whole period.
    this.#onFailure(slot, reason, false);
  }

  #startSlot(index: number): Slot {
    const bell = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
    const slot: Slot = { index, handle: undefined as unknown as ThreadHandle, bell, ready: false, jobs: new Set() };
    slot.handle = this.#spawn(this.#url, {
      onMessage: (message) => this.#onMessage(slot, message as ThreadMessage),
      onFailure: (reason) => this.#onFailure(slot, reason),
    });
    this.#started++;
    // Held until it reports ready, so awaiting `ready()` keeps a Node process alive.
    slot.handle.hold(true);
    this.#post(slot, { type: 'identity', thread: index, bell, spinMicros: this.#spinMicros, busySpinMicros: this.#busySpinMicros } satisfies IdentityMessage);
    for (const load of this.#loads.values()) this.#post(slot, load);
    return slot;
  }

  /** Posts, then rings the thread's bell (and wakes it if it blocks on it), so a thread waiting after its last run returns to its message loop at once. */
  #post(slot: Slot, message: HostMessage): void {
    slot.handle.post(message);
    Atomics.add(slot.bell, 0, 1);
    Atomics.notify(slot.bell, 0);
  }

  #onMessage(slot: Slot, message: ThreadMessage): void {
    if (message.type === 'ready') {
      slot.ready = true;
      slot.handle.hold(this.#jobs.size > 0);
      if (this.#slots.every((s) => s.ready)) {
        this.#clearReadyTimer();
        this.#resolveReady();
      }
      return;
    }
    const pending = this.#jobs.get(message.job);
    if (pending === undefined || !pending.waiting.has(slot)) return;
    if (message.type === 'failed') pending.failure ??= message.message;
    this.#release(message.job, pending, slot);
  }

  /**
   * A thread died (or was abandoned as stuck: `spareUnstarted` false): fails
   * the jobs it was part of and replaces it. With `spareUnstarted`, a job it
   * never started (a run of another operator queued behind the one it died
   * in) is not failed while other threads of the job remain to complete it,
   * or once its tiles are all computed: its part is cancelled instead.
   */
  #onFailure(slot: Slot, reason: string, spareUnstarted = true): void {
    if (this.#disposed || this.#slots[slot.index] !== slot) return;
    const what = `worker thread ${slot.index} failed: ${reason}`;
    for (const job of [...slot.jobs]) {
      const pending = this.#jobs.get(job);
      if (pending === undefined) continue;
      // Unstarted, it is spared while another thread of the job may still compute the job's tiles, or when
      // they are all computed already; else it fails the job (nobody is left to compute them).
      const needed = pending.waiting.size === 1 && tilesDone(pending.sync) < pending.tiles;
      const spared = spareUnstarted && !needed && cancelIfUnstarted(pending.sync, pending.control + slot.index);
      if (!spared) pending.failure ??= `${what} (mid-run; the thread was replaced, later runs are unaffected)`;
      this.#release(job, pending, slot);
    }
    if (!slot.ready) {
      // Failing before it ever listened means the entry itself is broken: replacing would loop.
      this.#broken = `worker thread ${slot.index} failed to start: ${reason}`;
      this.#clearReadyTimer();
      this.#failReady(new Error(this.#broken));
      return;
    }
    this.#replaced++;
    this.#slots[slot.index] = this.#startSlot(slot.index);
  }

  #release(job: number, pending: PendingJob, slot: Slot): void {
    slot.jobs.delete(job);
    pending.waiting.delete(slot);
    if (pending.waiting.size > 0) return;
    this.#jobs.delete(job);
    if (pending.watchdog !== null) clearTimeout(pending.watchdog);
    if (this.#jobs.size === 0) this.#hold(false);
    if (pending.failure === null) pending.resolve();
    else pending.reject(new Error(pending.failure));
  }

  #hold(active: boolean): void {
    for (const slot of this.#slots) slot.handle.hold(active);
  }

  #resolveReady(): void {
    for (const waiter of this.#readyWaiters.splice(0)) waiter.resolve();
  }

  #failReady(error: Error): void {
    for (const waiter of this.#readyWaiters.splice(0)) waiter.reject(error);
  }
}
