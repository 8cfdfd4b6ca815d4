import type { Conv1x1Geometry } from '@pointwise/core';

/**
 * How the `vec4` kernels (GL and WGSL) pack channels 4 per texel / `vec4`, per group: group `gi`'s `K = Ci/g`
 * input channels fill blocks `gi·K4 … gi·K4 + K4 − 1` (`K4 = ceil(K/4)`), its `Co/g` output channels blocks
 * `gi·Cog4 …` (`Cog4 = ceil(Co/g / 4)`), each group's last block zero-padded. With `groups = 1`, or `K` and
 * `Co/g` multiples of 4, this is the plain packing — channels `4b … 4b+3` in block `b` — that resident
 * tensors hold and the next layer reads; otherwise (grouped layers whose `K` or `Co/g` is not a multiple of
 * 4) it is padded per group, used inside one layer's host runs only.
 */
export interface ChannelPacking {
  /** Input blocks per group, `ceil(K/4)`. */
  readonly k4: number;
  /** Output blocks per group, `ceil(Co/g / 4)`. */
  readonly cog4: number;
  /** Input blocks of one pixel, `groups · k4`. */
  readonly inBlocks: number;
  /** Output blocks of one pixel, `groups · cog4`. */
  readonly outBlocks: number;
  /** Whether it is the plain packing (resident inputs and outputs are possible). */
  readonly plain: boolean;
}

/** The channel packing of a geometry (see {@link ChannelPacking}). */
export function channelPacking(geometry: Conv1x1Geometry): ChannelPacking {
  const { groups, inChannelsPerGroup: k, outChannelsPerGroup: cog } = geometry;
  const k4 = Math.ceil(k / 4);
  const cog4 = Math.ceil(cog / 4);
  return { k4, cog4, inBlocks: groups * k4, outBlocks: groups * cog4, plain: groups === 1 || (k % 4 === 0 && cog % 4 === 0) };
}

/**
 * The output channel that lane `l` (0…3) of output block `z` holds, or −1 for a padding lane (past `Co`, or
 * past its group's `Co/g` channels).
 */
export function outputChannelOf(geometry: Conv1x1Geometry, packing: ChannelPacking, z: number, l: number): number {
  const group = Math.floor(z / packing.cog4);
  const within = 4 * (z - group * packing.cog4) + l;
  return within < geometry.outChannelsPerGroup ? group * geometry.outChannelsPerGroup + within : -1;
}

/** Per-channel values `[Co]` (bias, padded-cell values) laid out as the output blocks: `4 · outBlocks` floats, padding lanes 0. */
export function packOutputChannels(geometry: Conv1x1Geometry, values: Float32Array): Float32Array {
  const packing = channelPacking(geometry);
  const packed = new Float32Array(4 * packing.outBlocks);
  for (let z = 0; z < packing.outBlocks; z++) {
    for (let l = 0; l < 4; l++) {
      const channel = outputChannelOf(geometry, packing, z, l);
      if (channel >= 0) packed[4 * z + l] = values[channel];
    }
  }
  return packed;
}
