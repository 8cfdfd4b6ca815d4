import { seededValues } from '@pointwise/testing';
import { describe, expect, it } from 'vitest';
import { GATHER_PADDING } from '../src/pixel-block.js';
import { gemmModule } from '../src/wasm/wasm-kernel.js';
import { expectAccurate, makeCase, runTiled, type Case, type CaseSpec } from './helpers.js';

interface GatherExports {
  gather_panels(dst: number, src: number, offsets: number, pixels: number, k: number, kStride: number): void;
}

/** Memory layout of the direct test (bytes): table, then source, then panels. */
const TABLE = 0;
const SRC = 4096;
const DST = 65536;

/**
 * Runs `gather_panels` over a table whose pixel `p` reads source pixel
 * `(7·p + 3) mod sources` (or is padding where `padded(p)`), and checks every
 * value its contract writes against the definition: panel `p >> 3`, row `s`,
 * lane `p & 7` holds `src[offset(p) + s·kStride]`, or 0 for padding.
 */
function checkGather(pixels: number, k: number, layout: 'NHWC' | 'NCHW', padded: (p: number) => boolean): void {
  const memory = new WebAssembly.Memory({ initial: 4, maximum: 4 });
  const { gather_panels } = new WebAssembly.Instance(gemmModule(false), { env: { memory } }).exports as unknown as GatherExports;
  const f32 = new Float32Array(memory.buffer);
  const u32 = new Uint32Array(memory.buffer);
  const sources = 37;
  f32.set(seededValues(sources * k, 5 + k), SRC / 4);
  // NHWC: a source pixel's k channels are adjacent; NCHW: channel planes of `sources` values.
  const kStride = layout === 'NHWC' ? 4 : sources * 4;
  const pixelStride = layout === 'NHWC' ? k * 4 : 4;
  const offsetOf = (p: number): number => ((7 * p + 3) % sources) * pixelStride;
  for (let p = 0; p < pixels; p++) u32[TABLE / 4 + p] = padded(p) ? GATHER_PADDING : offsetOf(p);
  f32.fill(Number.NaN, DST / 4, DST / 4 + Math.ceil(pixels / 8) * 8 * k);
  gather_panels(DST, SRC, TABLE, pixels, k, kStride);
  const mismatches: string[] = [];
  for (let p = 0; p < pixels; p++) {
    for (let s = 0; s < k; s++) {
      const at = DST / 4 + (p >> 3) * k * 8 + s * 8 + (p & 7);
      const expected = padded(p) ? 0 : f32[(SRC + offsetOf(p) + s * kStride) / 4];
      if (!Object.is(f32[at], expected)) mismatches.push(`pixel ${p} channel ${s}: ${f32[at]} ≠ ${expected}`);
    }
  }
  expect(mismatches.slice(0, 5), `${layout} pixels ${pixels} k ${k}`).toEqual([]);
}

describe('gather_panels (the WASM kernel’s input packing)', () => {
  const ks = [1, 3, 4, 5, 8, 13, 16];
  const pixelCounts = [1, 7, 8, 9, 21, 24];
  it.each(['NHWC', 'NCHW'] as const)('%s: every panel value is the source value the table names (full, partial panels; k mod 4 = 0…3)', (layout) => {
    for (const k of ks) for (const pixels of pixelCounts) checkGather(pixels, k, layout, () => false);
  });

  it.each(['NHWC', 'NCHW'] as const)('%s: padding entries give 0, in full panels (the one-value-at-a-time path) and beside full SIMD panels', (layout) => {
    for (const k of ks) {
      // Panel 0 full without padding (SIMD in NHWC), panel 1 with a padding pixel, panel 2 partial with padding.
      checkGather(21, k, layout, (p) => p === 11 || p === 20);
      checkGather(24, k, layout, (p) => p % 5 === 3);
    }
  });
});

/** A case with NCHW input and the same case with its input transposed to NHWC (the output layout of `spec`, default NCHW, for both). */
function bothLayouts(given: CaseSpec): { readonly nchw: Case; readonly nhwc: Case } {
  const spec = { ...given, outputLayout: given.outputLayout ?? 'NCHW' };
  const c = makeCase(spec);
  const [n, ch, h, w] = spec.inputShape;
  const x = new Float32Array(c.x.length);
  for (let i = 0; i < n; i++)
    for (let y = 0; y < h; y++)
      for (let xx = 0; xx < w; xx++)
        for (let cc = 0; cc < ch; cc++) x[((i * h + y) * w + xx) * ch + cc] = c.x[((i * ch + cc) * h + y) * w + xx];
  const nhwc = makeCase({ ...spec, inputLayout: 'NHWC' });
  return { nchw: c, nhwc: { ...nhwc, x } };
}

describe('NHWC input through the SIMD gather: bit-identical to the same problem with NCHW input', () => {
  const specs: [string, CaseSpec][] = [
    ['K = 16, stride 1, no padding (NCHW read in place)', { inputShape: [1, 16, 9, 11], outChannels: 12 }],
    ['K = 13 (k mod 4 = 1), stride 2, padding 1, groups 1', { inputShape: [1, 13, 10, 9], outChannels: 9, stride: 2, padding: 1 }],
    ['K = 12 per group, groups 2, stride 2, padding [1, 2], relu6, NHWC output', { inputShape: [2, 24, 11, 8], outChannels: 20, groups: 2, stride: 2, padding: [1, 2], activation: 'relu6', outputLayout: 'NHWC' }],
    ['K = 7 per group, groups 3, stride 3, padding 2', { inputShape: [1, 21, 13, 13], outChannels: 15, groups: 3, stride: 3, padding: 2 }],
    ['K = 3 (below one SIMD step), stride 1, padding 1', { inputShape: [1, 3, 6, 6], outChannels: 8, padding: 1 }],
    ['K = 96, 56² (MobileNetV2-like), stride 2', { inputShape: [1, 96, 20, 20], outChannels: 24, stride: 2 }],
  ];
  it.each(specs)('%s', (_label, spec) => {
    const { nchw, nhwc } = bothLayouts(spec);
    const fromNhwc = runTiled(nhwc, { kernel: 'wasm-simd' });
    const fromNchw = runTiled(nchw, { kernel: 'wasm-simd' });
    expectAccurate(nhwc, fromNhwc, 'NHWC');
    expect(new Uint32Array(fromNhwc.buffer)).toEqual(new Uint32Array(fromNchw.buffer));
    // The scalar kernel reads NHWC along its own contiguous axis: the same problem, within the same bound.
    expectAccurate(nhwc, runTiled(nhwc, { kernel: 'js' }), 'NHWC js');
  });
});
