/**
 * Per-tile staging of a pooled WASM SIMD run: the input and output live in
 * the operator's shared WebAssembly memory, and instead of one serial copy of
 * the whole input in on the calling thread before the run, each tile's input
 * is copied in once per input piece by whichever thread needs it first (or,
 * when only the calling thread can read the input, by it piece by piece
 * while the pool threads start), and when the caller's `out` is on a
 * `SharedArrayBuffer` each tile's output is copied out by the thread that
 * computed it, right after.
 *
 * The run's shared `Int32Array` (`sync`) holds, after the tile counter at 0,
 * one state word per input piece ({@link PIECE_FREE} → {@link PIECE_COPYING}
 * → {@link PIECE_READY}). These are sequentially consistent `Atomics`
 * operations, so a thread that reads `PIECE_READY` also sees the copied data.
 */
import type { OutputRange, WasmConvInstance } from '@pointwise/backend-cpu-tiled';
import { pixelPieceStart, type WorkGrid } from './work-split.js';

export const PIECE_FREE = 0;
export const PIECE_COPYING = 1;
export const PIECE_READY = 2;

/**
 * How long the calling thread waits for an input piece another thread is
 * copying before it copies the piece itself (that thread may have died; if it
 * is merely slow, both write the same bits).
 */
const CALLER_PIECE_WAIT_MS = 20;

/**
 * NCHW pixel pieces are copied one channel row at a time; below this many
 * pixels per row the per-row cost (≈ 40 ns for `subarray` + `set`) makes that
 * slower than one copy of the image (measured: 1024 rows of 49 floats take
 * 1.6× as long as the same 200 K floats in one `set`).
 */
const MIN_PIECE_ROW = 1024;
/** Floats per input chunk when an image is copied in contiguous chunks (128 KiB: a few per image, so threads share the copy). */
const CHUNK_FLOATS = 32768;

/** Which input pieces a run's tiles read, and where the state words sit in `sync`. */
export interface StagingPlan {
  /**
   * `pixels`: input piece = the input pixels of one of the grid's pixel pieces
   * (output pixels read only their own input pixel: stride 1, no padding;
   * NHWC or long NCHW rows); a tile waits only for its own piece.
   * `chunks`: input piece = a contiguous chunk of one image's input; a tile
   * needs every chunk of its image (threads copy free chunks, then wait for the rest).
   */
  readonly mode: 'pixels' | 'chunks';
  readonly piecesPerImage: number;
  readonly pieces: number;
  /** Length of the run's `sync` array: tile counter, piece states. */
  readonly syncWords: number;
}

/** The staging plan of an operator's pooled runs over `grid`. */
export function planStaging(instance: WasmConvInstance, grid: WorkGrid): StagingPlan {
  const g = instance.plan.geometry;
  const pixelLocal = g.strideH === 1 && g.strideW === 1 && g.padTop === 0 && g.padLeft === 0 && g.padBottom === 0 && g.padRight === 0;
  const longRows = g.inputLayout === 'NHWC' || grid.pixels / grid.pixelTiles >= MIN_PIECE_ROW;
  const mode = pixelLocal && longRows && grid.pixelTiles > 1 ? 'pixels' : 'chunks';
  const imageLength = g.inChannels * g.inHeight * g.inWidth;
  const piecesPerImage = mode === 'pixels' ? grid.pixelTiles : Math.max(1, Math.min(16, Math.round(imageLength / CHUNK_FLOATS)));
  const pieces = grid.batch * piecesPerImage;
  return { mode, piecesPerImage, pieces, syncWords: 1 + pieces };
}

/** The image of tile `tile` of `grid`. */
function imageOfTile(grid: WorkGrid, tile: number): number {
  return Math.floor(tile / (grid.pixelTiles * grid.channelTiles));
}

/** Rows shorter than this are copied element by element (a `subarray` + `set` per row costs more). */
const SHORT_ROW = 32;

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

/** Copies input piece `piece` of `x` (the caller's input, in the operator's input layout) into the operator's memory. */
export function copyInputPiece(instance: WasmConvInstance, staging: StagingPlan, grid: WorkGrid, x: Float32Array, piece: number): void {
  const g = instance.plan.geometry;
  const base = instance.layout.input / 4;
  const n = Math.floor(piece / staging.piecesPerImage);
  const imageLength = g.inChannels * g.inHeight * g.inWidth;
  const image = n * imageLength;
  const p = piece - n * staging.piecesPerImage;
  if (staging.mode === 'chunks') {
    const from = image + Math.floor((p * imageLength) / staging.piecesPerImage);
    const to = image + Math.floor(((p + 1) * imageLength) / staging.piecesPerImage);
    instance.f32.set(x.subarray(from, to), base + from);
    return;
  }
  const p0 = pixelPieceStart(grid, p);
  const p1 = pixelPieceStart(grid, p + 1);
  if (g.inputLayout === 'NHWC') {
    const from = image + p0 * g.inChannels;
    instance.f32.set(x.subarray(from, image + p1 * g.inChannels), base + from);
  } else {
    copyRows(x, image + p0, instance.f32, base + image + p0, g.inChannels, p1 - p0, grid.pixels);
  }
}

/**
 * Makes input piece `piece` present in the operator's memory before a tile
 * reads it: copies it when no thread has claimed it and `x` is at hand, else
 * waits (spinning: pieces are short copies) until the claiming thread marks
 * it ready. A calling thread (`caller`) stops waiting after
 * {@link CALLER_PIECE_WAIT_MS} and copies the piece itself, so a pool thread
 * that dies mid-copy cannot hang it.
 *
 * @param x the caller's input, or `null` on a pool thread when it is not
 *   shared (the calling thread then copies every piece).
 */
function acquirePiece(
  instance: WasmConvInstance,
  staging: StagingPlan,
  grid: WorkGrid,
  sync: Int32Array,
  x: Float32Array | null,
  piece: number,
  caller: boolean,
): void {
  const word = 1 + piece;
  if (Atomics.load(sync, word) === PIECE_READY) return;
  if (x !== null && Atomics.compareExchange(sync, word, PIECE_FREE, PIECE_COPYING) === PIECE_FREE) {
    try {
      copyInputPiece(instance, staging, grid, x, piece);
    } finally {
      // Also after a failed copy, so no thread waits for ever; the run rejects with the error.
      Atomics.store(sync, word, PIECE_READY);
    }
    return;
  }
  const deadline = caller ? performance.now() + CALLER_PIECE_WAIT_MS : Infinity;
  while (Atomics.load(sync, word) !== PIECE_READY) {
    if (x !== null && performance.now() > deadline) {
      copyInputPiece(instance, staging, grid, x, piece);
      Atomics.store(sync, word, PIECE_READY);
      return;
    }
  }
}

/**
 * Makes the input tile `tile` reads present in the operator's memory (see
 * {@link acquirePiece}): its pixel piece, or every chunk of its image — first
 * copying the chunks no thread has claimed, then waiting for the others.
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
  const n = imageOfTile(grid, tile);
  if (staging.mode === 'pixels') {
    const piece = n * staging.piecesPerImage + Math.floor((tile - n * grid.pixelTiles * grid.channelTiles) / grid.channelTiles);
    acquirePiece(instance, staging, grid, sync, x, piece, caller);
    return;
  }
  const first = n * staging.piecesPerImage;
  const end = first + staging.piecesPerImage;
  if (x !== null) {
    for (let piece = first; piece < end; piece++) {
      if (Atomics.load(sync, 1 + piece) === PIECE_FREE) acquirePiece(instance, staging, grid, sync, x, piece, caller);
    }
  }
  for (let piece = first; piece < end; piece++) acquirePiece(instance, staging, grid, sync, x, piece, caller);
}

/** The calling thread's copy of every input piece, in tile order, for an input only it can read. */
export function copyAllInputPieces(instance: WasmConvInstance, staging: StagingPlan, grid: WorkGrid, sync: Int32Array, x: Float32Array): void {
  try {
    for (let piece = 0; piece < staging.pieces; piece++) acquirePiece(instance, staging, grid, sync, x, piece, true);
  } finally {
    // After a failure too: pool threads that cannot read `x` would otherwise wait for ever (the run rejects).
    for (let piece = 0; piece < staging.pieces; piece++) Atomics.store(sync, 1 + piece, PIECE_READY);
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
