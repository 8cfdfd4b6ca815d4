import { createKernelScratch, runConv1x1Range, type Conv1x1Plan, type KernelScratch } from '@pointwise/backend-cpu-tiled';
import type { HostMessage, RunMessage, ThreadMessage } from './protocol.js';
import { connectToHost, type HostPort } from './thread-host.js';
import { emptyRange, tileCount, tileRange } from './work-split.js';

interface LoadedOperator {
  readonly plan: Conv1x1Plan;
  readonly packed: Float32Array;
  /** This thread's scratch for the plan, reused by every run. */
  readonly scratch: KernelScratch;
}

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

/**
 * Takes tiles of one run from its shared counter until none is left and runs
 * the cpu-tiled kernel on each over the shared input and output.
 * @returns the number of tiles this thread computed.
 */
function runTiles(operator: LoadedOperator, message: RunMessage, options: PoolThreadOptions): number {
  const tiles = tileCount(message.grid);
  const range = emptyRange();
  let done = 0;
  for (let tile = Atomics.add(message.counter, 0, 1); tile < tiles; tile = Atomics.add(message.counter, 0, 1)) {
    runConv1x1Range(operator.plan, operator.packed, message.x, message.out, tileRange(message.grid, tile, range), operator.scratch);
    done++;
    options.afterTile?.(message, tile);
  }
  return done;
}

function handle(host: HostPort, operators: Map<number, LoadedOperator>, message: HostMessage, options: PoolThreadOptions): void {
  switch (message.type) {
    case 'load': {
      const plan = message.plan as Conv1x1Plan;
      operators.set(message.key, { plan, packed: message.packed, scratch: createKernelScratch(plan) });
      return;
    }
    case 'unload':
      operators.delete(message.key);
      return;
    case 'run': {
      let reply: ThreadMessage;
      const operator = operators.get(message.key);
      try {
        if (operator === undefined) throw new Error(`operator ${message.key} is not loaded on this thread`);
        reply = { type: 'done', job: message.job, tiles: runTiles(operator, message, options) };
      } catch (error) {
        reply = { type: 'failed', job: message.job, message: errorText(error) };
      }
      host.post(reply);
      return;
    }
  }
}

/**
 * The body of a pool thread: connects to the creating thread, keeps the
 * operators it is sent (plan, packed weights on shared memory, its own
 * scratch), and answers each run once it finds no tile left. A kernel error
 * is reported for that run; the thread stays usable.
 *
 * The default entry (`worker.js`) calls this with no options; a custom entry
 * given as the `workerUrl` option may import it and pass {@link PoolThreadOptions}.
 */
export async function startPoolThread(options: PoolThreadOptions = {}): Promise<void> {
  const host = await connectToHost();
  const operators = new Map<number, LoadedOperator>();
  host.listen((message) => handle(host, operators, message as HostMessage, options));
  host.post({ type: 'ready' } satisfies ThreadMessage);
}
