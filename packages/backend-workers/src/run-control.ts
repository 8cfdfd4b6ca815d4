/**
 * How a pooled run settles without waiting for a reply message.
 *
 * A reply posted by a pool thread reaches the calling thread only on a turn of
 * its event loop (a macrotask). A caller that awaits runs in a tight loop
 * (`for (…) await op.run(x, out)`) resolves each run from the shared tile
 * count, on microtasks only, so replies would pile up unread and every run's
 * buffers would stay held until the loop yields. So each thread of a run owns
 * one control word in the run's shared `sync` array (after the tile and
 * staging words, one per pool slot) and says there, not by message, what it
 * did:
 *
 * ```
 * bits 0-2  state   POSTED → RUNNING → DONE | FAILED, or POSTED → CANCELLED
 * bit  3    WAIT    the calling thread waits for a reply message
 * bits 4-30 token   the run's token (a stale message for a reused sync array never matches)
 * ```
 *
 * A thread starts a run only by moving its word from `POSTED` (with the
 * message's token) to `RUNNING`; it posts a reply only when it failed or the
 * caller set `WAIT`. The calling thread, once every tile is counted as done,
 * cancels threads that have not started (they then skip the message) and
 * reads `DONE` from those that finished — the run settles and its buffers are
 * reused at once. Only a thread still running, or a caller that computes no
 * tiles, makes the caller set `WAIT` and await a reply.
 */

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

/** The token of the `n`th run (any integer ≥ 0), in 1 … 2^26. */
export function tokenOf(n: number): number {
  return (n % TOKEN_MAX) + 1;
}

/** The word a run is posted with. */
export function postedWord(token: number): number {
  return token << TOKEN_SHIFT;
}

export function stateOf(word: number): number {
  return word & STATE_MASK;
}

function tokenField(word: number): number {
  return word >>> TOKEN_SHIFT;
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
 * A pool thread's end of a run it began: `DONE` or `FAILED`.
 * @returns whether the calling thread waits for a reply (it always gets one for a failure).
 */
export function endRun(sync: Int32Array, index: number, failed: boolean): boolean {
  for (;;) {
    const word = Atomics.load(sync, index);
    if (Atomics.compareExchange(sync, index, word, (word & ~STATE_MASK) | (failed ? FAILED : DONE)) === word) {
      return failed || (word & WAIT) !== 0;
    }
  }
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
