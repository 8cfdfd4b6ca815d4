import type { Activation, Layout } from '@pointwise/core';
import { describe, it } from 'vitest';
import { expectAccurate, KERNELS, makeCase, runTiled } from './helpers.js';

const LAYOUT_PAIRS: readonly [Layout, Layout][] = [
  ['NCHW', 'NCHW'],
  ['NHWC', 'NHWC'],
  ['NCHW', 'NHWC'],
  ['NHWC', 'NCHW'],
];
const STRIDES = [1, 2, [3, 2]] as const;
const PADDINGS = [0, 1, [2, 0, 1, 3]] as const;
const GROUPS = [1, 3];
const ACTIVATIONS: readonly Activation[] = ['none', 'relu', 'relu6', { type: 'clamp', min: -0.25, max: 0.5 }];

describe.each(KERNELS)('every option combination matches the reference (%s microkernel)', (kernel) => {
  for (const [inputLayout, outputLayout] of LAYOUT_PAIRS) {
    it(`${inputLayout} → ${outputLayout}`, () => {
      let seed = 1;
      for (const stride of STRIDES) {
        for (const padding of PADDINGS) {
          for (const groups of GROUPS) {
            for (const withBias of [true, false]) {
              for (const activation of ACTIVATIONS) {
                const c = makeCase({
                  inputShape: [2, 6, 7, 9],
                  inputLayout,
                  outputLayout,
                  outChannels: 15,
                  stride,
                  padding,
                  groups,
                  withBias,
                  activation,
                  dilation: 2,
                  seed: seed++,
                });
                // Small blocks, so every case crosses block and panel edges too.
                const label = JSON.stringify({ stride, padding, groups, withBias, activation });
                expectAccurate(c, runTiled(c, { mc: 8, nc: 16, kc: 1, kernel }), label);
                expectAccurate(c, runTiled(c, { kernel }), label);
              }
            }
          }
        }
      }
    });
  }
});
