import { OPTION_MATRIX, optionCombinations } from '@pointwise/testing';
import { describe, it } from 'vitest';
import { expectAccurate, KERNELS, makeCase, runTiled } from './helpers.js';

describe.each(KERNELS)('every option combination matches the reference (%s microkernel)', (kernel) => {
  for (const [inputLayout, outputLayout] of OPTION_MATRIX.layoutPairs) {
    it(`${inputLayout} → ${outputLayout}`, () => {
      let seed = 1;
      const combinations = optionCombinations().filter((c) => c.inputLayout === inputLayout && c.outputLayout === outputLayout);
      for (const { stride, padding, groups, bias: withBias, activation } of combinations) {
        const c = makeCase({
          inputShape: OPTION_MATRIX.inputShape,
          inputLayout,
          outputLayout,
          outChannels: OPTION_MATRIX.outChannels,
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
        expectAccurate(c, runTiled(c, { ...OPTION_MATRIX.smallBlocks, kernel }), label);
        expectAccurate(c, runTiled(c, { kernel }), label);
      }
    });
  }
});
