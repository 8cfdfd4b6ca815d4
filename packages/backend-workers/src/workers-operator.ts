import { bindKernel, fullOutputRange, type BoundKernel, type OutputRange, type Conv1x1Plan, type KernelMemory, type PreparedGemm } from '@pointwise/backend-cpu-tiled/kernel';
import { BackendFailureError, DisposedError, shapeSize, type BackendOperator, type Conv1x1Geometry, type ExecutionInfo, type Tensor } from '@pointwise/core';
import {
  CALLER_SPIN_MS,
  allTilesDone,
  callerOutputCopy,
  copyAllInputChunks,
  copyRemainingOutputChunks,
  markInputStaged,
  planSyncLayout,
  runTiles,
  tilesDone,
  type SyncLayout,
  type TileRun,
} from './run-sync.js';
import { isShared, RunBufferPool, type CopyStats, type RunBuffers } from './shared-memory.js';
import type { PoolRun, ThreadPool } from './thread-pool.js';
import { assertTensorIntact } from './view-check.js';
import { planWorkGrid, tileCount, type WorkGrid } from './work-split.js';

/** What a calling-thread run returns: it has finished by then (one settled promise, shared). */
const SETTLED: Promise<void> = Promise.resolve();

/** Registry name of the workers backend. */
export const WORKERS_BACKEND_NAME = 'workers';

/** Counters of one backend's runs (shared by its operators). */
export interface RunStats extends CopyStats {
  /** Runs computed on the calling thread because their work was below the threshold (or their staging memory could not be allocated). */
  directRuns: number;
  /** Runs dispatched to the pool. */
  pooledRuns: number;
  /** Sets of per-run shared buffers allocated (a steady sequence of runs reuses one set per operator). */
  runBuffersCreated: number;
}

/** What {@link WorkersOperator} is built from. */
export interface WorkersOperatorParts {
  readonly pool: ThreadPool;
  /** Operator key in the pool (its kernel setup is loaded on every thread). */
  readonly key: number;
  /** The kernel chosen and prepared (its setup is loaded on every thread of a pooled operator). */
  readonly kernel: PreparedGemm;
  /** The calling thread's `thread` index of the setup (the one after the pool's for a pooled operator, else 0). */
  readonly callerThread: number;
  /** Threads that compute a pooled run, the calling thread included when it computes. */
  readonly threads: number;
  /** The calling thread takes tiles too (the pool then has `threads − 1` threads). */
  readonly callerComputes: boolean;
  /** Runs go to the pool (else every run computes on the calling thread and nothing is loaded on the pool). */
  readonly pooled: boolean;
  /** Minimum floating-point operations per tile (bounds the tile count of mid-sized runs). */
  readonly minTileFlops: number;
  /** Extra `ExecutionInfo.details` (e.g. why the WASM kernel is not used). */
  readonly details: Readonly<Record<string, string | number | boolean>>;
  readonly stats: RunStats;
  /** Called once by `dispose()` (the backend stops watching for the operator being dropped). */
  readonly onDispose?: () => void;
}

/** What the calling thread does in a pooled run besides taking tiles (all optional). */
interface LocalPart {
  /** Before it takes tiles (after the run is posted to the pool). */
  readonly beforeTiles?: () => void;
  /** The run as the calling thread's kernel sees it (default: the posted `x` and `out`). */
  readonly callerRun?: TileRun;
  /**
   * Once every tile is counted as done (the calling thread computes and did
   * not wait for replies): the calling thread's remaining part of the run;
   * returns whether the run is complete without the threads' replies.
   */
  readonly afterTiles?: () => boolean;
}

/**
 * Most tiles a pooled run may have. Tiles are counted in int32 words
 * (`NEXT_TILE` grows to tiles + threads) and a `wasm-simd` run keeps up to 16
 * staging words per image, so a batch of more images than this (only tiny
 * images get there within the 2^32 elements of a typed array) computes on the
 * calling thread instead.
 */
export const MAX_POOLED_TILES = 65536;

/** Packed weights up to this size are taken to stay in a core's cache (half of a 512 KiB L2, cpu-tiled's default). */
const CACHED_WEIGHT_BYTES = 256 * 1024;

function workGrid(plan: Conv1x1Plan, threads: number, maxTiles: number): WorkGrid {
  const g = plan.geometry;
  const cpg = g.outChannelsPerGroup;
  return planWorkGrid(
    {
      batch: g.batch,
      pixels: g.outHeight * g.outWidth,
      channels: g.outChannels,
      channelUnit: g.groups === 1 || cpg % plan.mr === 0 ? plan.mr : cpg,
      nr: plan.nr,
      // Weights that stay in cache are cheap to re-read, so pixel pieces may be small;
      // others are streamed once per piece, so a piece keeps at least a kernel pixel block.
      minPixelPiece: g.outChannels * g.inChannelsPerGroup * 4 <= CACHED_WEIGHT_BYTES ? 2 * plan.nr : plan.nc,
    },
    threads,
    maxTiles,
  );
}

/**
 * One prepared convolution of the workers backend. A run above the threshold
 * is cut into tiles (see `planWorkGrid`) that the pool's threads — and the
 * calling thread, unless `callerComputes` is off — take from a shared counter
 * and compute with the cpu-tiled kernel over shared memory; each output element is computed
 * by one thread in the cpu-tiled summation order, so the result is
 * bit-identical to the cpu-tiled backend whatever the thread count. A run
 * below the threshold runs the same kernel on the calling thread.
 *
 * Memory per run: the `js` kernel reads and writes `SharedArrayBuffer`-backed
 * tensors in place and copies others once in and once out; the `wasm-simd`
 * kernel always copies the input into and the output out of the operator's
 * shared WebAssembly memory (as cpu-tiled does). Pooled runs of one operator
 * take turns (each already uses every thread; runs of different operators
 * still overlap), so an operator holds one set of run buffers however many
 * runs are queued. A run settles from the shared tile count and the threads'
 * control words (see `run-sync.ts`), not from reply messages, so memory
 * and the pool's in-flight count stay flat whatever the caller's loop.
 */
export class WorkersOperator implements BackendOperator {
  readonly geometry: Conv1x1Geometry;
  readonly info: ExecutionInfo;
  readonly #parts: WorkersOperatorParts;
  readonly #grid: WorkGrid | null;
  readonly #threads: number;
  readonly #buffers: RunBufferPool;
  /** Element counts of the input and output (what core validated when `run()` was called). */
  readonly #inputLength: number;
  readonly #outputLength: number;
  /** The kernel's memory (a kernel that owns one: inputs staged in, outputs copied out), else `null`. */
  readonly #memory: KernelMemory | null;
  /** Where the words of a pooled run sit in its `sync` array (`null` for an unpooled operator). */
  readonly #layout: SyncLayout | null;
  /**
   * Zero-copy runs (kernels that own their memory: `wasm-simd`): a tensor of
   * the input shape and layout whose data views the input region of the
   * kernel's memory (a pooled operator's shared `WebAssembly.Memory`; a
   * calling-thread operator moves out of the realm's workspace into a memory
   * of its own, see cpu-tiled's `tensorViews`). A run given it (or a clean
   * copy of it: recognised by buffer, byte offset and length) stages no
   * input. Valid until `dispose()`. Absent for the `js` kernel.
   */
  readonly createInput?: () => Tensor;
  /** As {@link createInput}, for the output: a run into it copies no output. */
  readonly createOutput?: () => Tensor;
  /** The kernel bound on the calling thread. */
  #local: BoundKernel | null;
  /** The whole output, the range a calling-thread run computes (made once: a run allocates nothing). */
  readonly #fullRange: OutputRange;
  /** Tail of the queue of pooled runs (and of `wasm-simd` runs, which share the memory's input and output regions). */
  #turn: Promise<unknown> = Promise.resolve();
  #disposed = false;

  constructor(parts: WorkersOperatorParts) {
    this.#parts = parts;
    const { pool } = parts;
    const plan = parts.kernel.setup.plan;
    const g = plan.geometry;
    this.geometry = g;
    this.#inputLength = shapeSize(g.inputShape);
    this.#outputLength = shapeSize(g.outputShape);
    this.#local = bindKernel(parts.kernel.setup, parts.callerThread);
    this.#fullRange = fullOutputRange(plan);
    this.#memory = this.#local.memory;
    const memory = this.#memory;
    if (memory !== null) {
      this.createInput = () => this.#created(memory, 'input');
      this.createOutput = () => this.#created(memory, 'output');
    }
    const grid = parts.pooled ? workGrid(plan, parts.threads, g.flops / parts.minTileFlops) : null;
    this.#grid = grid !== null && tileCount(grid) <= MAX_POOLED_TILES ? grid : null;
    this.#threads = this.#grid === null ? 1 : Math.min(parts.threads, tileCount(this.#grid));
    this.#layout = this.#grid === null ? null : planSyncLayout(g, this.#grid, this.#memory !== null, pool.size);
    this.#buffers = new RunBufferPool(this.#inputLength, this.#outputLength, this.#layout?.words ?? 0, parts.stats);
    this.info = {
      backend: WORKERS_BACKEND_NAME,
      details: {
        kernel: parts.kernel.kernel.option,
        microkernel: parts.kernel.kernel.name,
        accumulation: parts.kernel.kernel.accumulation,
        threads: this.#threads,
        poolThreads: pool.size,
        callerComputes: parts.callerComputes,
        dispatch: this.#grid === null ? 'calling-thread' : 'pool',
        tiles: this.#grid === null ? 1 : tileCount(this.#grid),
        mc: plan.mc,
        nc: plan.nc,
        kc: plan.kc,
        ...parts.details,
      },
    };
  }

  /**
   * Computes `out = conv1x1(x)`; tensors as validated by core.
   * @throws {DisposedError} after the operator's or the backend's `dispose()`.
   * @throws {BackendFailureError} when a thread dies or the kernel fails during the run (the pool replaces the thread).
   */
  run(x: Tensor, out: Tensor): Promise<void> {
    if (this.#grid === null) {
      // A calling-thread run is synchronous from start to end, so runs never overlap and none takes a turn
      // (the turn's two promises were a measurable share of a tiny layer's run), and it is not an async
      // function either: its promise is settled when it returns.
      try {
        this.#runHere(x.data, out.data);
        return SETTLED;
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.#runPooled(x, out);
  }

  /** A run of an operator below the pool's threshold, on the calling thread, from start to end. */
  #runHere(x: Float32Array, out: Float32Array): void {
    this.#assertLive();
    const memory = this.#memory;
    if (memory === null) {
      this.#assertIntact(x, out);
      this.#runOnCallingThread(x, out);
    } else {
      this.#runInKernelMemoryHere(memory, x, out);
    }
  }

  async #runPooled(x: Tensor, out: Tensor): Promise<void> {
    this.#assertLive();
    const memory = this.#memory;
    const turn = this.#turn.then(() => (memory === null ? this.#runOnSharedArrays(x.data, out.data) : this.#runInKernelMemory(memory, x.data, out.data)));
    this.#turn = turn.catch(() => {});
    return turn;
  }

  /** @throws {DisposedError} after the operator's or the backend's `dispose()`. */
  #assertLive(): void {
    if (this.#disposed) throw new DisposedError('workers operator');
    if (this.#parts.pool.disposed) throw new DisposedError('workers backend');
  }

  /** Forgets the operator on every thread and drops its run buffers. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#parts.onDispose?.();
    this.#parts.pool.unload(this.#parts.key);
    this.#buffers.clear();
    this.#local = null;
  }

  async #runOnSharedArrays(x: Float32Array, out: Float32Array): Promise<void> {
    // Checked again: the operator or backend may have been disposed while this run waited its turn.
    if (this.#disposed) throw new DisposedError('workers operator');
    if (this.#parts.pool.disposed) throw new DisposedError('workers backend');
    this.#assertIntact(x, out);
    const { stats } = this.#parts;
    let buffers: RunBuffers;
    let input: Float32Array;
    let output: Float32Array;
    try {
      buffers = this.#buffers.acquire();
      input = this.#buffers.input(buffers, x, stats);
      output = this.#buffers.output(buffers, out);
    } catch (error) {
      // Shared staging memory for a plain tensor could not be allocated (a huge tensor):
      // the same kernel computes it on the calling thread, on the caller's arrays.
      if (!(error instanceof RangeError)) throw error;
      this.#buffers.clear();
      this.#runOnCallingThread(x, out);
      return;
    }
    await this.#dispatch(buffers, input, output);
    // A plain `out` is written only now, after the run's awaits: the caller may have resized or detached it meanwhile.
    if (output !== out) assertTensorIntact(WORKERS_BACKEND_NAME, 'output', out, this.#outputLength);
    this.#buffers.finish(output, out, stats);
  }

  async #runInKernelMemory(memory: KernelMemory, x: Float32Array, out: Float32Array): Promise<void> {
    // Checked again: the operator or backend may have been disposed while a pooled run waited its turn.
    this.#assertLive();
    // A pooled run starts after its turn: the caller may have resized or detached a tensor meanwhile.
    this.#assertIntact(x, out);
    const xHeld = memory.holdsInput(x);
    const outHeld = memory.holdsOutput(out);
    this.#countCopies(x, out, xHeld, outHeld);
    await this.#dispatchStaged(memory, this.#layout!, this.#buffers.acquire(), xHeld ? null : x, outHeld ? null : out);
  }

  /** One synchronous stage → run → copy on the calling thread (a workspace setup must not interleave with another operator's). */
  #runInKernelMemoryHere(memory: KernelMemory, x: Float32Array, out: Float32Array): void {
    this.#assertIntact(x, out);
    // Tensors from createInput / createOutput (or clean copies of them) are read and written in place.
    const xHeld = memory.holdsInput(x);
    const outHeld = memory.holdsOutput(out);
    this.#countCopies(x, out, xHeld, outHeld);
    if (!xHeld) memory.stageInput(x, 0, x.length);
    this.#runOnCallingThread(x, out);
    if (!outHeld) memory.copyOutput(out, 0, out.length);
  }

  #countCopies(x: Float32Array, out: Float32Array, xHeld: boolean, outHeld: boolean): void {
    const { stats } = this.#parts;
    if (!xHeld) {
      stats.copiesIn++;
      stats.bytesCopied += x.byteLength;
    }
    if (!outHeld) {
      stats.copiesOut++;
      stats.bytesCopied += out.byteLength;
    }
  }

  #created(memory: KernelMemory, which: 'input' | 'output'): Tensor {
    if (this.#disposed) throw new DisposedError('workers operator');
    const g = this.geometry;
    const data = memory.tensorViews()[which];
    return which === 'input' ? Object.freeze({ shape: g.inputShape, layout: g.inputLayout, data }) : Object.freeze({ shape: g.outputShape, layout: g.outputLayout, data });
  }

  /**
   * A pooled run of a kernel that owns its memory, with its input staged in
   * chunks (see `run-sync.ts`): a shared input goes to the pool threads,
   * which share its copy into the kernel's memory; any other is copied here
   * right after posting, while the threads wake up. A shared output goes to
   * the pool threads too, which share its copy out of the kernel's memory
   * once every tile is done; any other is copied out here in one piece after
   * the run (per-tile copies by the computing threads measured slower).
   */
  async #dispatchStaged(memory: KernelMemory, layout: SyncLayout, buffers: RunBuffers, x: Float32Array | null, out: Float32Array | null): Promise<void> {
    const grid = this.#grid!;
    const sync = buffers.sync;
    // `x === null`: the input is already in the kernel's memory (every chunk is marked ready, nothing is copied).
    const xShared = x !== null && isShared(x);
    const sharedOut = out !== null && isShared(out) ? out : null;
    // Marked before the run is posted: a pool thread that starts before the calling thread gets a core
    // back (a loaded machine) finds its input ready instead of waiting for it.
    if (x === null) markInputStaged(layout, sync);
    await this.#dispatch(buffers, xShared ? x : null, sharedOut, {
      beforeTiles: () => {
        if (x !== null && !xShared) copyAllInputChunks(memory, layout, sync, x);
      },
      callerRun: { grid, layout, sync, x, out: sharedOut },
      afterTiles: sharedOut === null ? undefined : () => callerOutputCopy(memory, layout, sync, sharedOut),
    });
    // `out === null`: the kernel wrote the caller's tensor in place.
    if (out === null) return;
    if (sharedOut === null) {
      // Written only now, after the run's awaits: the caller may have resized or detached it meanwhile.
      assertTensorIntact(WORKERS_BACKEND_NAME, 'output', out, this.#outputLength);
      memory.copyOutput(out, 0, out.length);
    }
    else copyRemainingOutputChunks(memory, layout, sync, sharedOut);
  }

  /**
   * Posts the run to the pool's threads and, when the calling thread computes
   * too, takes tiles here meanwhile. Settles once every tile is computed:
   * the calling thread, out of tiles, spins on the shared count of computed
   * tiles (up to {@link CALLER_SPIN_MS}), does its `afterTiles` part, then
   * settles the pool's part from the threads' control words — threads that
   * have not started are cancelled, finished ones need no reply — so the run
   * resolves and its buffers are reused without a turn of the event loop.
   * Failing any of that, and after any failure, it awaits the threads'
   * replies (so nothing writes to the output afterwards; a run that stops
   * making progress fails after the pool's stall deadline). Releases `buffers`
   * once no thread of the run can touch them.
   */
  async #dispatch(buffers: RunBuffers, x: Float32Array | null, out: Float32Array | null, local: LocalPart = {}): Promise<void> {
    const { pool, key, stats, callerComputes } = this.#parts;
    const grid = this.#grid!;
    const layout = this.#layout!;
    const sync = buffers.sync;
    const tiles = tileCount(grid);
    stats.pooledRuns++;
    const helpers = this.#threads - (callerComputes ? 1 : 0);
    let job: PoolRun | null = null;
    let failure: unknown = null;
    try {
      if (helpers > 0) job = pool.run({ key, x, out, grid, layout, sync }, helpers);
      local.beforeTiles?.();
      if (callerComputes) {
        runTiles(this.#localKernel(), local.callerRun ?? { grid, layout, sync, x, out });
        if (job !== null && allTilesDone(sync, tiles) && (local.afterTiles?.() ?? true) && pool.settleEarly(job, CALLER_SPIN_MS)) {
          this.#buffers.release(buffers);
          return;
        }
      }
    } catch (error) {
      failure = error;
    }
    try {
      if (job !== null) await pool.awaitReplies(job, failure !== null || tilesDone(sync) >= tiles);
      // A sequentially consistent read of the count every thread incremented after its
      // tiles orders their writes to the output before ours reads of it.
      if (failure === null && tilesDone(sync) < tiles) failure = new Error('the run settled with tiles not computed');
    } catch (error) {
      failure ??= error;
    } finally {
      this.#buffers.release(buffers);
    }
    if (failure !== null) {
      const message = failure instanceof Error ? failure.message : String(failure);
      throw new BackendFailureError(WORKERS_BACKEND_NAME, message, { cause: failure });
    }
  }

  /**
   * Both tensors still have the length core validated when `run()` was called.
   * @throws {BackendFailureError} naming the tensor otherwise (nothing read or written yet).
   */
  #assertIntact(x: Float32Array, out: Float32Array): void {
    assertTensorIntact(WORKERS_BACKEND_NAME, 'input', x, this.#inputLength);
    assertTensorIntact(WORKERS_BACKEND_NAME, 'output', out, this.#outputLength);
  }

  #runOnCallingThread(x: Float32Array, out: Float32Array): void {
    this.#parts.stats.directRuns++;
    const kernel = this.#localKernel();
    if (kernel.memory === null) kernel.runRange(this.#fullRange, x, out);
    else kernel.runRange(this.#fullRange, null, null);
  }

  /** The kernel bound on the calling thread (its scratch region of a pooled setup is the one after the pool's). */
  #localKernel(): BoundKernel {
    if (this.#local === null) throw new DisposedError('workers operator');
    return this.#local;
  }
}
