import { describe, expect, it } from 'vitest';
import { planWorkGrid, tileCount, tileRange, TILES_PER_THREAD, type SplitUnits } from '../dist/index.js';
import { emptyRange } from '../dist/work-split.js';

const SHAPES: readonly SplitUnits[] = [
  { batch: 1, pixels: 3136, channels: 64, channelUnit: 4, nr: 8, minPixelPiece: 128 },
  { batch: 1, pixels: 196, channels: 96, channelUnit: 4, nr: 8, minPixelPiece: 56 },
  { batch: 1, pixels: 49, channels: 512, channelUnit: 4, nr: 8, minPixelPiece: 56 },
  { batch: 3, pixels: 17, channels: 10, channelUnit: 5, nr: 8, minPixelPiece: 16 },
  { batch: 9, pixels: 25, channels: 8, channelUnit: 4, nr: 8, minPixelPiece: 32 },
  { batch: 1, pixels: 1, channels: 1, channelUnit: 1, nr: 8, minPixelPiece: 8 },
];

describe('planWorkGrid / tileRange', () => {
  for (const units of SHAPES) {
    for (const threads of [1, 2, 3, 7]) {
      it(`covers every output element once: ${JSON.stringify(units)}, ${threads} thread(s)`, () => {
        const grid = planWorkGrid(units, threads);
        const hits = new Uint8Array(units.batch * units.channels * units.pixels);
        const range = emptyRange();
        for (let t = 0; t < tileCount(grid); t++) {
          tileRange(grid, t, range);
          expect(range.batchEnd - range.batchStart).toBe(1);
          expect(range.channelStart % units.channelUnit).toBe(0);
          expect(range.pixelStart % units.nr).toBe(0);
          for (let n = range.batchStart; n < range.batchEnd; n++) {
            for (let c = range.channelStart; c < range.channelEnd; c++) {
              for (let p = range.pixelStart; p < range.pixelEnd; p++) hits[(n * units.channels + c) * units.pixels + p]++;
            }
          }
        }
        expect(hits.every((h) => h === 1)).toBe(true);
        expect(tileCount(grid)).toBeLessThanOrEqual(Math.max(units.batch, 2 * threads * TILES_PER_THREAD));
      });
    }
  }

  it('balances the 2-thread split of a 14×14 layer: a whole number of tiles per thread, pieces within one unit', () => {
    const grid = planWorkGrid(SHAPES[1], 2);
    expect(tileCount(grid) % 2).toBe(0);
    const sizes = Array.from({ length: tileCount(grid) }, (_, t) => {
      const r = tileRange(grid, t, emptyRange());
      return (r.pixelEnd - r.pixelStart) * (r.channelEnd - r.channelStart);
    });
    expect(Math.max(...sizes) / Math.min(...sizes)).toBeLessThan(1.5);
  });

  it('gives whole images as tiles when there are enough images', () => {
    expect(planWorkGrid(SHAPES[4], 2)).toMatchObject({ pixelTiles: 1, channelTiles: 1 });
  });
});
