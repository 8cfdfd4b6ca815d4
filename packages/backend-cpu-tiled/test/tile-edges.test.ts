import type { Layout } from '@pointwise/core';
import { describe, it } from 'vitest';
import { expectAccurate, KERNELS, makeCase, runTiled } from './helpers.js';

// Blocks of the plan used here: mr = 4, nr = 8 (microtile 4x8), mc = 8, nc = 16, kc = 5.
const BLOCKS = { microtile: '4x8', mc: 8, nc: 16, kc: 5 } as const;
const around = (tile: number) => [1, tile - 1, tile, tile + 1];
// Output channels per group around mr and mc; pixels (Wo, with Ho = 1 or 2) around nr and nc; K around kc.
const CHANNELS = [...new Set([...around(4), ...around(8)])];
const WIDTHS = [...new Set([...around(8), ...around(16)])];
const KS = [...new Set([...around(5), 10, 11])];

describe.each(KERNELS)('sizes around every tile and block edge (%s microkernel)', (kernel) => {
  for (const layout of ['NCHW', 'NHWC'] as Layout[]) {
    it(`Co/g × pixels × K grid (${layout})`, () => {
      let seed = 100;
      for (const co of CHANNELS) {
        for (const width of WIDTHS) {
          for (const k of KS) {
            for (const height of [1, 2]) {
              const c = makeCase({ inputShape: [1, k, height, width], inputLayout: layout, outChannels: co, seed: seed++ });
              expectAccurate(c, runTiled(c, { ...BLOCKS, kernel }), `Co=${co} W=${width} H=${height} K=${k}`);
            }
          }
        }
      }
    });
  }
});

describe('JS microtile 3x4 (the default)', () => {
  // mr = 3, nr = 4, mc = 6, nc = 8, kc = 5: sizes around each of them.
  const channels = [...new Set([...around(3), ...around(6)])];
  const widths = [...new Set([...around(4), ...around(8)])];
  for (const layout of ['NCHW', 'NHWC'] as Layout[]) {
    it(`Co/g × pixels × K grid, groups 2 (${layout})`, () => {
      let seed = 900;
      for (const co of channels) {
        for (const width of widths) {
          for (const k of KS) {
            const c = makeCase({ inputShape: [1, 2 * k, 2, width], inputLayout: layout, outChannels: 2 * co, groups: 2, seed: seed++ });
            expectAccurate(c, runTiled(c, { microtile: '3x4', mc: 6, nc: 8, kc: 5, kernel: 'js' }), `Co/g=${co} W=${width} K=${k}`);
          }
        }
      }
    });
  }
});

describe.each(KERNELS)('shapes (%s microkernel)', (kernel) => {
  it('N > 1 with padding and stride, both layouts', () => {
    for (const layout of ['NCHW', 'NHWC'] as Layout[]) {
      const c = makeCase({ inputShape: [3, 10, 9, 8], inputLayout: layout, outChannels: 13, stride: 2, padding: 1, activation: 'relu' });
      expectAccurate(c, runTiled(c, { kernel }), layout);
      expectAccurate(c, runTiled(c, { nc: 8, mc: 4, kernel }), layout);
    }
  });

  it('Ci/groups = 1 (depthwise 1×1 and a channel multiplier)', () => {
    const depthwise = makeCase({ inputShape: [2, 12, 5, 5], outChannels: 12, groups: 12, padding: 1 });
    expectAccurate(depthwise, runTiled(depthwise, { kernel }));
    const multiplier = makeCase({ inputShape: [1, 4, 6, 7], inputLayout: 'NHWC', outputLayout: 'NCHW', outChannels: 12, groups: 4 });
    expectAccurate(multiplier, runTiled(multiplier, { kernel }));
  });

  it('K = Ci/groups ≥ 4096, several kc panels', () => {
    const c = makeCase({ inputShape: [1, 4100, 3, 3], outChannels: 5, inputLayout: 'NHWC', outputLayout: 'NCHW' });
    expectAccurate(c, runTiled(c, { kernel }));
    const grouped = makeCase({ inputShape: [1, 8192, 2, 2], outChannels: 6, groups: 2, seed: 5 });
    expectAccurate(grouped, runTiled(grouped, { kc: 1000, kernel }));
  });

  it('a 1×1 image and an output made only of padding cells', () => {
    const one = makeCase({ inputShape: [1, 3, 1, 1], outChannels: 2 });
    expectAccurate(one, runTiled(one, { kernel }));
    // stride 4 with padding 2: rows/columns 0 and 2 come from padding, only (1, 1) reads the input.
    const padded = makeCase({ inputShape: [1, 3, 3, 3], outChannels: 5, stride: 4, padding: 2, activation: 'relu6' });
    expectAccurate(padded, runTiled(padded, { kernel }));
  });
});
