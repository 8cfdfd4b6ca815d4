/**
 * Staging of a pooled WASM SIMD run's input. The microkernel reads its input
 * from the operator's shared WebAssembly memory, so a run copies the caller's
 * input in. Instead of one serial copy on the calling thread before the run
 * is posted, the input of each image is cut into contiguous chunks; a thread
 * that is about to compute a tile of an image first copies every chunk of
 * that image no other thread has claimed, then waits until the others are
 * in. When the caller's input is on a `SharedArrayBuffer` the pool threads
 * share the copy; otherwise only the calling thread can read it and copies
 * every chunk right after posting the run, while the pool threads wake up.
 *
 * (The output is copied out after the run: by the calling thread in one
 * piece into a plain `out`, shared by the threads in large contiguous chunks
 * into a shared one, see `wasm-output-copy.ts`; copies of each tile's output
 * by the thread that computed it measured slower on every benchmark layer but one.)
 *
 * The run's shared `Int32Array` (`sync`) holds, after the tile counters
 * (`SYNC_HEADER_WORDS`), one state word per chunk ({@link PIECE_FREE} → {@link PIECE_COPYING} →
 * {@link PIECE_READY}); these are sequentially consistent `Atomics`
 * operations, so a thread that reads `PIECE_READY` also sees the copied data.
 *
 * Chunks rather than the input pixels of each tile: with NCHW input a tile's
 * pixels are one short row per channel, and copying row by row measured
 * slower on the benchmark layers (a `subarray` + `set` costs ≈ 40 ns a row,
 * about as much as copying 300 floats into a `SharedArrayBuffer`).
 */
import type { WasmConvInstance } from '@pointwise/backend-cpu-tiled';
import { SYNC_HEADER_WORDS } from './tile-loop.js';
import type { WorkGrid } from './work-split.js';

export const PIECE_FREE = 0;
export const PIECE_COPYING = 1;
export const PIECE_READY = 2;

/**
 * How long a thread that can read the input waits for a chunk another thread
 * is copying before it copies the chunk itself (that thread may have died; if
 * it is merely slow, both write the same bits).
 */
const PIECE_WAIT_MS = 20;
/**
 * How long a pool thread that cannot read the input (a plain input: only the
 * calling thread copies it, synchronously right after posting, and marks
 * every chunk ready even when it fails) waits for a chunk before it fails the run.
 */
const UNREADABLE_PIECE_WAIT_MS = 60_000;
/** Floats per input chunk (128 KiB): a few per image, so threads share the copy of all but the smallest inputs. */
const CHUNK_FLOATS = 32768;
/** At most this many chunks per image (each costs a claim and a `set`). */
const MAX_CHUNKS = 16;

/** Floats per output chunk (128 KiB, as the input's): a shared `out` is copied out of the operator's memory in these. */
const OUTPUT_CHUNK_FLOATS = 32768;
/** At most this many output chunks per run. */
const MAX_OUTPUT_CHUNKS = 32;

/** How a run's input and output are chunked, and where the chunk states sit in `sync`. */
export interface StagingPlan {
  /** Floats of one image's input. */
  readonly imageLength: number;
  readonly chunksPerImage: number;
  /** Input chunks of the whole batch. */
  readonly chunks: number;
  /** Floats of the whole output (all images). */
  readonly outputLength: number;
  /** Contiguous chunks of the whole output, for a shared `out` (see `wasm-output-copy.ts`). */
  readonly outputChunks: number;
  /** Index in `sync` of the first output chunk's state (after the input chunks' states). */
  readonly outputWord: number;
  /** Length of the run's `sync` array: tile counters, input chunk states, output chunk states. */
  readonly syncWords: number;
}

/** The staging plan of an operator's pooled runs over `grid`. */
export function planStaging(instance: WasmConvInstance, grid: WorkGrid): StagingPlan {
  const g = instance.plan.geometry;
  const imageLength = g.inChannels * g.inHeight * g.inWidth;
  const chunksPerImage = Math.max(1, Math.min(MAX_CHUNKS, Math.round(imageLength / CHUNK_FLOATS)));
  const chunks = grid.batch * chunksPerImage;
  const outputLength = grid.batch * g.outChannels * g.outHeight * g.outWidth;
  const outputChunks = Math.max(1, Math.min(MAX_OUTPUT_CHUNKS, Math.round(outputLength / OUTPUT_CHUNK_FLOATS)));
  const outputWord = SYNC_HEADER_WORDS + chunks;
  return { imageLength, chunksPerImage, chunks, outputLength, outputChunks, outputWord, syncWords: outputWord + outputChunks };
}

/** Copies chunk `chunk` of `x` (the caller's input, in the operator's input layout) into the operator's memory. */
function copyChunk(instance: WasmConvInstance, staging: StagingPlan, x: Float32Array, chunk: number): void {
  const { imageLength, chunksPerImage } = staging;
  const n = Math.floor(chunk / chunksPerImage);
  const c = chunk - n * chunksPerImage;
  const from = n * imageLength + Math.floor((c * imageLength) / chunksPerImage);
  const to = n * imageLength + Math.floor(((c + 1) * imageLength) / chunksPerImage);
  instance.f32.set(x.subarray(from, to), instance.layout.input / 4 + from);
}

/**
 * Makes chunk `chunk` present in the operator's memory: copies it when no
 * thread has claimed it and `x` is at hand, else waits (spinning: chunks are
 * short copies) until the claiming thread marks it ready. A thread that can
 * read `x` stops waiting after {@link PIECE_WAIT_MS} and copies the chunk
 * itself, so a thread that dies mid-copy cannot hang the others; one that
 * cannot (`x` null) fails after {@link UNREADABLE_PIECE_WAIT_MS}.
 * @throws {Error} when a chunk only the calling thread can copy is not ready in time.
 */
function acquireChunk(instance: WasmConvInstance, staging: StagingPlan, sync: Int32Array, x: Float32Array | null, chunk: number, caller: boolean): void {
  const word = SYNC_HEADER_WORDS + chunk;
  if (Atomics.load(sync, word) === PIECE_READY) return;
  if (x !== null && Atomics.compareExchange(sync, word, PIECE_FREE, PIECE_COPYING) === PIECE_FREE) {
    try {
      copyChunk(instance, staging, x, chunk);
    } finally {
      // Also after a failed copy, so no thread waits for ever; the run rejects with the error.
      Atomics.store(sync, word, PIECE_READY);
    }
    return;
  }
  const deadline = performance.now() + (x !== null ? PIECE_WAIT_MS : UNREADABLE_PIECE_WAIT_MS);
  while (Atomics.load(sync, word) !== PIECE_READY) {
    if (performance.now() <= deadline) continue;
    if (x === null) throw new Error(`input chunk ${chunk} was not staged within ${UNREADABLE_PIECE_WAIT_MS} ms`);
    copyChunk(instance, staging, x, chunk);
    Atomics.store(sync, word, PIECE_READY);
    return;
  }
}

/**
 * Makes the input of tile `tile`'s image present in the operator's memory:
 * copies the chunks of that image no thread has claimed, then waits for the
 * others (see {@link acquireChunk}).
 * @param x the caller's input, or `null` on a pool thread when it is not
 *   shared (the calling thread then copies every chunk).
 */
export function acquireTileInput(
  instance: WasmConvInstance,
  staging: StagingPlan,
  grid: WorkGrid,
  sync: Int32Array,
  x: Float32Array | null,
  tile: number,
  caller: boolean,
): void {
  const first = Math.floor(tile / (grid.pixelTiles * grid.channelTiles)) * staging.chunksPerImage;
  const end = first + staging.chunksPerImage;
  if (x !== null) {
    for (let chunk = first; chunk < end; chunk++) {
      if (Atomics.load(sync, SYNC_HEADER_WORDS + chunk) === PIECE_FREE) acquireChunk(instance, staging, sync, x, chunk, caller);
    }
  }
  for (let chunk = first; chunk < end; chunk++) acquireChunk(instance, staging, sync, x, chunk, caller);
}

/** The calling thread's copy of every chunk, in order, for an input only it can read. */
export function copyAllInputChunks(instance: WasmConvInstance, staging: StagingPlan, sync: Int32Array, x: Float32Array): void {
  try {
    for (let chunk = 0; chunk < staging.chunks; chunk++) acquireChunk(instance, staging, sync, x, chunk, true);
  } finally {
    // After a failure too: pool threads that cannot read `x` would otherwise wait for ever (the run rejects).
    for (let chunk = 0; chunk < staging.chunks; chunk++) Atomics.store(sync, SYNC_HEADER_WORDS + chunk, PIECE_READY);
  }
}
