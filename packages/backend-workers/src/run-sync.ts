/**
 * The shared words of a pooled run — their layout, their states and every
 * wait on them with its deadline. Nothing else in the package reads or
 * writes a run's `sync` array except through this module (the pool posts it,
 * the operator and the pool threads pass it here).
 *
 * ## Layout (`Int32Array` on a `SharedArrayBuffer`, all 0 when a run is posted)
 *
 * | words                       | what                                                            |
 * |-----------------------------|-----------------------------------------------------------------|
 * | `NEXT_TILE` (0)             | next tile to take (`Atomics.add`; grows to tiles + threads)     |
 * | `TILES_DONE` (1)            | tiles computed (`Atomics.add` after the tile's writes)          |
 * | `inputWord` … `+ chunks`    | one state per input chunk (kernels that own their memory)       |
 * | `outputWord` … `+ outputChunks` | one state per output chunk (kernels that own their memory)  |
 * | `control` … `+ pool size`   | one control word per pool slot                                  |
 * | `threadTiles` … `+ pool size` | tiles each pool slot computed (stored before its `DONE`)       |
 *
 * ## States
 *
 * | word          | states                                              | who moves it                                  |
 * |---------------|-----------------------------------------------------|-----------------------------------------------|
 * | input chunk   | `PIECE_FREE` → `PIECE_COPYING` → `PIECE_READY`      | the thread that claims it (CAS), any thread after {@link PIECE_WAIT_MS} |
 * | output chunk  | `PIECE_FREE` → `PIECE_COPYING` → `PIECE_READY`      | the thread that claims it once every tile is done; the caller after the replies |
 * | control       | `POSTED` → `RUNNING` → `DONE` \| `FAILED`; `POSTED` → `CANCELLED` | pool: posts, cancels a dead thread's unstarted part; thread: begins / ends; caller: cancels, sets `WAIT` |
 *
 * A control word is `state | WAIT | token << 4`: bits 0-2 the state, bit 3
 * `WAIT` (the calling thread awaits a reply message), bits 4-30 the run's
 * token (1 … 2^26; a stale message for a reused `sync` array never matches).
 * A thread starts a run only by moving its word from `POSTED` with the
 * message's token to `RUNNING`, and posts a reply only when it failed or the
 * caller set `WAIT`; the caller, once every tile is counted as done, cancels
 * threads that have not started and reads `DONE` from those that finished,
 * so a run settles without a turn of the event loop (replies would pile up
 * unread in a caller's tight `await` loop). All are sequentially consistent
 * `Atomics` operations: a thread that reads `PIECE_READY`, or the full tile
 * count, also sees the data written before.
 *
 * ## Deadlines
 *
 * The two waits on the tile count (`TILES_DONE`, notified after every add)
 * spin for {@link SPIN_BEFORE_BLOCK_MS}, then block in `Atomics.wait` where
 * the thread may (`blocking-wait.ts`: pool threads everywhere, Node's main
 * thread; a browser page's main thread spins throughout). A wait for an input
 * chunk (notified when it is marked ready) spins for {@link PIECE_SPIN_MS},
 * then blocks the same way: a calling thread copies a 3 MB input in about
 * 0.3 ms, which the spin covers, but a pool thread that shares the calling
 * thread's core (a loaded machine) must not spin while that thread copies.
 * The calling thread's waits for output chunks (notified when ready) and for
 * a pool thread's `DONE` (notified by {@link endRun}) spin 50 µs, then block.
 *
 * | constant                      | ms     | wait                                                              |
 * |-------------------------------|--------|-------------------------------------------------------------------|
 * | {@link PIECE_WAIT_MS}         | 20     | a thread that can read the input, for a chunk another is copying; then copies it itself |
 * | {@link UNREADABLE_PIECE_WAIT_MS} | 60 000 | a pool thread that cannot read the input, for the caller's copy; then fails the run |
 * | {@link POOL_TILE_WAIT_MS}     | 20     | a pool thread out of tiles, for the others' last tiles before it shares the output copy (spin, then block); then answers without copying |
 * | {@link CALLER_CHUNK_WAIT_MS}  | 5      | the caller, for output chunks others are copying; then awaits replies |
 * | {@link CALLER_SPIN_MS}        | 5      | the caller out of tiles, for the pool's last tiles (spin, then block where allowed) and control words; then awaits replies |
 *
 * (The pool's own deadlines — ready, stall, terminate — are timers, not
 * spins, and live in `thread-pool.ts`.)
 *
 * Input staging: a memory-owning kernel reads its input from its own
 * (shared WebAssembly) memory, so a run copies the caller's input in, cut
 * into chunks per image; a thread about to compute a tile of an image first
 * copies every chunk of that image nobody has claimed, then waits until the
 * others are in. A shared input is copied by the pool threads; a plain one
 * only the calling thread can read, and it copies every chunk right after
 * posting, while the pool threads wake up. Output: a shared `out` is copied
 * out by all threads in contiguous chunks once every tile is done (V8 copies
 * out of shared memory at about half speed, so one serial copy weighs on
 * layers with a large output); a plain one by the calling thread alone.
 */
import type { BoundKernel, KernelMemory } from '@pointwise/backend-cpu-tiled/kernel';
import type { Conv1x1Geometry } from '@pointwise/core';
import { SPIN_BEFORE_BLOCK_MS, waitUntil } from './blocking-wait.js';
import { emptyRange, tileCount, tileRange, type WorkGrid } from './work-split.js';

/** Word of the next tile to take. */
export const NEXT_TILE = 0;
/** Word of the tiles computed so far. */
export const TILES_DONE = 1;
/** Words before any chunk state. */
const HEADER_WORDS = 2;

/** Chunk states (input and output chunks). */
export const PIECE_FREE = 0;
export const PIECE_COPYING = 1;
export const PIECE_READY = 2;

/** Control-word states (bits 0-2). */
export const STATE_MASK = 7;
export const POSTED = 0;
export const RUNNING = 1;
export const DONE = 2;
export const FAILED = 3;
export const CANCELLED = 4;
/** The calling thread awaits a reply message. */
export const WAIT = 8;
const TOKEN_SHIFT = 4;
/** Tokens cycle through 1 … 2^26 (they fit bits 4-30 of an int32 word, never 0 and never negative). */
const TOKEN_MAX = 1 << 26;

/** How long a thread that can read the input waits for a chunk another thread is copying before it copies it itself (that thread may have died; if merely slow, both write the same bits). */
export const PIECE_WAIT_MS = 20;
/** How long a wait for an input chunk spins before it blocks (ms): longer than the copy of a few MB, so an unloaded machine never pays a wake-up there. */
export const PIECE_SPIN_MS = 0.5;
/** How long a pool thread that cannot read the input waits for a chunk (the caller copies them all right after posting, and marks them ready even when it fails) before it fails the run. */
export const UNREADABLE_PIECE_WAIT_MS = 60_000;
/** How long a pool thread out of tiles waits for the other threads' last tiles before it answers without copying output (a tile of the largest benchmark layer takes ≈ 5 ms; a failed thread never completes its tile). */
export const POOL_TILE_WAIT_MS = 20;
/** How long the calling thread spins for output chunks other threads are copying before it awaits their replies instead. */
export const CALLER_CHUNK_WAIT_MS = 5;
/** How long a calling thread out of tiles spins for the pool threads' last tiles (and their control words) before it awaits their replies instead. */
export const CALLER_SPIN_MS = 5;

/** Floats per input chunk (128 KiB): a few per image, so threads share the copy of all but the smallest inputs. */
const CHUNK_FLOATS = 32768;
/** At most this many input chunks per image (each costs a claim and a `set`). */
const MAX_CHUNKS = 16;
/** Floats per output chunk (128 KiB, as the input's). */
const OUTPUT_CHUNK_FLOATS = 32768;
/** At most this many output chunks per run. */
const MAX_OUTPUT_CHUNKS = 32;

/** Where everything sits in the `sync` array of an operator's pooled runs, and how its input and output are chunked. */
export interface SyncLayout {
  /** Floats of one image's input. */
  readonly imageLength: number;
  readonly chunksPerImage: number;
  /** Input chunks of the whole batch (0 for a kernel without memory). */
  readonly chunks: number;
  /** Floats of the whole output (all images). */
  readonly outputLength: number;
  /** Contiguous chunks of the whole output, for a shared `out` (0 for a kernel without memory). */
  readonly outputChunks: number;
  /** Index of the first input chunk's state. */
  readonly inputWord: number;
  /** Index of the first output chunk's state. */
  readonly outputWord: number;
  /** Index of pool slot 0's control word (slot `i` uses `control + i`). */
  readonly control: number;
  /** Index of the word where pool slot 0 stores the tiles it computed (slot `i` uses `threadTiles + i`). */
  readonly threadTiles: number;
  /** Length of the array. */
  readonly words: number;
}

/**
 * The sync layout of an operator's pooled runs over `grid`.
 * @param ownsMemory whether the kernel stages its input and copies its output (chunk states), see `BoundKernel.memory`.
 * @param poolSlots threads of the pool (one control word each).
 */
export function planSyncLayout(geometry: Conv1x1Geometry, grid: WorkGrid, ownsMemory: boolean, poolSlots: number): SyncLayout {
  const imageLength = geometry.inChannels * geometry.inHeight * geometry.inWidth;
  const chunksPerImage = ownsMemory ? Math.max(1, Math.min(MAX_CHUNKS, Math.round(imageLength / CHUNK_FLOATS))) : 0;
  const chunks = grid.batch * chunksPerImage;
  const outputLength = grid.batch * geometry.outChannels * geometry.outHeight * geometry.outWidth;
  const outputChunks = ownsMemory ? Math.max(1, Math.min(MAX_OUTPUT_CHUNKS, Math.round(outputLength / OUTPUT_CHUNK_FLOATS))) : 0;
  const inputWord = HEADER_WORDS;
  const outputWord = inputWord + chunks;
  const control = outputWord + outputChunks;
  const threadTiles = control + poolSlots;
  return { imageLength, chunksPerImage, chunks, outputLength, outputChunks, inputWord, outputWord, control, threadTiles, words: threadTiles + poolSlots };
}

/** One pooled run as a thread sees it while it takes tiles. */
export interface TileRun {
  readonly grid: WorkGrid;
  readonly layout: SyncLayout;
  readonly sync: Int32Array;
  /**
   * The run's input and output in the operator's layouts. A kernel without
   * memory always gets shared arrays. A memory-owning kernel gets the
   * caller's input where this thread can read it (the calling thread always,
   * pool threads when it is on a `SharedArrayBuffer`; `null` otherwise) and
   * the caller's output when it is on a `SharedArrayBuffer` (`null`
   * otherwise: the calling thread copies it alone).
   */
  readonly x: Float32Array | null;
  readonly out: Float32Array | null;
}

// ---------------------------------------------------------------- tiles

/**
 * Takes tiles of one run (`sync[NEXT_TILE]`, atomically incremented) until
 * none is left, stages each tile's input (a memory-owning kernel), runs the
 * kernel on it and counts it in `sync[TILES_DONE]` (a sequentially
 * consistent add after the tile's writes, so a thread that reads the full
 * count sees every output); the same loop on pool threads and on a calling
 * thread that computes too.
 * @param afterTile called after each tile, before it is counted as done (instrumentation, fault injection).
 * @returns the number of tiles this thread computed.
 */
export function runTiles(kernel: BoundKernel, run: TileRun, afterTile?: (tile: number) => void): number {
  const tiles = tileCount(run.grid);
  const range = emptyRange();
  const { sync } = run;
  const memory = kernel.memory;
  let done = 0;
  for (let tile = Atomics.add(sync, NEXT_TILE, 1); tile < tiles; tile = Atomics.add(sync, NEXT_TILE, 1)) {
    tileRange(run.grid, tile, range);
    if (memory !== null) {
      acquireTileInput(memory, run, tile);
      kernel.runRange(range, null, null);
    } else {
      kernel.runRange(range, run.x, run.out);
    }
    // Before the tile counts as done: a hook that throws fails the run like a kernel error.
    afterTile?.(tile);
    Atomics.add(sync, TILES_DONE, 1);
    // Wakes a thread blocked on the count (a caller in `allTilesDone`, a pool thread in `finishRun`).
    Atomics.notify(sync, TILES_DONE);
    done++;
  }
  return done;
}

/**
 * Waits until `tiles` tiles are counted as computed, up to {@link CALLER_SPIN_MS}
 * (spinning, then blocking where this thread may: `blocking-wait.ts`); whether they all are.
 */
export function allTilesDone(sync: Int32Array, tiles: number): boolean {
  return waitForTiles(sync, tiles, performance.now() + CALLER_SPIN_MS);
}

/** Waits until `tiles` tiles are counted as computed or `deadline` (`performance.now()` ms) passes; whether they all are. */
function waitForTiles(sync: Int32Array, tiles: number, deadline: number): boolean {
  return waitUntil(sync, TILES_DONE, (done) => done >= tiles, deadline);
}

/** Whether a chunk word says the chunk is in place. */
const isReady = (state: number): boolean => state === PIECE_READY;

/** Tiles counted as computed (a sequentially consistent read: every counted tile's writes are visible after it). */
export function tilesDone(sync: Int32Array): number {
  return Atomics.load(sync, TILES_DONE);
}

// ---------------------------------------------------------------- input chunks

/** Copies input chunk `chunk` of `x` into the kernel's memory. */
function copyChunk(memory: KernelMemory, layout: SyncLayout, x: Float32Array, chunk: number): void {
  const { imageLength, chunksPerImage } = layout;
  const n = Math.floor(chunk / chunksPerImage);
  const c = chunk - n * chunksPerImage;
  memory.stageInput(x, n * imageLength + Math.floor((c * imageLength) / chunksPerImage), n * imageLength + Math.floor(((c + 1) * imageLength) / chunksPerImage));
}

/** Marks chunk word `word` (input or output) ready and wakes the threads blocked on it. */
function markChunkReady(sync: Int32Array, word: number): void {
  Atomics.store(sync, word, PIECE_READY);
  Atomics.notify(sync, word);
}

/**
 * Makes chunk `chunk` present in the kernel's memory: copies it when no
 * thread has claimed it and `x` is at hand, else waits until the claiming
 * thread marks it ready (spinning for {@link PIECE_SPIN_MS}, then blocking
 * where this thread may; see the deadlines).
 * @throws {Error} when a chunk only the calling thread can copy is not ready in time.
 */
function acquireChunk(memory: KernelMemory, layout: SyncLayout, sync: Int32Array, x: Float32Array | null, chunk: number): void {
  const word = layout.inputWord + chunk;
  if (Atomics.load(sync, word) === PIECE_READY) return;
  if (x !== null && Atomics.compareExchange(sync, word, PIECE_FREE, PIECE_COPYING) === PIECE_FREE) {
    try {
      copyChunk(memory, layout, x, chunk);
    } finally {
      // Also after a failed copy, so no thread waits for ever; the run rejects with the error.
      markChunkReady(sync, word);
    }
    return;
  }
  const deadline = performance.now() + (x !== null ? PIECE_WAIT_MS : UNREADABLE_PIECE_WAIT_MS);
  if (waitUntil(sync, word, isReady, deadline, PIECE_SPIN_MS)) return;
  if (x === null) throw new Error(`input chunk ${chunk} was not staged within ${UNREADABLE_PIECE_WAIT_MS} ms`);
  copyChunk(memory, layout, x, chunk);
  markChunkReady(sync, word);
}

/**
 * Makes the input of tile `tile`'s image present in the kernel's memory:
 * copies the chunks of that image no thread has claimed, then waits for the others.
 */
export function acquireTileInput(memory: KernelMemory, run: TileRun, tile: number): void {
  const { grid, layout, sync, x } = run;
  const first = Math.floor(tile / (grid.pixelTiles * grid.channelTiles)) * layout.chunksPerImage;
  const end = first + layout.chunksPerImage;
  if (x !== null) {
    for (let chunk = first; chunk < end; chunk++) {
      if (Atomics.load(sync, layout.inputWord + chunk) === PIECE_FREE) acquireChunk(memory, layout, sync, x, chunk);
    }
  }
  for (let chunk = first; chunk < end; chunk++) acquireChunk(memory, layout, sync, x, chunk);
}

/** The calling thread's copy of every input chunk, in order, for an input only it can read. */
export function copyAllInputChunks(memory: KernelMemory, layout: SyncLayout, sync: Int32Array, x: Float32Array): void {
  try {
    for (let chunk = 0; chunk < layout.chunks; chunk++) acquireChunk(memory, layout, sync, x, chunk);
  } finally {
    // After a failure too: pool threads that cannot read `x` would otherwise wait for ever (the run rejects).
    for (let chunk = 0; chunk < layout.chunks; chunk++) markChunkReady(sync, layout.inputWord + chunk);
  }
}

/**
 * Marks every input chunk ready without copying: the run's input already is
 * the kernel's input region (a zero-copy tensor of `createInput`). Called
 * before the run is posted, so no pool thread waits for it.
 */
export function markInputStaged(layout: SyncLayout, sync: Int32Array): void {
  for (let chunk = 0; chunk < layout.chunks; chunk++) markChunkReady(sync, layout.inputWord + chunk);
}

// ---------------------------------------------------------------- output chunks

/** Copies output chunk `chunk` from the kernel's memory into `out`. */
function copyOutputChunk(memory: KernelMemory, layout: SyncLayout, out: Float32Array, chunk: number): void {
  const { outputLength, outputChunks } = layout;
  memory.copyOutput(out, Math.floor((chunk * outputLength) / outputChunks), Math.floor(((chunk + 1) * outputLength) / outputChunks));
}

/** Copies every output chunk no thread has claimed yet; `afterChunk` after each, before it is marked ready (fault injection). */
function copyFreeChunks(memory: KernelMemory, layout: SyncLayout, sync: Int32Array, out: Float32Array, afterChunk?: (chunk: number) => void): void {
  for (let chunk = 0; chunk < layout.outputChunks; chunk++) {
    const word = layout.outputWord + chunk;
    if (Atomics.load(sync, word) !== PIECE_FREE) continue;
    if (Atomics.compareExchange(sync, word, PIECE_FREE, PIECE_COPYING) !== PIECE_FREE) continue;
    try {
      copyOutputChunk(memory, layout, out, chunk);
      afterChunk?.(chunk);
    } finally {
      // Also after a failure, so the calling thread does not wait for it; the run rejects with the error.
      markChunkReady(sync, word);
    }
  }
}

/**
 * A pool thread's part after it found no tile left (memory-owning kernels,
 * shared `out` only): waits up to {@link POOL_TILE_WAIT_MS} until every tile
 * is counted as done, then copies the output chunks nobody has claimed.
 */
export function finishRun(kernel: BoundKernel, run: TileRun, afterChunk?: (chunk: number) => void): void {
  const { out, sync, layout } = run;
  if (out === null || kernel.memory === null) return;
  const tiles = tileCount(run.grid);
  if (!waitForTiles(sync, tiles, performance.now() + POOL_TILE_WAIT_MS)) return;
  copyFreeChunks(kernel.memory, layout, sync, out, afterChunk);
}

/**
 * The calling thread's share of the output copy once every tile is done:
 * copies the chunks nobody has claimed, then waits up to
 * {@link CALLER_CHUNK_WAIT_MS} for those other threads are copying
 * (spinning 50 µs, then blocking where it may: each is notified when ready).
 * @returns whether every chunk is in `out` (else the caller awaits the replies and calls {@link copyRemainingOutputChunks}).
 */
export function callerOutputCopy(memory: KernelMemory, layout: SyncLayout, sync: Int32Array, out: Float32Array): boolean {
  copyFreeChunks(memory, layout, sync, out);
  const end = performance.now() + CALLER_CHUNK_WAIT_MS;
  for (let chunk = 0; chunk < layout.outputChunks; chunk++) {
    if (!waitUntil(sync, layout.outputWord + chunk, isReady, end)) return false;
  }
  return true;
}

/**
 * After every thread of the run has answered: copies each output chunk not
 * yet in `out`. No other thread writes `out` any more, so claimed-but-not-ready chunks are copied too.
 */
export function copyRemainingOutputChunks(memory: KernelMemory, layout: SyncLayout, sync: Int32Array, out: Float32Array): void {
  for (let chunk = 0; chunk < layout.outputChunks; chunk++) {
    const word = layout.outputWord + chunk;
    if (Atomics.load(sync, word) === PIECE_READY) continue;
    copyOutputChunk(memory, layout, out, chunk);
    Atomics.store(sync, word, PIECE_READY);
  }
}

// ---------------------------------------------------------------- control words

/** The token of the `n`th run (any integer ≥ 0), in 1 … 2^26. */
export function tokenOf(n: number): number {
  return (n % TOKEN_MAX) + 1;
}

/** The word a run is posted with. */
export function postedWord(token: number): number {
  return token << TOKEN_SHIFT;
}

/** The state bits of a control word. */
export function stateOf(word: number): number {
  return word & STATE_MASK;
}

function tokenField(word: number): number {
  return word >>> TOKEN_SHIFT;
}

/** Marks pool slot `slot`'s control word of a run as posted with `token` (before the message goes out). */
export function postControl(sync: Int32Array, control: number, slot: number, token: number): void {
  Atomics.store(sync, control + slot, postedWord(token));
}

/** Tiles done plus the state bits of the given slots' control words: changes whenever the run moves on (the stall watchdog's measure). */
export function progressOf(sync: Int32Array, control: number, slots: Iterable<number>): number {
  let sum = Atomics.load(sync, TILES_DONE);
  for (const slot of slots) sum += Atomics.load(sync, control + slot) & STATE_MASK;
  return sum;
}

/** Whether pool slot `slot` is running the run now. */
export function isRunning(sync: Int32Array, control: number, slot: number): boolean {
  return stateOf(Atomics.load(sync, control + slot)) === RUNNING;
}

/** Whether pool slot `slot` has not started the run yet (its word is still `POSTED`: the message is unread or queued behind others). */
export function isUnstarted(sync: Int32Array, control: number, slot: number): boolean {
  return stateOf(Atomics.load(sync, control + slot)) === POSTED;
}

/**
 * A pool thread's start of a run: moves its word from `POSTED` to `RUNNING`.
 * @returns false when the run was cancelled, or the word belongs to a later run (a stale message): skip it, reply nothing.
 */
export function beginRun(sync: Int32Array, index: number, token: number): boolean {
  for (;;) {
    const word = Atomics.load(sync, index);
    if (tokenField(word) !== token || stateOf(word) !== POSTED) return false;
    if (Atomics.compareExchange(sync, index, word, (word & ~STATE_MASK) | RUNNING) === word) return true;
  }
}

/**
 * A pool thread's count of the tiles it computed, stored before {@link endRun}
 * (whose sequentially consistent exchange publishes it with the `DONE` state).
 */
export function recordThreadTiles(sync: Int32Array, layout: SyncLayout, slot: number, tiles: number): void {
  Atomics.store(sync, layout.threadTiles + slot, tiles);
}

/** Tiles pool slot `slot` computed in the run (0 when it never started; read after its `DONE` or `CANCELLED`). */
export function threadTilesOf(sync: Int32Array, layout: SyncLayout, slot: number): number {
  return Atomics.load(sync, layout.threadTiles + slot);
}

/**
 * A pool thread's end of a run it began: `DONE` or `FAILED`; wakes a calling
 * thread blocked in {@link waitWhileRunning}.
 * @returns whether the calling thread waits for a reply (it always gets one for a failure).
 */
export function endRun(sync: Int32Array, index: number, failed: boolean): boolean {
  for (;;) {
    const word = Atomics.load(sync, index);
    if (Atomics.compareExchange(sync, index, word, (word & ~STATE_MASK) | (failed ? FAILED : DONE)) === word) {
      Atomics.notify(sync, index);
      return failed || (word & WAIT) !== 0;
    }
  }
}

/**
 * The calling thread, every tile counted: waits while pool slot word `index`
 * is `RUNNING` (the thread is between its last tile and {@link endRun}), until
 * `deadline` (`performance.now()` ms) — spinning 50 µs, then blocking where it
 * may, so a thread preempted there on a loaded machine is not kept off a core
 * by a caller spinning on it. Returns once the word is no longer `RUNNING` or the deadline passed.
 */
export function waitWhileRunning(sync: Int32Array, index: number, deadline: number): void {
  waitUntil(sync, index, (word) => stateOf(word) !== RUNNING, deadline);
}

/** What the calling thread learnt about one thread of its run. */
export const Outcome = {
  /** It finished without failing, or never started and never will: no reply comes. */
  Settled: 0,
  /** A reply message will come (it failed, or it is running and now knows the caller waits). */
  Reply: 1,
  /** Still running (only from {@link settleWithoutReply}). */
  Running: 2,
} as const;
/** One of {@link Outcome}'s values. */
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

/**
 * Once every tile of the run is counted as done: cancels a thread that has not
 * started, or reads that it finished. Never waits.
 */
export function settleWithoutReply(sync: Int32Array, index: number): Outcome {
  for (;;) {
    const word = Atomics.load(sync, index);
    switch (stateOf(word)) {
      case POSTED:
        if (Atomics.compareExchange(sync, index, word, (word & ~STATE_MASK) | CANCELLED) === word) return Outcome.Settled;
        continue;
      case RUNNING:
        return Outcome.Running;
      case FAILED:
        return Outcome.Reply;
      default:
        // DONE (a reply comes only if WAIT was set earlier) or CANCELLED.
        return (word & WAIT) !== 0 && stateOf(word) === DONE ? Outcome.Reply : Outcome.Settled;
    }
  }
}

/**
 * The pool, on a thread's death: cancels its part of a run it never started
 * (word still `POSTED`). Such a thread took no tile and wrote nothing of the
 * run, so the run's other threads can still complete it.
 * @returns whether the word was moved from `POSTED` to `CANCELLED`.
 */
export function cancelIfUnstarted(sync: Int32Array, index: number): boolean {
  for (;;) {
    const word = Atomics.load(sync, index);
    if (stateOf(word) !== POSTED) return false;
    if (Atomics.compareExchange(sync, index, word, (word & ~STATE_MASK) | CANCELLED) === word) return true;
  }
}

/**
 * The calling thread will await replies: sets `WAIT` on a thread that has not
 * finished (`cancel`: and cancels one that has not started — only when the
 * run's tiles no longer need it).
 */
export function requestReply(sync: Int32Array, index: number, cancel: boolean): Outcome {
  for (;;) {
    const word = Atomics.load(sync, index);
    const state = stateOf(word);
    if (state === CANCELLED) return Outcome.Settled;
    if (state === FAILED) return Outcome.Reply;
    if (state === DONE) return (word & WAIT) !== 0 ? Outcome.Reply : Outcome.Settled;
    if (state === POSTED && cancel) {
      if (Atomics.compareExchange(sync, index, word, (word & ~STATE_MASK) | CANCELLED) === word) return Outcome.Settled;
      continue;
    }
    if (Atomics.compareExchange(sync, index, word, word | WAIT) === word) return Outcome.Reply;
  }
}
