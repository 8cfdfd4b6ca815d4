import type { RangeKernel } from './kernel-binding.js';
import { emptyRange, tileCount, tileRange, type WorkGrid } from './work-split.js';

const NO_DATA = new Float32Array(0);

/**
 * Takes tiles of one run from its shared counter (`counter[0]`, atomically
 * incremented) until none is left and runs the kernel on each; the same loop
 * on pool threads and on a calling thread that computes too.
 *
 * @param x / out the run's shared input and output (`null` for `wasm-simd`, whose data is in the operator's memory).
 * @param afterTile called after each tile (instrumentation, fault injection).
 * @returns the number of tiles this thread computed.
 */
export function runTiles(
  kernel: RangeKernel,
  grid: WorkGrid,
  counter: Int32Array,
  x: Float32Array | null,
  out: Float32Array | null,
  afterTile?: (tile: number) => void,
): number {
  const tiles = tileCount(grid);
  const range = emptyRange();
  const input = x ?? NO_DATA;
  const output = out ?? NO_DATA;
  let done = 0;
  for (let tile = Atomics.add(counter, 0, 1); tile < tiles; tile = Atomics.add(counter, 0, 1)) {
    kernel.run(input, output, tileRange(grid, tile, range));
    done++;
    afterTile?.(tile);
  }
  return done;
}
