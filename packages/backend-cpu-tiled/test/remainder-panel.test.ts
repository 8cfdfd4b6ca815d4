import type { Activation, Layout } from '@pointwise/core';
import { describe, expect, it } from 'vitest';
import { fullOutputRange, kernelsForOptions, type OutputRange, type PlanOptions } from '../src/kernel.js';
import { expectAccurate, makeCase, runTiled, type Case, type CaseSpec } from './helpers.js';

// The WASM kernels run a panel of at most 4 pixels (the remainder of a pixel block) two channel
// tiles at a time, with the roles of weights and operand swapped, and a panel of 1 pixel six tiles
// at a time (gemm-module.ts). These cases put 1–4 pixels in that panel, with an even and an odd
// number of tiles, a partial last tile, and groups of six tiles followed by pairs and single tiles.
const REMAINDERS = [1, 2, 3, 4];
// Co/g: 5 (2 tiles, the second of 1 row), 8 (2 full), 11 (3: a pair, then a single tile of 3 rows), 16 (4),
// 24 (6: one group of six), 27 (7: six, then a single tile of 3 rows), 45 (12: two groups of six, the last
// tile of 1 row), 57 (15: two groups of six, a pair, then a single tile of 1 row).
const CHANNELS = [5, 8, 11, 16, 24, 27, 45, 57];

/** Runs `ranges` of the WASM SIMD kernel on one bound setup, in the order given, and copies the output out. */
function runRanges(c: Case, options: PlanOptions, ranges: (plan: ReturnType<typeof fullOutputRange>) => OutputRange[]): Float32Array {
  const kernel = kernelsForOptions({ ...options, kernel: 'wasm-simd' })[0];
  const setup = kernel.prepare({ geometry: c.geometry, weights: c.weights, bias: c.bias, threads: 1, shared: false, plan: options });
  const bound = kernel.bind(setup, 0);
  const out = new Float32Array(c.geometry.outputShape.reduce((a, b) => a * b, 1));
  bound.memory!.stageInput(c.x, 0, c.x.length);
  for (const range of ranges(fullOutputRange(setup.plan))) bound.runRange(range, null, null);
  bound.memory!.copyOutput(out, 0, out.length);
  kernel.release(setup);
  return out;
}

/** Index of the first element whose bits differ (NaN payloads included), or −1. */
function firstBitDifference(a: Float32Array, b: Float32Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

describe('remainder panels of 1–4 pixels (wasm-simd)', () => {
  const layouts: [Layout, Layout][] = [['NCHW', 'NCHW'], ['NHWC', 'NHWC'], ['NCHW', 'NHWC'], ['NHWC', 'NCHW']];
  const activations: Activation[] = ['relu6', { type: 'clamp', min: -0.3, max: 0.4 }];

  for (const [inputLayout, outputLayout] of layouts) {
    it(`match the reference within the bound, groups 2, with and without stride / padding (${inputLayout} → ${outputLayout})`, () => {
      let seed = 300;
      for (const r of REMAINDERS) {
        for (const co of CHANNELS) {
          const spec = { inputLayout, outputLayout, groups: 2, activation: activations[seed % 2] };
          // Wo = 8 + r pixels in one row: a full panel, then r; K = 37 per group.
          const plain = makeCase({ ...spec, inputShape: [2, 74, 1, 8 + r], outChannels: 2 * co, seed: seed++ });
          expectAccurate(plain, runTiled(plain, { kernel: 'wasm-simd' }), `r=${r} Co/g=${co}`);
          expectAccurate(plain, runTiled(plain, { kernel: 'wasm-simd', mc: 8 }), `r=${r} Co/g=${co} mc=8`);
          // Stride 2 and padding 1 on a 7 × 7 map: a 5 × 5 output (3 × 3 read from the input), in blocks of nc = 8 + r.
          const strided = makeCase({ ...spec, inputShape: [1, 74, 7, 7], outChannels: 2 * co, stride: 2, padding: 1, seed: seed++ });
          expectAccurate(strided, runTiled(strided, { kernel: 'wasm-simd', nc: 8 + r }), `strided r=${r} Co/g=${co}`);
        }
      }
    });
  }

  it('a 7 × 7 map (49 pixels: six full panels and one of 1 pixel) at a large K, both layouts', () => {
    for (const layout of ['NCHW', 'NHWC'] as Layout[]) {
      const c = makeCase({ inputShape: [1, 640, 7, 7], inputLayout: layout, outChannels: 36, activation: 'relu', seed: 11 });
      expectAccurate(c, runTiled(c, { kernel: 'wasm-simd' }), layout);
    }
  });

  for (const [inputLayout, outputLayout] of layouts) {
    it(`a pixel has the same bits in a remainder panel as in a full panel (${inputLayout} → ${outputLayout})`, () => {
      let seed = 700;
      for (const r of REMAINDERS) {
        for (const co of CHANNELS) {
          const spec: CaseSpec = { inputShape: [1, 23, 1, 16 + r], inputLayout, outputLayout, outChannels: co, activation: 'relu6', seed: seed++ };
          const c = makeCase(spec);
          const pixels = 16 + r;
          // One block of all pixels: its last panel holds the r remainder pixels…
          const whole = runRanges(c, { nc: 256 }, (full) => [full]);
          // …against pixels [0, r) alone (a remainder panel) and [r, pixels) (full panels only), and the reverse split.
          const shifted = runRanges(c, { nc: 256 }, (full) => [
            { ...full, pixelStart: 0, pixelEnd: r },
            { ...full, pixelStart: r, pixelEnd: pixels },
          ]);
          const reversed = runRanges(c, { nc: 256 }, (full) => [
            { ...full, pixelStart: 0, pixelEnd: pixels - r },
            { ...full, pixelStart: pixels - r, pixelEnd: pixels },
          ]);
          expect(firstBitDifference(shifted, whole), `r=${r} Co=${co}`).toBe(-1);
          expect(firstBitDifference(reversed, whole), `r=${r} Co=${co}`).toBe(-1);
          expectAccurate(c, whole, `r=${r} Co=${co}`);
        }
      }
    });
  }
});
