import { InvalidArgumentError, normalizeConv1x1 } from '@pointwise/core';
import { describe, expect, it } from 'vitest';
import { GEMM_KERNELS, chooseGemmKernel, detectKernelFeatures, gemmKernel, kernelsForOptions, resolvePlanOptions, type PlanOptions } from '../src/kernel.js';
import { packWeights } from '../src/pack-weights.js';
import { planConv1x1 as planFor } from '../src/plan.js';

/** Plans `geometry` for the kernel the options name (the table's first of them). */
function planConv1x1(g: Parameters<typeof planFor>[0], options: PlanOptions = {}) {
  return planFor(g, kernelsForOptions({ kernel: 'js', ...options })[0], options);
}

function geometry(ci: number, co: number, size: number, groups = 1) {
  return normalizeConv1x1({
    inputShape: [1, ci, size, size],
    weights: { data: new Float32Array(co * (ci / groups)), shape: [co, ci / groups] },
    groups,
  }).geometry;
}

describe('planConv1x1', () => {
  it('derives the blocks from the default cache sizes (32 KiB L1, 512 KiB L2)', () => {
    // Default microtile 3x4: kc = min(K, 16384 / 16) = 512; mc = 262144 / (4·512) = 128 → 126 (multiple of 3);
    // nc = 131072 / (4·512) = 64; 1024 channels make 342 tiles of 3.
    const plan = planConv1x1(geometry(512, 1024, 56));
    expect(plan).toMatchObject({ kernel: 'f32-gemm-3x4-minmax-scalar', mr: 3, nr: 4, kc: 512, mc: 126, nc: 64, tilesPerGroup: 342 });
    // With the 4x8 tile: kc = 16384 / 32 = 512, mc = 128.
    expect(planConv1x1(geometry(512, 1024, 56), { microtile: '4x8' })).toMatchObject({ mr: 4, nr: 8, kc: 512, mc: 128, nc: 64 });
    // Small problems clamp to the problem: K = 16, Co = 7 (padded to 9), 3×3 = 9 pixels (padded to 12).
    expect(planConv1x1(geometry(16, 7, 3))).toMatchObject({ kc: 16, mc: 9, nc: 12, tilesPerGroup: 3 });
  });

  it('follows the cache sizes and rounds overrides up to the microtile', () => {
    const small = planConv1x1(geometry(512, 1024, 56), { microtile: '4x8', cache: { l1Bytes: 8192, l2Bytes: 65536 } });
    expect(small).toMatchObject({ kc: 128, mc: 64, nc: 8 });
    expect(planConv1x1(geometry(64, 64, 8), { mc: 5, nc: 9, kc: 1000, microtile: '4x8' })).toMatchObject({ mc: 8, nc: 16, kc: 64 });
  });

  it('a whole-K kernel takes a small map in one pixel block when the weights exceed twice L2', () => {
    const wasm = gemmKernel('f32-gemm-4x8-minmax-wasmsimd');
    // 2048→512 @7²: 4 MiB of weights > 1 MiB; 49 pixels (56 padded) ≤ 256: one block instead of nc = 131072 / 8192 = 16.
    expect(planFor(geometry(2048, 512, 7), wasm)).toMatchObject({ nc: 56, mc: 32 });
    // The scalar kernels keep the L2 rule; an nc option still wins; weights of 1 MiB (= 2·L2) or a 56² map keep it too.
    expect(planConv1x1(geometry(2048, 512, 7), { microtile: '4x8' })).toMatchObject({ nc: 16 });
    expect(planFor(geometry(2048, 512, 7), wasm, { nc: 24 })).toMatchObject({ nc: 24 });
    expect(planFor(geometry(1024, 256, 14), wasm)).toMatchObject({ nc: 32 });
    expect(planFor(geometry(1024, 1024, 56), wasm)).toMatchObject({ nc: 32 });
    // A smaller L2 moves the threshold: 1024→256 @14² (1 MiB) against an L2 of 256 KiB: 196 pixels → 200.
    expect(planFor(geometry(1024, 256, 14), wasm, { cache: { l2Bytes: 262144 } })).toMatchObject({ nc: 200 });
  });

  it('rejects bad options', () => {
    const g = geometry(4, 4, 2);
    expect(() => planConv1x1(g, { mc: 0 })).toThrow(InvalidArgumentError);
    expect(() => planConv1x1(g, { kc: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => planConv1x1(g, { cache: { l2Bytes: -1 } })).toThrow(InvalidArgumentError);
    expect(() => resolvePlanOptions({ microtile: '9x9' as never })).toThrow(/microtile: expected one of "3x4", "4x8"/);
    expect(() => resolvePlanOptions({ kernel: 'cuda' as never })).toThrow(/kernel: expected "js" or "wasm-relaxed-simd" or "wasm-simd", received "cuda"/);
    expect(() => resolvePlanOptions({ kernel: 'wasm-simd', microtile: '3x4' })).toThrow(/microtile: expected "4x8" with kernel "wasm-simd"/);
  });

  it('takes mr, nr and the kc rule from the kernel table entry', () => {
    const g = geometry(512, 1024, 56);
    const wasm = gemmKernel('f32-gemm-4x8-minmax-wasmsimd');
    expect(wasm).toMatchObject({ option: 'wasm-simd', mr: 4, nr: 8, accumulation: 'float32', feature: 'wasm-simd', wholeK: true, ownsMemory: true });
    // A whole-K kernel plans kc = K, visibly, and says so in its entry; a kc option applies to the scalar kernels.
    expect(planFor(g, wasm, { kc: 64 })).toMatchObject({ kernel: wasm.name, mr: 4, nr: 8, kc: 512 });
    expect(planConv1x1(g, { kc: 64 })).toMatchObject({ kc: 64 });
    expect(GEMM_KERNELS.map((k) => [k.name, k.option, k.mr, k.nr, k.accumulation, k.feature])).toEqual([
      ['f32-gemm-4x8-minmax-wasmrelaxedsimd', 'wasm-relaxed-simd', 4, 8, 'float32-fma', 'wasm-relaxed-simd'],
      ['f32-gemm-4x8-minmax-wasmsimd', 'wasm-simd', 4, 8, 'float32', 'wasm-simd'],
      ['f32-gemm-3x4-minmax-scalar', 'js', 3, 4, 'float64', 'none'],
      ['f32-gemm-4x8-minmax-scalar', 'js', 4, 8, 'float64', 'none'],
    ]);
    // Every entry's name says its tile.
    for (const k of GEMM_KERNELS) expect(k.name).toContain(`-${k.mr}x${k.nr}-`);
    expect(() => gemmKernel('f32-gemm-9x9-avx')).toThrow(InvalidArgumentError);
  });
});

describe('chooseGemmKernel (the one kernel choice of cpu-tiled and workers)', () => {
  it('takes the first entry the options name whose feature this engine offers', () => {
    // Node 20 has WebAssembly SIMD and shared WebAssembly memory; relaxed SIMD only behind a flag this run does not pass.
    expect(detectKernelFeatures().available).toEqual({ none: true, 'wasm-simd': true, 'wasm-relaxed-simd': false });
    expect(detectKernelFeatures().reasons['wasm-relaxed-simd']).toMatch(/--experimental-wasm-relaxed-simd/);
    // Asked for by name where it cannot run: the SIMD kernel of the same tile, with the reason.
    const relaxed = chooseGemmKernel({ kernel: 'wasm-relaxed-simd' });
    expect(relaxed.kernel.name).toBe('f32-gemm-4x8-minmax-wasmsimd');
    expect(relaxed.fallback).toMatch(/relaxed_madd/);
    expect(chooseGemmKernel({}).kernel.name).toBe('f32-gemm-4x8-minmax-wasmsimd');
    expect(chooseGemmKernel({ kernel: 'wasm-simd' })).toEqual({ kernel: gemmKernel('f32-gemm-4x8-minmax-wasmsimd') });
    expect(chooseGemmKernel({ kernel: 'js' }).kernel.name).toBe('f32-gemm-3x4-minmax-scalar');
    expect(chooseGemmKernel({ kernel: 'js', microtile: '4x8' }).kernel.name).toBe('f32-gemm-4x8-minmax-scalar');
    // A shape only the scalar kernels have picks one of them, without a fallback reason.
    expect(chooseGemmKernel({ microtile: '3x4' })).toEqual({ kernel: gemmKernel('f32-gemm-3x4-minmax-scalar') });
    expect(chooseGemmKernel({ microtile: '4x8' }).kernel.name).toBe('f32-gemm-4x8-minmax-wasmsimd');
  });
});

describe('packWeights', () => {
  it('lays out tiles of mr channels per group, K columns each, zero-padded, bias after, padded-cell values last', () => {
    // Co = 6, groups = 2 → 3 channels per group, one 4-row tile per group; K = 2.
    const g = normalizeConv1x1({
      inputShape: [1, 4, 1, 1],
      weights: { data: Float32Array.from({ length: 12 }, (_, i) => i + 1), shape: [6, 2] },
      bias: Float32Array.from([10, 20, 30, 40, 50, 60]),
      groups: 2,
    });
    const plan = planConv1x1(g.geometry, { microtile: '4x8' });
    const packed = packWeights(plan, g.weights, g.bias);
    // group 0: k=0 → w[0..2][0] = 1, 3, 5, pad; k=1 → 2, 4, 6, pad; group 1 likewise from channel 3.
    // After the bias: act(b + Σ w·0) per channel (finite weights: the bias itself), same tile order.
    expect(Array.from(packed)).toEqual([
      1, 3, 5, 0, 2, 4, 6, 0, 7, 9, 11, 0, 8, 10, 12, 0, 10, 20, 30, 0, 40, 50, 60, 0, 10, 20, 30, 0, 40, 50, 60, 0,
    ]);
    expect(plan.biasOffset).toBe(16);
    expect(plan.paddedOffset).toBe(24);
    expect(plan.packedLength).toBe(32);
  });
});
