import { InvalidTensorError, paddedCellValues } from '@pointwise/core';
import type { Conv1x1Plan } from './plan.js';

/** Length in float32 elements of the packed-weight buffer of a plan (weights and bias). */
export function packedWeightsLength(plan: Conv1x1Plan): number {
  return plan.packedLength;
}

/**
 * Packs `[Co, Ci/g]` row-major weights and the `[Co]` bias into the order the
 * microkernel reads them (the layout documented on {@link Conv1x1Plan}):
 * per group, tiles of `mr` output channels, each `K` columns of `mr` values,
 * zero rows padding the last tile of a group; then the bias in tile order;
 * then the padded-cell value of every channel (`paddedCellValues` of core:
 * `act(b[co] + Σ_k w[co,k]·0)`, computed here once so runs only copy it).
 * Done once per operator, so `run` does no weight reshuffling.
 *
 * @param weights `[Co, Ci/g]` row-major (read only).
 * @param bias `[Co]`, or `null` for no bias (packed as zeros).
 * @param target where to pack (e.g. a view on a `SharedArrayBuffer` that
 *   worker threads read); allocated when absent. Every element is written.
 * @returns `target` (or the new buffer).
 * @throws {InvalidTensorError} when `target` is shorter than {@link packedWeightsLength}.
 */
export function packWeights(
  plan: Conv1x1Plan,
  weights: Float32Array,
  bias: Float32Array | null,
  target: Float32Array = new Float32Array(plan.packedLength),
): Float32Array {
  if (target.length < plan.packedLength) {
    throw new InvalidTensorError('target', `a Float32Array of length ≥ ${plan.packedLength}`, target);
  }
  const { mr, tilesPerGroup, biasOffset, paddedOffset, geometry } = plan;
  const padded = paddedCellValues(geometry, weights, bias);
  const k = geometry.inChannelsPerGroup;
  const channelsPerGroup = geometry.outChannelsPerGroup;
  for (let group = 0; group < geometry.groups; group++) {
    for (let tile = 0; tile < tilesPerGroup; tile++) {
      const tileIndex = group * tilesPerGroup + tile;
      const base = tileIndex * k * mr;
      for (let r = 0; r < mr; r++) {
        const channelInGroup = tile * mr + r;
        const valid = channelInGroup < channelsPerGroup;
        const channel = group * channelsPerGroup + channelInGroup;
        const row = channel * k;
        for (let kk = 0; kk < k; kk++) target[base + kk * mr + r] = valid ? weights[row + kk] : 0;
        target[biasOffset + tileIndex * mr + r] = valid && bias !== null ? bias[channel] : 0;
        target[paddedOffset + tileIndex * mr + r] = valid ? padded[channel] : 0;
      }
    }
  }
  return target;
}
