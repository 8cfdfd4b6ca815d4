import type { Conv1x1Geometry } from '@pointwise/core';

/**
 * One image's output seen as the 3-D grid a gpu.js kernel computes, x
 * fastest, laid out so that every x-row is contiguous in the output tensor:
 * NCHW → `[x, y, z] = [Wo, Ho, Co]`, NHWC → `[Co, Wo, Ho]`.
 */
export interface OutputGrid {
  /** Grid sizes `[X, Y, Z]`. */
  readonly size: readonly [number, number, number];
  /** Element stride in the output data of one step in y and in z (x has stride 1). */
  readonly strideY: number;
  readonly strideZ: number;
  /** Elements per image, `Co·Ho·Wo`. */
  readonly strideN: number;
}

/** The output grid of a geometry, in its output layout. */
export function outputGrid(geometry: Conv1x1Geometry): OutputGrid {
  const { outChannels: co, outHeight: ho, outWidth: wo } = geometry;
  const strideN = co * ho * wo;
  return geometry.outputLayout === 'NCHW'
    ? { size: [wo, ho, co], strideY: wo, strideZ: ho * wo, strideN }
    : { size: [co, wo, ho], strideY: co, strideZ: wo * co, strideN };
}

/** A box of the output grid computed by one kernel call: origin and size per axis. */
export interface Chunk {
  readonly origin: readonly [number, number, number];
  readonly size: readonly [number, number, number];
}

/** Limits a chunk must respect (`Infinity` where a mode has none). */
export interface ChunkLimits {
  /** Largest side of the texture a chunk's output may occupy, in texels. */
  readonly maxTextureSize: number;
  /** Most elements in one chunk. */
  readonly maxChunkElements: number;
}

/** gpu.js's rule for the `[width, height]` texture of an output of `[x, y, z]` (`utils.getKernelTextureSize`). */
export type TextureSizeRule = (size: readonly [number, number, number]) => readonly [number, number];

/** The chunks covering a grid, in row-major order of their origins (z outermost). */
export interface ChunkPlan {
  /** The full chunk size; edge chunks may be smaller. */
  readonly chunkSize: readonly [number, number, number];
  readonly chunks: readonly Chunk[];
}

function fits(rule: TextureSizeRule, size: readonly [number, number, number], limits: ChunkLimits): boolean {
  const [w, h] = rule(size);
  return w <= limits.maxTextureSize && h <= limits.maxTextureSize;
}

function evenSplit(total: number, cap: number): number {
  const parts = Math.ceil(total / cap);
  return Math.ceil(total / parts);
}

/**
 * Splits a grid into chunks whose element count stays within
 * `maxChunkElements` and whose texture (by gpu.js's own sizing rule) fits
 * `maxTextureSize` on both sides — the failure of gpu.js issues #552, #607
 * and #817 is a single output texture past the context's limit. Chunks are
 * as wide as allowed along x (rows stay long for the readback copy), then y,
 * then z, and the sizes are evened out so the edge chunks are not slivers.
 * A grid that fits is one chunk.
 */
export function planChunks(size: readonly [number, number, number], limits: ChunkLimits, rule: TextureSizeRule): ChunkPlan {
  const [sx, sy, sz] = size;
  const budget = Math.max(1, Math.min(limits.maxChunkElements, limits.maxTextureSize * limits.maxTextureSize));
  let cx = Math.min(sx, limits.maxTextureSize, budget);
  let cy = Math.min(sy, Math.max(1, Math.floor(budget / cx)));
  let cz = Math.min(sz, Math.max(1, Math.floor(budget / (cx * cy))));
  while (!fits(rule, [cx, cy, cz], limits) && cx * cy * cz > 1) {
    if (cz > 1) cz = Math.ceil(cz / 2);
    else if (cy > 1) cy = Math.ceil(cy / 2);
    else cx = Math.ceil(cx / 2);
  }
  const even = [evenSplit(sx, cx), evenSplit(sy, cy), evenSplit(sz, cz)] as const;
  const chunkSize = fits(rule, even, limits) ? even : ([cx, cy, cz] as const);
  const chunks: Chunk[] = [];
  for (let z = 0; z < sz; z += chunkSize[2]) {
    for (let y = 0; y < sy; y += chunkSize[1]) {
      for (let x = 0; x < sx; x += chunkSize[0]) {
        chunks.push({
          origin: [x, y, z],
          size: [Math.min(chunkSize[0], sx - x), Math.min(chunkSize[1], sy - y), Math.min(chunkSize[2], sz - z)],
        });
      }
    }
  }
  return { chunkSize, chunks };
}
