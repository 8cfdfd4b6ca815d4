/**
 * Waiting on a shared word without taking a core from the threads that
 * work: spin briefly (the answer usually comes within microseconds, and a
 * spin sees it at once), then block in `Atomics.wait` until the word
 * changes or the deadline passes. A thread that only spun kept its core
 * busy for the whole wait — on a machine with as many busy threads as cores
 * (two cores, the page's or the process's other threads, other processes),
 * the spinning thread's core is the one the awaited thread needs.
 *
 * `Atomics.wait` may block Node's main thread and worker threads, and
 * browsers' Web Workers, but not a browser page's main thread (it throws
 * there): that thread spins for the whole wait, as before.
 *
 * Whoever changes an awaited word calls `Atomics.notify` on it after the
 * change (the pool's bell, `TILES_DONE` in `run-sync.ts`).
 */

/** How long a wait spins before it blocks (ms): covers a reply that is already on its way without a futex round trip. */
export const SPIN_BEFORE_BLOCK_MS = 0.05;

let blockingAllowed: boolean | undefined;

/**
 * Whether this thread may block in `Atomics.wait` (false on a browser
 * page's main thread, where it throws; true in Node and in Web Workers).
 * Decided once per thread by a zero-timeout wait on a private word.
 */
export function canBlock(): boolean {
  if (blockingAllowed === undefined) {
    try {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
      blockingAllowed = true;
    } catch {
      blockingAllowed = false;
    }
  }
  return blockingAllowed;
}

/**
 * Waits while `Atomics.load(words, index) === value`, until `deadline`
 * (a `performance.now()` time, ms): spins for up to `spinMs`, then blocks
 * in `Atomics.wait` (woken by `Atomics.notify` on the word) where
 * {@link canBlock}, else keeps spinning.
 * @param words an `Int32Array` on a `SharedArrayBuffer`.
 * @param spinMs how long to spin before blocking (ms ≥ 0; default {@link SPIN_BEFORE_BLOCK_MS}).
 * @returns true when the word differs from `value`, false when the deadline passed first.
 */
export function waitWhileEqual(words: Int32Array, index: number, value: number, deadline: number, spinMs = SPIN_BEFORE_BLOCK_MS): boolean {
  if (Atomics.load(words, index) !== value) return true;
  const spinEnd = Math.min(deadline, performance.now() + spinMs);
  while (Atomics.load(words, index) === value) {
    if (performance.now() >= spinEnd) break;
  }
  if (!canBlock()) {
    while (Atomics.load(words, index) === value) {
      if (performance.now() >= deadline) return false;
    }
    return true;
  }
  for (;;) {
    if (Atomics.load(words, index) !== value) return true;
    const left = deadline - performance.now();
    if (left <= 0) return false;
    // 'not-equal' or 'ok' (notified): the loop rereads the word; 'timed-out': the deadline check ends it.
    Atomics.wait(words, index, value, left);
  }
}

/**
 * Waits until `done(Atomics.load(words, index))` holds or `deadline` (a
 * `performance.now()` time, ms) passes, the word moving through any number of
 * values meanwhile: {@link waitWhileEqual} on each value, the spin's share
 * (`spinMs`) counted from the start of the whole wait, not from each change.
 * @returns whether `done` held before the deadline.
 */
export function waitUntil(words: Int32Array, index: number, done: (word: number) => boolean, deadline: number, spinMs = SPIN_BEFORE_BLOCK_MS): boolean {
  const spinEnd = performance.now() + spinMs;
  for (let word = Atomics.load(words, index); !done(word); word = Atomics.load(words, index)) {
    if (!waitWhileEqual(words, index, word, deadline, Math.max(0, spinEnd - performance.now()))) return false;
  }
  return true;
}
