/**
 * Shared memory for runs: which caller arrays can go to the threads as they
 * are, and the reusable staging buffers for those that cannot.
 */

/** True when `array` sits on a `SharedArrayBuffer` (threads can then read and write it in place). */
export function isShared(array: ArrayBufferView): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && array.buffer instanceof SharedArrayBuffer;
}

/** A zero-filled `Float32Array` of `length` elements on a new `SharedArrayBuffer`. */
export function sharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));
}

/**
 * The per-run shared memory of one operator: the run's `sync` words (see `run-sync.ts`), and staging
 * copies of the input and output for callers whose tensors are not shared.
 * Staging arrays are created on first need and kept for the next run.
 */
export interface RunBuffers {
  /** The run's shared words, laid out by `run-sync.ts` (`syncWords` words, all 0 when acquired). */
  readonly sync: Int32Array;
  stagedInput: Float32Array | null;
  stagedOutput: Float32Array | null;
}

/** Bytes and counts of the copies made because a caller's tensor was not shared. */
export interface CopyStats {
  /** Runs whose input was copied into shared memory / whose output was copied back. */
  copiesIn: number;
  copiesOut: number;
  /** Bytes copied in both directions. */
  bytesCopied: number;
}

/** Buffer sets kept for reuse per operator (its pooled runs take turns, so one is in use at a time). */
const MAX_FREE_BUFFERS = 2;

/**
 * A free list of {@link RunBuffers} for one operator: in steady state a run
 * allocates nothing, and at most {@link MAX_FREE_BUFFERS} sets are kept.
 */
export class RunBufferPool {
  readonly #inputLength: number;
  readonly #outputLength: number;
  readonly #syncWords: number;
  readonly #stats: { runBuffersCreated: number };
  #free: RunBuffers[] = [];

  /**
   * @param inputLength / outputLength element counts of the operator's input and output.
   * @param syncWords length of each run's `sync` array (`SyncLayout.words`).
   * @param stats counts each set allocated in `runBuffersCreated`.
   */
  constructor(inputLength: number, outputLength: number, syncWords: number, stats: { runBuffersCreated: number }) {
    this.#inputLength = inputLength;
    this.#outputLength = outputLength;
    this.#syncWords = syncWords;
    this.#stats = stats;
  }

  /**
   * A set of buffers with its `sync` array reset to 0 (posting the run then
   * publishes the reset to the threads; a control word of 0 matches no run's
   * token, so a stale message of an earlier run on these buffers is skipped).
   * @throws {RangeError} when the shared memory cannot be allocated.
   */
  acquire(): RunBuffers {
    let buffers = this.#free.pop();
    if (buffers === undefined) {
      buffers = { sync: new Int32Array(new SharedArrayBuffer(this.#syncWords * Int32Array.BYTES_PER_ELEMENT)), stagedInput: null, stagedOutput: null };
      this.#stats.runBuffersCreated++;
    }
    buffers.sync.fill(0);
    // A threads' first atomic read of word 0 synchronises with this store, so it sees the whole reset.
    Atomics.store(buffers.sync, 0, 0);
    return buffers;
  }

  /** Returns buffers once no thread of their run can touch them any more. */
  release(buffers: RunBuffers): void {
    if (this.#free.length < MAX_FREE_BUFFERS) this.#free.push(buffers);
  }

  /** Drops the kept buffers (the operator was disposed). */
  clear(): void {
    this.#free = [];
  }

  /**
   * The input as the threads will read it: `x` itself when shared, else a
   * copy in `buffers`' staging input (counted in `stats`).
   * @throws {RangeError} when the staging memory cannot be allocated.
   */
  input(buffers: RunBuffers, x: Float32Array, stats: CopyStats): Float32Array {
    if (isShared(x)) return x;
    buffers.stagedInput ??= sharedFloat32(this.#inputLength);
    buffers.stagedInput.set(x);
    stats.copiesIn++;
    stats.bytesCopied += x.byteLength;
    return buffers.stagedInput;
  }

  /**
   * Where the threads will write: `out` itself when shared, else `buffers`' staging output.
   * @throws {RangeError} when the staging memory cannot be allocated.
   */
  output(buffers: RunBuffers, out: Float32Array): Float32Array {
    if (isShared(out)) return out;
    buffers.stagedOutput ??= sharedFloat32(this.#outputLength);
    return buffers.stagedOutput;
  }

  /** Copies a staged output back into the caller's `out` (counted); nothing when `out` was written in place. */
  finish(written: Float32Array, out: Float32Array, stats: CopyStats): void {
    if (written === out) return;
    out.set(written);
    stats.copiesOut++;
    stats.bytesCopied += out.byteLength;
  }
}
