import {
  createKernelScratch,
  fullOutputRange,
  runConv1x1Range,
  type Conv1x1Plan,
  type KernelScratch,
} from '@pointwise/backend-cpu-tiled';
import { BackendFailureError, DisposedError, type BackendOperator, type Conv1x1Geometry, type ExecutionInfo, type Tensor } from '@pointwise/core';
import { RunBufferPool, type CopyStats } from './shared-memory.js';
import type { ThreadPool } from './thread-pool.js';
import { planWorkGrid, tileCount, type WorkGrid } from './work-split.js';

/** Registry name of the workers backend. */
export const WORKERS_BACKEND_NAME = 'workers';

/** Counters of one backend's runs (shared by its operators). */
export interface RunStats extends CopyStats {
  /** Runs computed on the calling thread because their work was below the threshold. */
  directRuns: number;
  /** Runs dispatched to the pool. */
  pooledRuns: number;
}

/** What {@link WorkersOperator} is built from. */
export interface WorkersOperatorParts {
  readonly pool: ThreadPool;
  /** Operator key in the pool (its plan and packed weights are loaded on every thread). */
  readonly key: number;
  readonly plan: Conv1x1Plan;
  /** Packed weights and bias on a `SharedArrayBuffer`. */
  readonly packed: Float32Array;
  /** Runs of fewer floating-point operations than this run on the calling thread. */
  readonly minParallelFlops: number;
  /** Minimum floating-point operations per tile (bounds the tile count of mid-sized runs). */
  readonly minTileFlops: number;
  readonly stats: RunStats;
}

/**
 * One prepared convolution of the workers backend. A run above the threshold
 * is cut into tiles (see `planWorkGrid`) that the pool's threads compute with
 * the cpu-tiled kernel over shared memory; each output element is computed
 * by one thread in the cpu-tiled summation order, so the result is
 * bit-identical to the cpu-tiled backend whatever the thread count. A run
 * below the threshold runs the same kernel on the calling thread.
 */
export class WorkersOperator implements BackendOperator {
  readonly geometry: Conv1x1Geometry;
  readonly info: ExecutionInfo;
  readonly #parts: WorkersOperatorParts;
  readonly #grid: WorkGrid | null;
  readonly #buffers: RunBufferPool;
  #scratch: KernelScratch | null = null;
  #disposed = false;

  constructor(parts: WorkersOperatorParts) {
    this.#parts = parts;
    const { plan, pool } = parts;
    const g = plan.geometry;
    this.geometry = g;
    const pooled = g.flops >= parts.minParallelFlops && g.batch > 0;
    this.#grid = pooled
      ? planWorkGrid(
          { batch: g.batch, pixels: g.outHeight * g.outWidth, channels: g.outChannels, mr: plan.mr, nr: plan.nr, nc: plan.nc },
          pool.size,
          g.flops / parts.minTileFlops,
        )
      : null;
    const threads = this.#grid === null ? 1 : Math.min(pool.size, tileCount(this.#grid));
    this.#buffers = new RunBufferPool(g.inputShape.reduce((a, b) => a * b, 1), g.outputShape.reduce((a, b) => a * b, 1));
    this.info = {
      backend: WORKERS_BACKEND_NAME,
      details: {
        kernel: plan.kernel,
        threads,
        poolThreads: pool.size,
        dispatch: this.#grid === null ? 'calling-thread' : 'pool',
        tiles: this.#grid === null ? 1 : tileCount(this.#grid),
        microtile: plan.microtile,
        mc: plan.mc,
        nc: plan.nc,
        kc: plan.kc,
      },
    };
  }

  /**
   * Computes `out = conv1x1(x)`; tensors as validated by core.
   * @throws {DisposedError} after `dispose()`.
   * @throws {BackendFailureError} when a thread dies or the kernel fails during the run (the pool replaces the thread).
   */
  async run(x: Tensor, out: Tensor): Promise<void> {
    if (this.#disposed) throw new DisposedError('workers operator');
    const grid = this.#grid;
    if (grid === null) {
      this.#runOnCallingThread(x, out);
      return;
    }
    const { pool, key, stats } = this.#parts;
    const buffers = this.#buffers.acquire();
    try {
      const input = this.#buffers.input(buffers, x.data, stats);
      const output = this.#buffers.output(buffers, out.data);
      stats.pooledRuns++;
      try {
        await pool.run({ key, x: input, out: output, grid, counter: buffers.counter }, Number(this.info.details.threads));
      } catch (error) {
        throw new BackendFailureError(WORKERS_BACKEND_NAME, (error as Error).message, { cause: error });
      }
      this.#buffers.finish(output, out.data, stats);
    } finally {
      this.#buffers.release(buffers);
    }
  }

  /** Forgets the operator on every thread. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#parts.pool.unload(this.#parts.key);
    this.#scratch = null;
  }

  #runOnCallingThread(x: Tensor, out: Tensor): void {
    const { plan, packed, stats } = this.#parts;
    this.#scratch ??= createKernelScratch(plan);
    stats.directRuns++;
    runConv1x1Range(plan, packed, x.data, out.data, fullOutputRange(plan), this.#scratch);
  }
}
