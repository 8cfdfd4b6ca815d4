import type { HostMessage, IdentityMessage, LoadMessage, RunMessage, ThreadMessage } from './protocol.js';
import type { SpawnThread, ThreadHandle } from './thread-spawn.js';

/** A run as the pool receives it: everything but the job id it assigns. */
export type RunRequest = Omit<RunMessage, 'type' | 'job'>;

/** Options of {@link ThreadPool}. */
export interface ThreadPoolOptions {
  /** Number of threads (≥ 0; a pool of 0 threads runs nothing and is ready at once). */
  readonly size: number;
  /** The worker entry module (see `worker.ts`). */
  readonly workerUrl: URL;
  /** Thread factory from `loadThreadFactory()`. */
  readonly spawn: SpawnThread;
  /** How long a thread keeps spinning after answering a run, so that a run posted meanwhile starts at once (µs). */
  readonly spinMicros?: number;
}

/** Counters of a pool's life, for tests and reports. */
export interface ThreadPoolStats {
  /** Threads alive now. */
  readonly threads: number;
  /** Threads started over the pool's life (initial ones and replacements). */
  readonly started: number;
  /** Threads started to replace one that failed. */
  readonly replaced: number;
  /** Runs dispatched / still in flight. */
  readonly runs: number;
  readonly inFlight: number;
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
  /** Slots that have not replied yet. */
  readonly waiting: Set<Slot>;
  failure: string | null;
  resolve(): void;
  reject(error: Error): void;
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
 * to has replied. A thread that dies rejects every run it was part of (after
 * the other threads of those runs have finished, so nothing writes to a
 * rejected run's output afterwards), is replaced at once by a new thread that
 * gets every loaded operator again, and later runs succeed.
 */
export class ThreadPool {
  readonly size: number;
  readonly #url: URL;
  readonly #spawn: SpawnThread;
  readonly #spinMicros: number;
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
    for (let i = 0; i < options.size; i++) this.#slots.push(this.#startSlot(i));
    this.#whenReady =
      options.size === 0 ? Promise.resolve() : new Promise((resolve, reject) => this.#readyWaiters.push({ resolve, reject }));
    // A pool that fails before anyone awaits `ready()` must not be an unhandled rejection.
    this.#whenReady.catch(() => {});
  }

  /**
   * Resolves once every thread has loaded its modules.
   * @throws {Error} with the reason when a thread fails to start (bad worker URL, module error).
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
    };
  }

  /** Sends an operator to every thread (and to every later replacement). */
  load(message: LoadMessage): void {
    this.#loads.set(message.key, message);
    for (const slot of this.#slots) this.#post(slot, message);
  }

  /** Forgets an operator on every thread. */
  unload(key: number): void {
    if (!this.#loads.delete(key) || this.#disposed) return;
    for (const slot of this.#slots) this.#post(slot, { type: 'unload', key });
  }

  /**
   * Runs one job on `threads` threads (1 … size; the pool must have a thread).
   * @throws {Error} when a thread of the job dies or the kernel throws on one; after `dispose()`.
   */
  run(request: RunRequest, threads: number): Promise<void> {
    if (this.#disposed) return Promise.reject(new Error('the thread pool was disposed'));
    if (this.#broken !== null) return Promise.reject(new Error(this.#broken));
    const job = this.#nextJob++;
    this.#runs++;
    const count = Math.max(1, Math.min(threads, this.size));
    const message: RunMessage = { type: 'run', job, ...request };
    return new Promise<void>((resolve, reject) => {
      const pending: PendingJob = { waiting: new Set(), failure: null, resolve, reject };
      if (this.#jobs.size === 0) this.#hold(true);
      this.#jobs.set(job, pending);
      // Rotate the first thread so concurrent small jobs spread over the pool.
      for (let i = 0; i < count; i++) {
        const slot = this.#slots[(job + i) % this.size];
        pending.waiting.add(slot);
        slot.jobs.add(job);
        this.#post(slot, message);
      }
    });
  }

  /** Ends every thread. Runs in flight reject. Idempotent. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#failReady(new Error('the thread pool was disposed before its threads were ready'));
    for (const [job, pending] of this.#jobs) {
      this.#jobs.delete(job);
      pending.reject(new Error('the thread pool was disposed while the run was in flight'));
    }
    this.#loads.clear();
    await Promise.all(this.#slots.map((slot) => slot.handle.terminate()));
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
    this.#post(slot, { type: 'identity', thread: index, bell, spinMicros: this.#spinMicros } satisfies IdentityMessage);
    for (const load of this.#loads.values()) this.#post(slot, load);
    return slot;
  }

  /** Posts, then rings the thread's bell, so a thread spinning after its last run returns to its message loop at once. */
  #post(slot: Slot, message: HostMessage): void {
    slot.handle.post(message);
    Atomics.add(slot.bell, 0, 1);
  }

  #onMessage(slot: Slot, message: ThreadMessage): void {
    if (message.type === 'ready') {
      slot.ready = true;
      slot.handle.hold(this.#jobs.size > 0);
      if (this.#slots.every((s) => s.ready)) this.#resolveReady();
      return;
    }
    const pending = this.#jobs.get(message.job);
    if (pending === undefined) return;
    if (message.type === 'failed') pending.failure ??= message.message;
    this.#release(message.job, pending, slot);
  }

  #onFailure(slot: Slot, reason: string): void {
    if (this.#disposed || this.#slots[slot.index] !== slot) return;
    const what = `worker thread ${slot.index} failed: ${reason}`;
    for (const job of [...slot.jobs]) {
      const pending = this.#jobs.get(job);
      if (pending === undefined) continue;
      pending.failure ??= `${what} (mid-run; the thread was replaced, later runs are unaffected)`;
      this.#release(job, pending, slot);
    }
    if (!slot.ready) {
      // Failing before it ever listened means the entry itself is broken: replacing would loop.
      this.#broken = `worker thread ${slot.index} failed to start: ${reason}`;
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
