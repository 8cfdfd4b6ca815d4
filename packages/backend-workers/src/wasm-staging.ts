/**
 * Staging of a pooled WASM SIMD run. The microkernel reads its input from and
 * writes its output to the operator's shared WebAssembly memory, so a run
 * copies the caller's input in and the output out. Instead of one serial copy
 * of the whole input on the calling thread before the run is posted:
 *
 * - the input of each image is cut into contiguous chunks; a thread that is
 *   about to compute a tile of an image first copies every chunk of that
 *   image no other thread has claimed, then waits until the others are in.
 *   When the caller's input is on a `SharedArrayBuffer` the pool threads
 *   share the copy; otherwise only the calling thread can read it and copies
 *   every chunk right after posting the run, while the pool threads wake up;
 * - when the caller's `out` is on a `SharedArrayBuffer`, the thread that
 *   computed a tile copies that tile's output into it right away.
 *
 * The run's shared `Int32Array` (`sync`) holds, after the tile counters
 * (`SYNC_HEADER_WORDS`), one state word per chunk ({@link PIECE_FREE} → {@link PIECE_COPYING} →
 * {@link PIECE_READY}); these are sequentially consistent `Atomics`
 * operations, so a thread that reads `PIECE_READY` also sees the copied data.
 *
 * Chunks rather than the input pixels of each tile: with NCHW input a tile's
 * pixels are one short row per channel, and copying row by row measured
 * slower on every benchmark layer (a `subarray` + `set` costs ≈ 40 ns a row,
 * about as much as copying 300 floats into a `SharedArrayBuffer`).
 */
import type { OutputRange, WasmConvInstance } from '@pointwise/backend-cpu-tiled';
import { SYNC_HEADER_WORDS } from './tile-loop.js';
import type { WorkGrid } from './work-split.js';

export const PIECE_FREE = 0;
export const PIECE_COPYING = 1;
export const PIECE_READY = 2;

/**
 * How long the calling thread waits for a chunk another thread is copying
 * before it copies the chunk itself (that thread may have died; if it is
 * merely slow, both write the same bits).
 */
const CALLER_PIECE_WAIT_MS = 20;
/** Floats per input chunk (128 KiB): a few per image, so threads share the copy of all but the smallest inputs. */
const CHUNK_FLOATS = 32768;
/** At most this many chunks per image (each costs a claim and a `set`). */
const MAX_CHUNKS = 16;
/** Rows shorter than this are copied element by element (a `subarray` + `set` per row costs more). */
const SHORT_ROW = 32;

/** How a run's input is chunked, and where the chunk states sit in `sync`. */
export interface StagingPlan {
  /** Floats of one image's input. */
  readonly imageLength: number;
  readonly chunksPerImage: number;
  /** Chunks of the whole batch. */
  readonly chunks: number;
  /** Length of the run's `sync` array: tile counters, chunk states. */
  readonly syncWords: number;
}

/** The staging plan of an operator's pooled runs over `grid`. */
export function planStaging(instance: WasmConvInstance, grid: WorkGrid): StagingPlan {
  const g = instance.plan.geometry;
  const imageLength = g.inChannels * g.inHeight * g.inWidth;
  const chunksPerImage = Math.max(1, Math.min(MAX_CHUNKS, Math.round(imageLength / CHUNK_FLOATS)));
  const chunks = grid.batch * chunksPerImage;
  return { imageLength, chunksPerImage, chunks, syncWords: SYNC_HEADER_WORDS + chunks };
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
 * short copies) until the claiming thread marks it ready. A calling thread
 * (`caller`) stops waiting after {@link CALLER_PIECE_WAIT_MS} and copies the
 * chunk itself, so a pool thread that dies mid-copy cannot hang it.
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
  const deadline = caller ? performance.now() + CALLER_PIECE_WAIT_MS : Infinity;
  while (Atomics.load(sync, word) !== PIECE_READY) {
    if (x !== null && performance.now() > deadline) {
      copyChunk(instance, staging, x, chunk);
      Atomics.store(sync, word, PIECE_READY);
      return;
    }
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

/**
 * Copies `rows` rows of `length` floats, `stride` apart, from `src` at `from`
 * to `dst` at `to`.
 */
function copyRows(src: Float32Array, from: number, dst: Float32Array, to: number, rows: number, length: number, stride: number): void {
  if (length >= SHORT_ROW) {
    for (let r = 0; r < rows; r++, from += stride, to += stride) dst.set(src.subarray(from, from + length), to);
    return;
  }
  for (let r = 0; r < rows; r++, from += stride, to += stride) {
    for (let i = 0; i < length; i++) dst[to + i] = src[from + i];
  }
}

/** Copies the outputs of `range` from the operator's memory into `out` (the caller's output, same layout). */
export function copyOutputRange(instance: WasmConvInstance, range: OutputRange, out: Float32Array): void {
  const g = instance.plan.geometry;
  const base = instance.layout.output / 4;
  const pixels = g.outHeight * g.outWidth;
  const co = g.outChannels;
  const { channelStart: c0, channelEnd: c1, pixelStart: p0, pixelEnd: p1 } = range;
  for (let n = range.batchStart; n < range.batchEnd; n++) {
    const image = n * co * pixels;
    if (g.outputLayout === 'NHWC') {
      if (c0 === 0 && c1 === co) {
        out.set(instance.f32.subarray(base + image + p0 * co, base + image + p1 * co), image + p0 * co);
      } else {
        copyRows(instance.f32, base + image + p0 * co + c0, out, image + p0 * co + c0, p1 - p0, c1 - c0, co);
      }
    } else if (p0 === 0 && p1 === pixels) {
      out.set(instance.f32.subarray(base + image + c0 * pixels, base + image + c1 * pixels), image + c0 * pixels);
    } else {
      copyRows(instance.f32, base + image + c0 * pixels + p0, out, image + c0 * pixels + p0, c1 - c0, p1 - p0, pixels);
    }
  }
}
