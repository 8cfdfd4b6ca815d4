/**
 * The copy of a pooled WASM SIMD run's output into a caller's `out` that is
 * on a `SharedArrayBuffer`. The microkernel writes the operator's shared
 * WebAssembly memory; V8 copies out of shared memory at about half the speed
 * of ordinary memory, so one serial copy on the calling thread weighs on
 * layers with a large output and little compute per element (16→96 @112²).
 * Once every tile is counted as done, each thread of the run copies whole
 * contiguous chunks of the output (see `StagingPlan.outputChunks`), claimed
 * one by one through their state words in `sync` ({@link PIECE_FREE} →
 * {@link PIECE_COPYING} → {@link PIECE_READY}, the states of the input staging).
 *
 * Robustness: a pool thread waits for the last tiles only a bounded time and
 * then answers without copying; the calling thread claims every chunk left,
 * waits a bounded time for chunks others are copying, and otherwise falls
 * back to waiting for the threads' replies and copying what is still not
 * ready ({@link copyRemainingOutputChunks}). So it never writes a chunk
 * another live thread is writing, and nothing writes to `out` after the run
 * settles. A plain `out` is copied by the calling thread alone
 * (`copyOutputFromWasm`): no other thread can reach it.
 */
import type { WasmConvInstance } from '@pointwise/backend-cpu-tiled';
import type { TileRun } from './kernel-binding.js';
import { TILES_DONE } from './tile-loop.js';
import { PIECE_COPYING, PIECE_FREE, PIECE_READY, type StagingPlan } from './wasm-staging.js';
import { tileCount } from './work-split.js';

/**
 * How long a pool thread out of tiles waits for the other threads' last
 * tiles before it answers without copying (one tile of the largest benchmark
 * layer takes ≈ 5 ms; a thread whose tile failed never completes it).
 */
const POOL_TILE_WAIT_MS = 20;
/** How long the calling thread spins for chunks other threads are copying before it waits for their replies instead. */
const CALLER_CHUNK_WAIT_MS = 5;

/** Copies output chunk `chunk` from the operator's memory into `out` (the whole run's output, in the operator's output layout). */
function copyOutputChunk(instance: WasmConvInstance, staging: StagingPlan, out: Float32Array, chunk: number): void {
  const { outputLength, outputChunks } = staging;
  const from = Math.floor((chunk * outputLength) / outputChunks);
  const to = Math.floor(((chunk + 1) * outputLength) / outputChunks);
  const base = instance.layout.output / 4;
  out.set(instance.f32.subarray(base + from, base + to), from);
}

/**
 * Copies every output chunk no thread has claimed yet.
 * @param afterChunk called after each chunk this thread copied, before it is marked ready (fault injection).
 */
function copyFreeChunks(instance: WasmConvInstance, staging: StagingPlan, sync: Int32Array, out: Float32Array, afterChunk?: (chunk: number) => void): void {
  for (let chunk = 0; chunk < staging.outputChunks; chunk++) {
    const word = staging.outputWord + chunk;
    if (Atomics.load(sync, word) !== PIECE_FREE) continue;
    if (Atomics.compareExchange(sync, word, PIECE_FREE, PIECE_COPYING) !== PIECE_FREE) continue;
    try {
      copyOutputChunk(instance, staging, out, chunk);
      afterChunk?.(chunk);
    } finally {
      // Also after a failure, so the calling thread does not wait for it; the run rejects with the error.
      Atomics.store(sync, word, PIECE_READY);
    }
  }
}

/**
 * A pool thread's share of the output copy, after it found no tile left:
 * waits (spinning, up to {@link POOL_TILE_WAIT_MS}) until every tile of the
 * run is counted as done, then copies the chunks nobody has claimed. Does
 * nothing when `run.out` is `null` (a plain `out`, copied by the calling thread).
 */
export function shareOutputCopy(instance: WasmConvInstance, staging: StagingPlan, run: TileRun, afterChunk?: (chunk: number) => void): void {
  const { out, sync } = run;
  if (out === null) return;
  const tiles = tileCount(run.grid);
  const end = performance.now() + POOL_TILE_WAIT_MS;
  // The sequentially consistent read of the full count orders every tile's writes before our reads of them.
  while (Atomics.load(sync, TILES_DONE) < tiles) {
    if (performance.now() > end) return;
  }
  copyFreeChunks(instance, staging, sync, out, afterChunk);
}

/**
 * The calling thread's share of the output copy once every tile is done:
 * copies the chunks nobody has claimed, then spins up to
 * {@link CALLER_CHUNK_WAIT_MS} for those other threads are copying.
 * @returns whether every chunk is in `out` (else the caller waits for the
 *   threads' replies and then calls {@link copyRemainingOutputChunks}).
 */
export function callerOutputCopy(instance: WasmConvInstance, staging: StagingPlan, sync: Int32Array, out: Float32Array): boolean {
  copyFreeChunks(instance, staging, sync, out);
  const end = performance.now() + CALLER_CHUNK_WAIT_MS;
  for (let chunk = 0; chunk < staging.outputChunks; chunk++) {
    while (Atomics.load(sync, staging.outputWord + chunk) !== PIECE_READY) {
      if (performance.now() > end) return false;
    }
  }
  return true;
}

/**
 * After every thread of the run has answered: copies each output chunk not
 * yet in `out` (no thread took part in the copy, or one gave up waiting for
 * the last tiles). No other thread writes `out` any more, so claimed-but-not-ready chunks are copied too.
 */
export function copyRemainingOutputChunks(instance: WasmConvInstance, staging: StagingPlan, sync: Int32Array, out: Float32Array): void {
  for (let chunk = 0; chunk < staging.outputChunks; chunk++) {
    const word = staging.outputWord + chunk;
    if (Atomics.load(sync, word) === PIECE_READY) continue;
    copyOutputChunk(instance, staging, out, chunk);
    Atomics.store(sync, word, PIECE_READY);
  }
}
