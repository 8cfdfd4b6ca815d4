import { PLAN_OPTION_KEYS, prepareGemm, releaseKernel, resolvePlanOptions, type KernelSetup, type MicrokernelKind, type PlanOptions } from '@pointwise/backend-cpu-tiled/kernel';
import {
  BACKEND_API_VERSION,
  BackendFailureError,
  DisposedError,
  InvalidArgumentError,
  assertKnownKeys,
  type Availability,
  type Backend,
  type BackendCapabilities,
  type BackendOperator,
  type PrepareRequest,
} from '@pointwise/core';
import { availableParallelism, probeWorkersEnvironment } from './availability.js';
import { DEFAULT_SERIAL_BACKOFF_RUNS } from './serial-backoff.js';
import { DEFAULT_POOL_BUSY_SPIN_MICROS, DEFAULT_READY_TIMEOUT_MS, DEFAULT_STALL_TIMEOUT_MS, ThreadPool, type ThreadPoolStats } from './thread-pool.js';
import { DEFAULT_WORKER_URL, loadThreadFactory, type WorkerScriptUrl } from './thread-spawn.js';
import { MAX_POOLED_TILES, WORKERS_BACKEND_NAME, WorkersOperator, type RunStats } from './workers-operator.js';

/**
 * Runs below this many floating-point operations (`2·N·Co·K·Ho·Wo`) compute on
 * the calling thread, per microkernel: where a 2-thread pooled run stopped
 * being slower than one thread in `bench/dispatch.ts` (section C) on a shared
 * 2-core machine — 0.5–1 MFLOP for the JS kernel (≈ 5.5 GFLOP/s, 100–190 µs)
 * — with a margin, so a small layer is never slower. WASM SIMD (≈ 55
 * GFLOP/s), with the staged input copy and early completion: a run that finds
 * the pool thread still spinning after the previous run pays off from ≈ 1
 * MFLOP (1.09× at 0.8, 1.31× at 1.6, 1.52× at 6.4 MFLOP, 1.5–1.66× at 9.6);
 * one that has to wake a sleeping thread only from ≈ 3–6 MFLOP (0.88–1.01×
 * at 3.2, 1.01–1.21× at 6.4, 0.93–1.31× at 9.6) — the threshold follows the
 * sleeping case.
 */
export const DEFAULT_MIN_PARALLEL_FLOPS: Readonly<Record<MicrokernelKind, number>> = {
  js: 1_500_000,
  'wasm-simd': 8_000_000,
  // Not measured apart: the same memory, staging and dispatch as wasm-simd, with a faster loop.
  'wasm-relaxed-simd': 8_000_000,
};

/** How long a pool thread waits after a run for the next one (see `WorkersBackendOptions.spinMicros`). */
export const DEFAULT_SPIN_MICROS = 1000;

/**
 * How long of `spinMicros` a pool thread busy-spins before it blocks (see
 * `WorkersBackendOptions.busySpinMicros`): 50 µs, as before the option. A
 * whole millisecond (`busySpinMicros: 1000`) helped the bench's two-contender
 * round-robin on a quiet machine but not back-to-back runs, and a spinning
 * thread took the core of another pool's run in the same process (README,
 * "Busy-spinning pool threads"), so it is not the default.
 */
export const DEFAULT_BUSY_SPIN_MICROS = DEFAULT_POOL_BUSY_SPIN_MICROS;

/** Each tile of a pooled run carries at least this much work, so tile overhead stays small. */
export const DEFAULT_MIN_TILE_FLOPS = 500_000;

/**
 * Most threads a workers backend may have (the `threads` option, and the
 * default taken from the reported core count). Each thread is a whole
 * JavaScript engine instance (≈ 4.5 MiB measured under Node 20, before any
 * operator) with its own scratch region in every operator's kernel memory,
 * and the pool starts them all at `init()`; ONNX Runtime Web and the TF.js
 * WASM backend take any positive thread count, which lets a typo such as
 * `workers[threads=1000000000]` start threads until memory runs out. 256 is
 * above the logical cores of today's single-socket CPUs that a browser or a
 * Node process is normally given, and far below where the pool's memory
 * alone becomes a problem (≈ 1.2 GiB).
 */
export const MAX_THREADS = 256;

/**
 * Options of {@link WorkersBackend}: the pool's and, for each thread's kernel,
 * cpu-tiled's {@link PlanOptions} (`kernel` defaults as in cpu-tiled).
 */
export interface WorkersBackendOptions extends PlanOptions {
  /**
   * Threads that compute a run (1 … {@link MAX_THREADS}), the calling thread
   * included when `callerComputes`. Default: `os.availableParallelism()`
   * under Node, `navigator.hardwareConcurrency` in browsers (at most
   * {@link MAX_THREADS}).
   */
  readonly threads?: number;
  /**
   * The calling thread takes tiles too while the pool computes, so the pool
   * has `threads − 1` threads and a run wakes one thread fewer. Default
   * `true`. Turn it off to keep the calling thread free during pooled runs
   * (e.g. a browser page's main thread); the pool then has `threads` threads.
   */
  readonly callerComputes?: boolean;
  /**
   * The pool threads' entry module. Default `new URL('./worker.js', import.meta.url)`
   * (this package's `dist/worker.js`); override when a bundler moves it, or
   * with a custom entry that calls `startPoolThread`.
   */
  readonly workerUrl?: WorkerScriptUrl | string;
  /** Runs with fewer floating-point operations compute on the calling thread. Default per microkernel: {@link DEFAULT_MIN_PARALLEL_FLOPS}. */
  readonly minParallelFlops?: number;
  /**
   * Least floating-point operations per tile of a pooled run: bounds how finely a
   * mid-sized run is cut. Default {@link DEFAULT_MIN_TILE_FLOPS}.
   */
  readonly minTileFlops?: number;
  /**
   * Microseconds a pool thread waits on its doorbell after answering a run
   * (spinning the first 50 µs, then blocked in `Atomics.wait`, woken when
   * the pool posts), so that a run posted within that time starts without
   * the wake-up of a thread asleep in its message loop (back-to-back layers
   * of a network). Costs at most 50 µs of CPU time per run on each pool
   * thread; 0 turns it off. Default {@link DEFAULT_SPIN_MICROS}.
   */
  readonly spinMicros?: number;
  /**
   * Of `spinMicros`, the microseconds a pool thread busy-spins on its
   * doorbell after each run before it blocks (the block time of OpenMP's
   * `KMP_BLOCKTIME`, ONNX Runtime's `allow_spinning`): a thread still spinning
   * when the next run is posted stays on its own core and needs no wake-up
   * (README, "Runs that compute on one thread"). Costs up to this much CPU
   * time per run on each pool thread, taken from whatever else wants the
   * core. Integer ≥ 0, capped by `spinMicros`. Default {@link DEFAULT_BUSY_SPIN_MICROS}.
   */
  readonly busySpinMicros?: number;
  /**
   * Longest back-off, in runs, after a pooled run that computed on one thread
   * only (the pool thread woke after the calling thread had taken every tile,
   * or took every tile while the calling thread was off its core — a busy
   * machine): that many of the operator's next runs at most compute on the
   * calling thread alone, the same tiles in the same order (the same bits),
   * without the dispatch. The back-off doubles from 1 run while pooled runs
   * keep computing on one thread and ends at the first that computes on two
   * (`serial-backoff.ts`). Integer ≥ 0; 0 always dispatches. Ignored with
   * `callerComputes: false`. Default {@link DEFAULT_SERIAL_BACKOFF_RUNS} (0, off: it helps on a machine whose
   * other core is busy, and costs on a quiet one).
   */
  readonly serialBackoffRuns?: number;
  /**
   * Milliseconds `init()` waits for every pool thread to load and report
   * ready (integer ≥ 1). A worker entry that loads but never calls
   * `startPoolThread()`, or hangs, then fails `init()` with
   * `BackendFailureError` and the threads are terminated, so a preference
   * list falls back to the next backend. Default {@link DEFAULT_READY_TIMEOUT_MS} (30 s).
   */
  readonly readyTimeoutMs?: number;
  /**
   * Milliseconds a pooled run that waits for its threads may go without
   * progress (no tile and no thread finishing) before it fails with
   * `BackendFailureError`; its stuck threads — those running it, and those
   * that owed no earlier run anything yet never started it (an event loop
   * stuck after the thread reported ready) — are terminated and replaced
   * (integer ≥ 1). Default {@link DEFAULT_STALL_TIMEOUT_MS} (60 s): longer
   * than any tile takes (a tile is at most ¼ of one thread's share of a run).
   */
  readonly stallTimeoutMs?: number;
}

/** A backend's counters: its runs, the copies they needed, and its pool's threads. */
export interface WorkersBackendStats extends RunStats {
  readonly pool: ThreadPoolStats | null;
}

/** Every key of {@link WorkersBackendOptions}: the cpu-tiled plan options plus the pool's own. */
const WORKERS_OPTION_KEYS: readonly string[] = [
  ...PLAN_OPTION_KEYS,
  'threads',
  'callerComputes',
  'workerUrl',
  'minParallelFlops',
  'minTileFlops',
  'spinMicros',
  'busySpinMicros',
  'serialBackoffRuns',
  'readyTimeoutMs',
  'stallTimeoutMs',
];

/** What a dropped operator held: its kernel on the pool's threads (pooled only) and its setup (a workspace share). */
interface DroppedOperator {
  readonly pool: ThreadPool | null;
  readonly key: number;
  readonly setup: KernelSetup;
}

/**
 * Operators the caller dropped without `dispose()`: once collected, their
 * kernels are unloaded from the pool's threads and their setup released (the
 * pool holds only their setup, never the operator, so it does not keep them alive).
 */
const droppedOperators =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<DroppedOperator>(({ pool, key, setup }) => {
        pool?.unload(key);
        releaseKernel(setup);
      })
    : null;

/** The release of an operator's setup, made outside `prepare` so it shares no closure context with the operator. */
function releaser(setup: KernelSetup): () => void {
  return () => releaseKernel(setup);
}

function checkCount(parameter: string, value: number | undefined, min: number, max?: { value: number; name: string }): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min) throw new InvalidArgumentError(parameter, `an integer ≥ ${min}`, value);
  if (max !== undefined && value > max.value) throw new InvalidArgumentError(parameter, `an integer ≤ ${max.value} (${max.name})`, value);
}

/**
 * The cpu-tiled kernel on a persistent pool of threads sharing memory (Node
 * `worker_threads` or browser module Web Workers, same code). Packed weights
 * live in a `SharedArrayBuffer` loaded once per thread; inputs and outputs
 * that are already on a `SharedArrayBuffer` are used in place, others are
 * copied in (and out) once per run. Results are bit-identical to cpu-tiled.
 *
 * Lifecycle: `init()` starts the threads and waits until each has loaded;
 * `dispose()` ends them (the process can then exit). A thread that dies
 * mid-run rejects that run with `BackendFailureError` and is replaced.
 */
export class WorkersBackend implements Backend {
  readonly name = WORKERS_BACKEND_NAME;
  readonly apiVersion = BACKEND_API_VERSION;
  readonly #options: WorkersBackendOptions;
  readonly #stats: RunStats = { copiesIn: 0, copiesOut: 0, bytesCopied: 0, directRuns: 0, pooledRuns: 0, runBuffersCreated: 0 };
  #pool: ThreadPool | null = null;
  /** The start in progress (shared by concurrent `init()` calls), and the pool it is waiting for. */
  #starting: Promise<void> | null = null;
  #startingPool: ThreadPool | null = null;
  /** Incremented by every `dispose()`: a start of an earlier generation gives up. */
  #generation = 0;
  /** Threads that compute a run, known after `init()`. */
  #threads = 0;
  #nextKey = 1;
  /** Disposed and not initialised again. */
  #disposed = false;

  /**
   * @throws {InvalidArgumentError} for an unknown option key, invalid cpu-tiled kernel options, a `threads`
   *   that is not an integer from 1 to {@link MAX_THREADS}, `minParallelFlops`, `minTileFlops`, `spinMicros`, `busySpinMicros`,
   *   `serialBackoffRuns`, `readyTimeoutMs`, `stallTimeoutMs` that are not integers ≥ 0 / ≥ 1 / ≥ 0 / ≥ 0 / ≥ 0 / ≥ 1 / ≥ 1, a `callerComputes` that is not a boolean, a `workerUrl` that is
   *   not a URL or string.
   */
  constructor(options: WorkersBackendOptions = {}) {
    assertKnownKeys('options', options, WORKERS_OPTION_KEYS);
    resolvePlanOptions(options);
    checkCount('threads', options.threads, 1, { value: MAX_THREADS, name: 'MAX_THREADS' });
    checkCount('minParallelFlops', options.minParallelFlops, 0);
    checkCount('minTileFlops', options.minTileFlops, 1);
    checkCount('spinMicros', options.spinMicros, 0);
    checkCount('busySpinMicros', options.busySpinMicros, 0);
    checkCount('serialBackoffRuns', options.serialBackoffRuns, 0);
    checkCount('readyTimeoutMs', options.readyTimeoutMs, 1);
    checkCount('stallTimeoutMs', options.stallTimeoutMs, 1);
    if (options.callerComputes !== undefined && typeof options.callerComputes !== 'boolean') {
      throw new InvalidArgumentError('callerComputes', 'a boolean', options.callerComputes);
    }
    if (options.workerUrl !== undefined && typeof options.workerUrl !== 'string' && !(options.workerUrl instanceof URL)) {
      throw new InvalidArgumentError('workerUrl', 'a URL or a string', options.workerUrl);
    }
    this.#options = options;
  }

  /** Available when `SharedArrayBuffer`, `Atomics` and threads exist (see `probeWorkersEnvironment`). */
  async probe(): Promise<Availability> {
    return probeWorkersEnvironment();
  }

  /**
   * Starts the pool and waits until every thread has loaded its modules.
   * Concurrent calls share one start; after `dispose()` a call starts afresh
   * (a new pool; operators of the old one stay disposed).
   * @throws {Error} with the reason when the environment lacks shared memory.
   * @throws {BackendFailureError} when a thread fails to start or not every thread reports ready within `readyTimeoutMs`.
   * @throws {DisposedError} when `dispose()` is called before the start completes.
   */
  async init(): Promise<void> {
    if (this.#pool !== null) return;
    this.#disposed = false;
    if (this.#starting === null) {
      const starting: Promise<void> = this.#start(this.#generation).catch((error: unknown) => {
        if (this.#starting === starting) this.#starting = null;
        throw error;
      });
      this.#starting = starting;
    }
    return this.#starting;
  }

  async #start(generation: number): Promise<void> {
    const availability = probeWorkersEnvironment();
    if (!availability.available) throw new Error(availability.reason);
    const threads = this.#options.threads ?? Math.min(MAX_THREADS, await availableParallelism());
    const size = this.#callerComputes() ? threads - 1 : threads;
    const workerUrl = this.#options.workerUrl === undefined ? DEFAULT_WORKER_URL : new URL(typeof this.#options.workerUrl === 'string' ? this.#options.workerUrl : this.#options.workerUrl.href);
    const spawn = await loadThreadFactory();
    if (generation !== this.#generation) throw new DisposedError('workers backend');
    const pool = new ThreadPool({
      size,
      workerUrl,
      spawn,
      spinMicros: this.#options.spinMicros ?? DEFAULT_SPIN_MICROS,
      busySpinMicros: this.#options.busySpinMicros ?? DEFAULT_BUSY_SPIN_MICROS,
      // Only a calling thread that computes can take a declined run's tiles.
      serialBackoffRuns: this.#callerComputes() ? (this.#options.serialBackoffRuns ?? DEFAULT_SERIAL_BACKOFF_RUNS) : 0,
      readyTimeoutMs: this.#options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
      stallTimeoutMs: this.#options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS,
    });
    this.#startingPool = pool;
    try {
      await pool.ready();
    } catch (error) {
      await pool.dispose();
      if (generation !== this.#generation) throw new DisposedError('workers backend');
      throw new BackendFailureError(WORKERS_BACKEND_NAME, error instanceof Error ? error.message : String(error), { cause: error });
    } finally {
      if (this.#startingPool === pool) this.#startingPool = null;
    }
    if (generation !== this.#generation) {
      await pool.dispose();
      throw new DisposedError('workers backend');
    }
    this.#threads = threads;
    this.#pool = pool;
  }

  /**
   * Valid after `init()`: asynchronous only, float32 precision, `threads` = the threads that compute a run.
   * `callingThread: 'shared'`: the calling thread takes tiles of a pooled run (`callerComputes`), and
   * computes alone a run below `minParallelFlops` or one the pool cannot take; with `callerComputes: false`
   * only those remain on it, so it is still not `'free'`.
   */
  capabilities(): BackendCapabilities {
    return {
      sync: false,
      precisionFactor: 1,
      threads: this.#threads || (this.#options.threads ?? 1),
      limits: {},
      flushesSubnormals: false,
      callingThread: 'shared',
    };
  }

  /**
   * Chooses the kernel exactly as cpu-tiled does (`chooseGemmKernel` of the
   * `kernel` subpath: `wasm-simd` where WebAssembly SIMD exists and — where
   * `SharedArrayBuffer` does — a shared WebAssembly memory can be made, else
   * `js`; so both backends give bit-identical results), plans it, packs the
   * weights once into shared memory and loads them on every thread — or, for
   * an operator below the small-work threshold, into ordinary memory for the
   * calling thread alone (a WebAssembly kernel then runs in the realm's
   * workspace memory, as on cpu-tiled).
   * A problem too large for one WebAssembly memory (4 GiB), or a
   * WebAssembly memory the engine refuses to allocate (address space runs
   * out after thousands of live operators), runs the `js` kernel instead,
   * with the reason in `details.kernelFallback`.
   * @throws {DisposedError} after `dispose()`; {Error} before `init()`.
   * @throws {InvalidArgumentError} for kernel options cpu-tiled rejects.
   * @throws {BackendCapacityError} when the memory for the packed weights cannot be allocated even for the `js` kernel.
   */
  async prepare(request: PrepareRequest): Promise<BackendOperator> {
    const pool = this.#requirePool();
    const g = request.geometry;
    const pooledFor = (kind: MicrokernelKind): boolean =>
      pool.size > 0 && g.batch > 0 && g.batch <= MAX_POOLED_TILES && g.flops >= (this.#options.minParallelFlops ?? DEFAULT_MIN_PARALLEL_FLOPS[kind]);
    // A pooled operator's setup has one scratch region per pool thread plus the calling thread's.
    const kernel = prepareGemm({ geometry: g, weights: request.weights, bias: request.bias, plan: this.#options, backend: WORKERS_BACKEND_NAME }, (entry) =>
      pooledFor(entry.option) ? { threads: pool.size + 1, shared: true } : { threads: 1, shared: false },
    );
    const pooled = pooledFor(kernel.kernel.option);
    const key = this.#nextKey++;
    if (pooled) pool.load({ type: 'load', key, setup: kernel.setup });
    const unregisterToken = {};
    const release = releaser(kernel.setup);
    const operator = new WorkersOperator({
      pooled,
      pool,
      key,
      kernel,
      callerThread: pooled ? pool.size : 0,
      threads: this.#threads,
      callerComputes: this.#callerComputes(),
      details: { ...(kernel.fallback === undefined ? {} : { kernelFallback: kernel.fallback }), ...(pooled ? this.#poolOptionsSet() : {}) },
      minTileFlops: this.#options.minTileFlops ?? DEFAULT_MIN_TILE_FLOPS,
      stats: this.#stats,
      onDispose: () => {
        droppedOperators?.unregister(unregisterToken);
        release();
      },
    });
    droppedOperators?.register(operator, { pool: pooled ? pool : null, key, setup: kernel.setup }, unregisterToken);
    return operator;
  }

  /**
   * The pool's waiting options given other than their defaults, for a pooled operator's `info.details`
   * (a table of runs then says what ran): `spinMicros`, `busySpinMicros`, `serialBackoffRuns`.
   */
  #poolOptionsSet(): Record<string, number> {
    const set: Record<string, number> = {};
    const { spinMicros, busySpinMicros, serialBackoffRuns } = this.#options;
    if (spinMicros !== undefined && spinMicros !== DEFAULT_SPIN_MICROS) set.spinMicros = spinMicros;
    if (busySpinMicros !== undefined && busySpinMicros !== DEFAULT_BUSY_SPIN_MICROS) set.busySpinMicros = busySpinMicros;
    if (serialBackoffRuns !== undefined && serialBackoffRuns !== DEFAULT_SERIAL_BACKOFF_RUNS && this.#callerComputes()) set.serialBackoffRuns = serialBackoffRuns;
    return set;
  }

  /** Run and copy counters of this backend's operators, and its pool's thread counters. */
  stats(): WorkersBackendStats {
    return { ...this.#stats, pool: this.#pool?.stats() ?? null };
  }

  /**
   * Ends every thread; runs in flight and an `init()` in progress reject
   * (`DisposedError` / `BackendFailureError`), operators throw
   * `DisposedError` from then on. A later `init()` starts a new pool. Idempotent.
   */
  async dispose(): Promise<void> {
    this.#generation++;
    this.#disposed = true;
    const pools = [this.#pool, this.#startingPool];
    this.#pool = null;
    this.#startingPool = null;
    this.#starting = null;
    await Promise.all(pools.map((pool) => pool?.dispose()));
  }

  #callerComputes(): boolean {
    return this.#options.callerComputes ?? true;
  }

  #requirePool(): ThreadPool {
    if (this.#disposed) throw new DisposedError('workers backend');
    if (this.#pool === null) throw new Error('workers backend: init() must complete before prepare()');
    return this.#pool;
  }
}
