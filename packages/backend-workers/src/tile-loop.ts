import type { RangeKernel, TileRun } from './kernel-binding.js';
import { emptyRange, tileCount, tileRange } from './work-split.js';

/** Words of a run's shared `sync` array: the next tile to take, then the tiles computed so far. */
export const NEXT_TILE = 0;
export const TILES_DONE = 1;
/** Words before any kernel-specific ones (the WASM staging states). */
export const SYNC_HEADER_WORDS = 2;

/**
 * Takes tiles of one run from its shared counter (`run.sync[NEXT_TILE]`,
 * atomically incremented) until none is left, runs the kernel on each and
 * counts it in `run.sync[TILES_DONE]` (a sequentially consistent add after
 * the tile's writes, so a thread that reads the full count sees every
 * output); the same loop on pool threads and on a calling thread that computes too.
 *
 * @param afterTile called after each tile, before it is counted as done (instrumentation, fault injection).
 * @returns the number of tiles this thread computed.
 */
export function runTiles(kernel: RangeKernel, run: TileRun, afterTile?: (tile: number) => void): number {
  const tiles = tileCount(run.grid);
  const range = emptyRange();
  const { sync } = run;
  let done = 0;
  for (let tile = Atomics.add(sync, NEXT_TILE, 1); tile < tiles; tile = Atomics.add(sync, NEXT_TILE, 1)) {
    kernel.runTile(run, tile, tileRange(run.grid, tile, range));
    // Before the tile counts as done: a hook that throws fails the run like a kernel error.
    afterTile?.(tile);
    Atomics.add(sync, TILES_DONE, 1);
    done++;
  }
  return done;
}
