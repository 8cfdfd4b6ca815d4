import { describe, expect, it } from 'vitest';
import { expectAccurate, KERNELS, makeCase, runTiled } from './helpers.js';

const SUBNORMAL = 2 ** -140;

describe.each(KERNELS)('special values (%s microkernel)', (kernel) => {
  it('NaN, ±Inf and subnormal inputs propagate as in the reference', () => {
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const c = makeCase({ inputShape: [1, 8, 4, 5], inputLayout: layout, outChannels: 9, activation: 'relu' });
      c.x[3] = NaN;
      c.x[17] = Infinity;
      c.x[40] = -Infinity;
      c.x[41] = Infinity; // may meet -Inf in the same dot product: NaN in both
      c.x[60] = SUBNORMAL;
      c.x[61] = -SUBNORMAL;
      const out = runTiled(c, { kernel });
      expectAccurate(c, out, layout);
      expect(out.some(Number.isNaN)).toBe(true);
      expect(out.some((v) => v === Infinity)).toBe(true);
    }
  });

  it('subnormal products and sums are kept, not flushed', () => {
    const c = makeCase({ inputShape: [1, 2, 1, 3], outChannels: 1, withBias: false });
    c.x.set([SUBNORMAL, 2 ** -20, SUBNORMAL, 3 * SUBNORMAL, 0, 2 ** -10]); // NCHW: channel 0 then channel 1
    c.weights.set([0.5, 2 ** -20]);
    const out = runTiled(c, { kernel });
    // A subnormal result carries an absolute rounding error of up to half the subnormal spacing (2⁻¹⁵⁰),
    // which the relative bound of §5 does not cover; the values below are the correctly rounded ones.
    expectAccurate(c, out, 'subnormal', 2 ** -150);
    expect(out[0]).toBe(Math.fround(0.5 * SUBNORMAL + 2 ** -20 * 3 * SUBNORMAL));
    expect(out[2]).toBe(Math.fround(0.5 * SUBNORMAL + 2 ** -30));
  });

  it('NaN weights and an infinite bias; NaN survives relu6, Inf is clamped', () => {
    const c = makeCase({ inputShape: [1, 4, 3, 3], outChannels: 3, activation: 'relu6', padding: 1 });
    c.weights[1] = NaN;
    c.bias![2] = Infinity;
    const out = runTiled(c, { kernel });
    expectAccurate(c, out);
    expect(Number.isNaN(out[12])).toBe(true); // channel 0, an interior pixel (row 1 of the 5×5 output)
    expect(out[2 * 25]).toBe(6); // channel 2, a padded corner: relu6(+Inf)
  });
});
