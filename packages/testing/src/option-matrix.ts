import type { Activation, Layout } from '@pointwise/core';

/** One combination of the options a backend's full-matrix test crosses. */
export interface OptionCombination {
  readonly inputLayout: Layout;
  readonly outputLayout: Layout;
  readonly stride: number | readonly [number, number];
  readonly padding: number | readonly [number, number, number, number];
  readonly groups: number;
  readonly bias: boolean;
  readonly activation: Activation;
}

/**
 * The option matrix the CPU backends' tests cross on one small shape: every
 * input → output layout pair, strides 1, 2 and `[3, 2]`, paddings 0, 1 and
 * the asymmetric `[top 2, left 0, bottom 1, right 3]`, groups 1 and 3, with
 * and without bias, and every activation kind (`none`, `relu`, `relu6`, a
 * clamp). `inputShape` `[N, Ci, H, W]` and `outChannels` are divisible by
 * every group count; `smallBlocks` are cpu-tiled plan options (`mc`, `nc`,
 * `kc`) small enough that each case crosses block and panel edges.
 */
export const OPTION_MATRIX = {
  inputShape: [2, 6, 7, 9] as const,
  outChannels: 15,
  layoutPairs: [
    ['NCHW', 'NCHW'],
    ['NHWC', 'NHWC'],
    ['NCHW', 'NHWC'],
    ['NHWC', 'NCHW'],
  ] as const satisfies readonly (readonly [Layout, Layout])[],
  strides: [1, 2, [3, 2]] as const,
  paddings: [0, 1, [2, 0, 1, 3]] as const,
  groups: [1, 3] as const,
  biases: [true, false] as const,
  activations: ['none', 'relu', 'relu6', { type: 'clamp', min: -0.25, max: 0.5 }] as const satisfies readonly Activation[],
  smallBlocks: { mc: 8, nc: 16, kc: 1 } as const,
};

/**
 * Every combination of {@link OPTION_MATRIX} (4 layout pairs × 3 strides ×
 * 3 paddings × 2 group counts × bias or not × 4 activations = 576), layout
 * pair outermost, activation innermost, so a test can group them by layout pair.
 */
export function optionCombinations(): OptionCombination[] {
  const m = OPTION_MATRIX;
  const combinations: OptionCombination[] = [];
  for (const [inputLayout, outputLayout] of m.layoutPairs) {
    for (const stride of m.strides) {
      for (const padding of m.paddings) {
        for (const groups of m.groups) {
          for (const bias of m.biases) {
            for (const activation of m.activations) combinations.push({ inputLayout, outputLayout, stride, padding, groups, bias, activation });
          }
        }
      }
    }
  }
  return combinations;
}
