import { BackendRegistry, checkAccuracy, createTensor, normalizeConv1x1, prepareConv1x1, referenceConv1x1, type Conv1x1Problem } from '@pointwise/core';
import { seededValues } from '@pointwise/testing';
import { describe, expect, it } from 'vitest';
import { registerCpuTiledBackend } from '../src/index.js';
import { WEIGHT_CACHE_BYTES, workspaceStats } from '../src/wasm/workspace.js';

function problem(ci: number, co: number, h: number, w: number, seed: number, extra: Partial<Conv1x1Problem> = {}): Conv1x1Problem {
  return { inputShape: [1, ci, h, w], weights: { data: seededValues(co * ci, seed), shape: [co, ci] }, bias: seededValues(co, seed + 1), ...extra };
}

function expectReference(p: Conv1x1Problem, x: Float32Array, out: Float32Array, label: string): void {
  const { geometry, weights, bias } = normalizeConv1x1(p);
  const report = checkAccuracy(out, referenceConv1x1(geometry, x, weights, bias), { k: geometry.inChannelsPerGroup });
  expect(report.failureCount, label).toBe(0);
}

/** Prepares each problem on the wasm-simd kernel (the realm's workspace) with its input; runs them in turn `rounds` times, each checked; counts the weight bytes copied from the first prepare on. */
async function takeTurns(problems: readonly Conv1x1Problem[], rounds: number): Promise<{ copied: number; packedBytes: number }> {
  const registry = new BackendRegistry();
  registerCpuTiledBackend(registry, { kernel: 'wasm-simd' });
  const ops = [];
  const before = workspaceStats().weightBytesCopied;
  for (const [i, p] of problems.entries()) {
    const op = await prepareConv1x1(p, { registry });
    expect(op.info.details.microkernel).toBe('f32-gemm-4x8-minmax-wasmsimd');
    const x = seededValues(p.inputShape.reduce((a, b) => a * b, 1), 100 + i);
    ops.push({ p, op, x: createTensor(x, p.inputShape, p.inputLayout ?? 'NCHW') });
  }
  for (let round = 0; round < rounds; round++) {
    for (const [i, { p, op, x }] of ops.entries()) {
      const out = op.runSync(x);
      expectReference(p, x.data, out.data, `operator ${i} round ${round}`);
    }
  }
  const copied = workspaceStats().weightBytesCopied - before;
  const packedBytes = ops.reduce((sum, { op }) => sum + 4 * packedFloats(op.geometry.outChannels, op.geometry.inChannelsPerGroup), 0);
  for (const { op } of ops) op.dispose();
  return { copied, packedBytes };
}

/** Packed floats of a 4 × 8 plan without groups: weights and bias padded to tiles of 4 channels, then the padded-cell values. */
function packedFloats(co: number, k: number): number {
  const rows = Math.ceil(co / 4) * 4;
  return rows * k + 2 * rows;
}

describe('the workspace keeps recently run operators’ weights (weight cache)', () => {
  it('operators taking turns copy their packed weights in once, not at every run, and stay correct', async () => {
    const problems = [
      problem(64, 40, 7, 7, 1, { activation: 'relu6' }),
      problem(48, 36, 5, 6, 3, { inputLayout: 'NHWC', outputLayout: 'NHWC', stride: 2, padding: 1 }),
      problem(32, 24, 9, 9, 5, { groups: 2, weights: { data: seededValues(24 * 16, 5), shape: [24, 16] } }),
    ];
    const { copied } = await takeTurns(problems, 5);
    // Five rounds of three alternating operators: each copied once (grouped: its own packing, 2 groups of 12 channels).
    const expected = 4 * (packedFloats(40, 64) + packedFloats(36, 48) + 2 * packedFloats(12, 16));
    expect(copied).toBe(expected);
  });

  it('operators whose weights exceed the cache still run correctly, copying again once the cache was emptied', async () => {
    // Three operators of 2048 → 1600 channels on one pixel: 13.1 MB of packed weights each, 39 MB together > 32 MiB.
    const problems = [0, 1, 2].map((i) => problem(2048, 1600, 1, 1, 40 + i));
    const { copied, packedBytes } = await takeTurns(problems, 2);
    expect(packedBytes).toBeGreaterThan(WEIGHT_CACHE_BYTES);
    // The first round fills the cache (the third empties it); the second round copies again.
    expect(copied).toBeGreaterThan(packedBytes);
  });
});
