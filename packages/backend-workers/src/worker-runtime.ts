import { bindKernel, type RangeKernel } from './kernel-binding.js';
import type { HostMessage, RunMessage, ThreadMessage } from './protocol.js';
import { connectToHost, type HostPort } from './thread-host.js';
import { runTiles } from './tile-loop.js';

/** Options of {@link startPoolThread}, for custom worker entries. */
export interface PoolThreadOptions {
  /**
   * Called after each tile a thread computed (instrumentation and fault
   * injection in custom entries; the default entry passes nothing).
   */
  readonly afterTile?: (message: RunMessage, tile: number) => void;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** One thread's state: its pool index and the operators it was sent, bound with its own scratch. */
class PoolThread {
  #thread = 0;
  /** Bound kernels, or why binding failed (reported to each run of that operator instead of killing the thread). */
  readonly #kernels = new Map<number, RangeKernel | Error>();
  readonly #host: HostPort;
  readonly #options: PoolThreadOptions;

  constructor(host: HostPort, options: PoolThreadOptions) {
    this.#host = host;
    this.#options = options;
  }

  handle(message: HostMessage): void {
    switch (message.type) {
      case 'identity':
        this.#thread = message.thread;
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
      case 'run':
        this.#host.post(this.#run(message));
        return;
    }
  }

  #run(message: RunMessage): ThreadMessage {
    try {
      const kernel = this.#kernels.get(message.key);
      if (kernel === undefined) throw new Error(`operator ${message.key} is not loaded on this thread`);
      if (kernel instanceof Error) throw kernel;
      const afterTile = this.#options.afterTile;
      const run = { grid: message.grid, sync: message.counter, x: message.x, out: message.out, caller: false };
      const tiles = runTiles(kernel, run, afterTile && ((tile) => afterTile(message, tile)));
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
