import type { OutputRange } from '@pointwise/backend-cpu-tiled/kernel';

/**
 * How a run's output is cut into tiles: images × pixel pieces × channel
 * pieces. Tile `t` is image `⌊t / (pixelTiles·channelTiles)⌋`, then pixel
 * piece, then channel piece. Piece `i` of `k` along an axis of `size`
 * elements starts at `⌊i·size/k⌋` rounded up to the axis unit, so pieces
 * differ by at most one unit. A plain record (posted to every thread).
 */
export interface WorkGrid {
  /** Images `N`. */
  readonly batch: number;
  /** Output pixels per image, `Ho·Wo`. */
  readonly pixels: number;
  /** Pixel pieces start at multiples of this (the microtile width `nr`). */
  readonly pixelUnit: number;
  readonly pixelTiles: number;
  /** Output channels `Co`. */
  readonly channels: number;
  /** Channel pieces start at multiples of this (see {@link SplitUnits.channelUnit}). */
  readonly channelUnit: number;
  readonly channelTiles: number;
}

/** What {@link planWorkGrid} needs from a kernel plan. */
export interface SplitUnits {
  readonly batch: number;
  readonly pixels: number;
  readonly channels: number;
  /**
   * Channel pieces start at multiples of this: the microtile height `mr`,
   * or the channels per group when groups are not whole microtiles (the WASM
   * kernel needs every range to start at a multiple of `mr` within its group).
   */
  readonly channelUnit: number;
  /** Microtile width: pixel pieces are cut at multiples of it. */
  readonly nr: number;
  /** Pixels are split first, but into pieces of at least this many pixels. */
  readonly minPixelPiece: number;
}

/**
 * Tiles per thread the grid aims for. More than one so that a thread slowed
 * by another process (the machine is shared) takes fewer tiles from the
 * shared counter instead of holding up the run; few enough that each tile
 * keeps a whole kernel block busy.
 */
export const TILES_PER_THREAD = 4;

/** Number of tiles of a grid. */
export function tileCount(grid: WorkGrid): number {
  return grid.batch * grid.pixelTiles * grid.channelTiles;
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

/**
 * Cuts the output into about `threads · TILES_PER_THREAD` tiles of balanced
 * size (fewer when `maxTiles` is lower, never fewer than needed to give every
 * thread one tile where the shape allows it):
 *
 * 1. whole images while there are enough of them;
 * 2. within an image, pixel pieces first (each thread then reads and packs
 *    only its share of the input, and the packed weights are shared
 *    read-only), but none smaller than `minPixelPiece`, below which each piece
 *    would stream all of the weights for too few pixels;
 * 3. the remaining factor over output channels (pieces of whole
 *    `channelUnit`s), raised where the shape allows (up to twice the target)
 *    so that the tiles of an image are a multiple of `threads` (no thread is
 *    left with one tile more).
 *
 * @param threads threads that will take tiles (≥ 1).
 * @param maxTiles upper bound on the tile count (e.g. from a minimum work per tile), ≥ 1.
 */
export function planWorkGrid(units: SplitUnits, threads: number, maxTiles = Infinity): WorkGrid {
  const { batch, pixels, channels, channelUnit, nr, minPixelPiece } = units;
  const target = Math.max(threads, Math.min(threads * TILES_PER_THREAD, Math.floor(maxTiles)));
  const perImage = Math.max(1, Math.ceil(target / Math.max(1, batch)));
  const pixelTiles = Math.max(1, Math.min(perImage, Math.floor(pixels / minPixelPiece), Math.ceil(pixels / nr)));
  const maxChannelTiles = Math.ceil(channels / channelUnit);
  let channelTiles = Math.max(1, Math.min(Math.ceil(perImage / pixelTiles), maxChannelTiles));
  if (perImage > 1) {
    // The next channel count that makes the tiles a multiple of `threads`, within twice the target.
    for (let c = channelTiles; c <= maxChannelTiles && pixelTiles * c <= 2 * perImage; c++) {
      if ((pixelTiles * c) % threads === 0) {
        channelTiles = c;
        break;
      }
    }
  }
  return { batch, pixels, pixelUnit: nr, pixelTiles, channels, channelUnit, channelTiles };
}

/** Start of piece `i` of `pieces` along an axis of `size` elements cut at multiples of `unit`. */
function pieceStart(i: number, pieces: number, size: number, unit: number): number {
  return Math.min(size, roundUp(Math.floor((i * size) / pieces), unit));
}

/**
 * The output range of tile `index` of `grid` (`0 ≤ index < tileCount(grid)`).
 * Writes into `range` (reused by a thread across tiles, so taking a tile
 * allocates nothing).
 */
export function tileRange(grid: WorkGrid, index: number, range: MutableRange): MutableRange {
  const perImage = grid.pixelTiles * grid.channelTiles;
  const n = Math.floor(index / perImage);
  const rest = index - n * perImage;
  const p = Math.floor(rest / grid.channelTiles);
  const c = rest - p * grid.channelTiles;
  range.batchStart = n;
  range.batchEnd = n + 1;
  range.pixelStart = pieceStart(p, grid.pixelTiles, grid.pixels, grid.pixelUnit);
  range.pixelEnd = pieceStart(p + 1, grid.pixelTiles, grid.pixels, grid.pixelUnit);
  range.channelStart = pieceStart(c, grid.channelTiles, grid.channels, grid.channelUnit);
  range.channelEnd = pieceStart(c + 1, grid.channelTiles, grid.channels, grid.channelUnit);
  return range;
}

/** A writable {@link OutputRange}. */
export type MutableRange = { -readonly [K in keyof OutputRange]: OutputRange[K] };

/** A fresh range to pass to {@link tileRange}. */
export function emptyRange(): MutableRange {
  return { batchStart: 0, batchEnd: 0, channelStart: 0, channelEnd: 0, pixelStart: 0, pixelEnd: 0 };
}
