import type { RangeKernel, TileRun } from './kernel-binding.js';
import { emptyRange, tileCount, tileRange } from './work-split.js';

/**
 * Takes tiles of one run from its shared counter (`run.sync[0]`, atomically
 * incremented) until none is left and runs the kernel on each; the same loop
 * on pool threads and on a calling thread that computes too.
 *
 * @param afterTile called after each tile (instrumentation, fault injection,
 *   the calling thread's copies of other threads' tiles).
 * @returns the number of tiles this thread computed.
 */
export function runTiles(kernel: RangeKernel, run: TileRun, afterTile?: (tile: number) => void): number {
  const tiles = tileCount(run.grid);
  const range = emptyRange();
  const { sync } = run;
  let done = 0;
  for (let tile = Atomics.add(sync, 0, 1); tile < tiles; tile = Atomics.add(sync, 0, 1)) {
    kernel.runTile(run, tile, tileRange(run.grid, tile, range));
    done++;
    afterTile?.(tile);
  }
  return done;
}
