import { bindKernel, type BoundKernel } from '@pointwise/backend-cpu-tiled/kernel';
import { waitWhileEqual } from './blocking-wait.js';
import type { HostMessage, RunMessage, ThreadMessage } from './protocol.js';
import { beginRun, endRun, finishRun, recordThreadTiles, runTiles } from './run-sync.js';
import { connectToHost, type HostPort } from './thread-host.js';

/** Options of {@link startPoolThread}, for custom worker entries. */
export interface PoolThreadOptions {
  /**
   * Called after each tile a thread computed (instrumentation and fault
   * injection in custom entries; the default entry passes nothing).
   */
  readonly afterTile?: (message: RunMessage, tile: number) => void;
  /**
   * Called after each chunk of a shared output a thread copied out of the
   * memory of a kernel that owns one (`wasm-simd`), before the chunk counts as copied
   * (instrumentation and fault injection, as `afterTile`).
   */
  readonly afterOutputChunk?: (message: RunMessage, chunk: number) => void;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** One thread's state: its pool index and the operators it was sent, bound with its own scratch. */
class PoolThread {
  #thread = 0;
  #bell: Int32Array | null = null;
  #spinMicros = 0;
  #busySpinMicros = 0;
  /** Messages handled so far (compared with the bell's count of messages posted). */
  #handled = 0;
  /** Bound kernels, or why binding failed (reported to each run of that operator instead of killing the thread). */
  readonly #kernels = new Map<number, BoundKernel | Error>();
  readonly #host: HostPort;
  readonly #options: PoolThreadOptions;

  constructor(host: HostPort, options: PoolThreadOptions) {
    this.#host = host;
    this.#options = options;
  }

  handle(message: HostMessage): void {
    this.#handled++;
    switch (message.type) {
      case 'identity':
        this.#thread = message.thread;
        this.#bell = message.bell;
        this.#spinMicros = message.spinMicros;
        this.#busySpinMicros = message.busySpinMicros;
        return;
      case 'load':
        try {
          this.#kernels.set(message.key, bindKernel(message.setup, this.#thread));
        } catch (error) {
          this.#kernels.set(message.key, new Error(`binding the kernel failed: ${errorText(error)}`));
        }
        return;
      case 'unload':
        this.#kernels.delete(message.key);
        return;
      case 'run': {
        // A run another thread completed before this one started (or a stale message) is skipped.
        const control = message.layout.control + this.#thread;
        if (!beginRun(message.sync, control, message.token)) return;
        const reply = this.#run(message);
        // Published with DONE: the pool learns whether the run computed on more than one thread (serial-backoff.ts).
        if (reply.type === 'done') recordThreadTiles(message.sync, message.layout, this.#thread, reply.tiles);
        // Replies only when the calling thread waits for one (or on failure): see run-sync.ts.
        if (endRun(message.sync, control, reply.type === 'failed')) this.#host.post(reply);
        this.#waitForNextMessage();
        return;
      }
    }
  }

  /**
   * After answering a run, waits up to `spinMicros` until the creating
   * thread has posted another message (its bell count exceeds the messages
   * handled), then returns to the message loop, which delivers that message
   * at once (it was posted before the bell rang). Back-to-back runs (the
   * layers of a network) start without the wake-up of a thread asleep in
   * its message loop. The wait busy-spins for `busySpinMicros`, then blocks
   * in `Atomics.wait` (`blocking-wait.ts`; the pool notifies the bell). A
   * thread that keeps spinning keeps its core: the next run needs no
   * wake-up, which the scheduler may place on the caller's core (README,
   * "Runs that compute on one thread"); a thread that spins where threads
   * outnumber free cores takes the core another thread needed, hence the bound.
   */
  #waitForNextMessage(): void {
    const bell = this.#bell;
    if (bell === null || this.#spinMicros <= 0) return;
    // The bell is an int32 that wraps after 2^31 posts; compare the handled count wrapped the same way.
    const spinMs = Math.min(this.#busySpinMicros, this.#spinMicros) / 1000;
    waitWhileEqual(bell, 0, this.#handled | 0, performance.now() + this.#spinMicros / 1000, spinMs);
  }

  #run(message: RunMessage): ThreadMessage {
    try {
      const kernel = this.#kernels.get(message.key);
      if (kernel === undefined) throw new Error(`operator ${message.key} is not loaded on this thread`);
      if (kernel instanceof Error) throw kernel;
      const afterTile = this.#options.afterTile;
      const run = { grid: message.grid, layout: message.layout, sync: message.sync, x: message.x, out: message.out };
      const tiles = runTiles(kernel, run, afterTile && ((tile) => afterTile(message, tile)));
      const afterChunk = this.#options.afterOutputChunk;
      finishRun(kernel, run, afterChunk && ((chunk) => afterChunk(message, chunk)));
      return { type: 'done', job: message.job, tiles };
    } catch (error) {
      return { type: 'failed', job: message.job, message: errorText(error) };
    }
  }
}

/**
 * The body of a pool thread: connects to the creating thread, binds the
 * operators it is sent (kernel setup on shared memory, its own scratch), and
 * answers each run once it finds no tile left. A kernel error is reported
 * for that run; the thread stays usable.
 *
 * The default entry (`worker.js`) calls this with no options; a custom entry
 * given as the `workerUrl` option may import it and pass {@link PoolThreadOptions}.
 */
export async function startPoolThread(options: PoolThreadOptions = {}): Promise<void> {
  const host = await connectToHost();
  const thread = new PoolThread(host, options);
  host.listen((message) => thread.handle(message as HostMessage));
  host.post({ type: 'ready' } satisfies ThreadMessage);
}
