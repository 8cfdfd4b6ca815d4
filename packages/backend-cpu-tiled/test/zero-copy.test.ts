import { BackendRegistry, checkAccuracy, createTensor, normalizeConv1x1, prepareConv1x1, referenceConv1x1, type Conv1x1Problem } from '@pointwise/core';
import { seededValues } from '@pointwise/testing';
import { describe, expect, it } from 'vitest';
import { registerCpuTiledBackend } from '../src/index.js';
import { wasmCopyStats } from '../src/kernel.js';
import { workspaceStats } from '../src/wasm/workspace.js';

function problem(ci: number, co: number, h: number, w: number, extra: Partial<Conv1x1Problem> = {}): Conv1x1Problem {
  return {
    inputShape: [1, ci, h, w],
    weights: { data: seededValues(co * ci, 11 + ci), shape: [co, ci] },
    bias: seededValues(co, 12 + co),
    activation: 'relu',
    ...extra,
  };
}

function registry(kernel: 'wasm-simd' | 'js'): BackendRegistry {
  const r = new BackendRegistry();
  registerCpuTiledBackend(r, { kernel });
  return r;
}

function expectReference(p: Conv1x1Problem, x: Float32Array, out: Float32Array): void {
  const { geometry, weights, bias } = normalizeConv1x1(p);
  const report = checkAccuracy(out, referenceConv1x1(geometry, x, weights, bias), { k: geometry.inChannelsPerGroup });
  expect(report.failureCount).toBe(0);
}

describe('zero-copy runs (createInput / createOutput)', () => {
  it.each([
    ['NCHW in place', problem(24, 20, 6, 7)],
    ['NHWC gathered, stride 2, padding 1, groups 2', problem(24, 20, 9, 7, { inputLayout: 'NHWC', outputLayout: 'NHWC', stride: 2, padding: 1, groups: 2, weights: { data: seededValues(20 * 12, 5), shape: [20, 12] } })],
  ])('%s: the input is read and the output written in place, equal to the reference and to a copying run', async (_label, p) => {
    const reg = registry('wasm-simd');
    const op = await prepareConv1x1(p, { registry: reg });
    expect(op.info.details.microkernel).toBe('f32-gemm-4x8-minmax-wasmsimd');
    expect(op.canCreateTensors).toBe(true);
    const x = op.createInput();
    const out = op.createOutput();
    expect(x.shape).toEqual(op.geometry.inputShape);
    expect(out.layout).toBe(op.geometry.outputLayout);
    const values = seededValues(x.data.length, 7);
    x.data.set(values);

    const before = wasmCopyStats();
    expect(op.runSync(x, out)).toBe(out);
    const after = wasmCopyStats();
    expect(after.inputBytes - before.inputBytes).toBe(0); // nothing staged
    expect(after.outputBytes - before.outputBytes).toBe(0); // nothing copied out
    expectReference(p, values, out.data);

    // Ordinary tensors still run on the same operator (copied in and out), bit-identical.
    const plain = op.runSync(createTensor(values.slice(), x.shape, x.layout));
    const copied = wasmCopyStats();
    expect(copied.inputBytes - after.inputBytes).toBe(values.length * 4);
    expect(copied.outputBytes - after.outputBytes).toBe(out.data.length * 4);
    expect(plain.data).toEqual(out.data);

    // Mixed: created input, plain output; plain input, created output.
    const plainOut = await op.run(x);
    expect(plainOut.data).toEqual(out.data);
    out.data.fill(-1);
    op.runSync(createTensor(values, x.shape, x.layout), out);
    expect(out.data).toEqual(plainOut.data);
    op.dispose();
    expect(() => op.createInput()).toThrow(/used after dispose/);
  });

  it('created tensors stay valid and private while other operators run and the shared workspace grows', async () => {
    const reg = registry('wasm-simd');
    const small = problem(16, 8, 4, 4);
    const op = await prepareConv1x1(small, { registry: reg });
    const x = op.createInput();
    const out = op.createOutput();
    const values = seededValues(x.data.length, 3);
    x.data.set(values);
    op.runSync(x, out);
    const first = out.data.slice();
    expectReference(small, values, first);

    // A larger operator makes the realm's workspace grow, and runs in it (ordinary tensors).
    const live = workspaceStats().liveOperators;
    const large = problem(64, 96, 24, 24);
    const big = await prepareConv1x1(large, { registry: reg });
    expect(workspaceStats().liveOperators).toBe(live + 1);
    const bx = seededValues(64 * 24 * 24, 9);
    expectReference(large, bx, big.runSync(createTensor(bx, [1, 64, 24, 24])).data);

    // The created views are not detached and were not overwritten.
    expect(x.data.length).toBe(values.length);
    expect(x.data).toEqual(values);
    expect(out.data).toEqual(first);
    x.data.set(seededValues(x.data.length, 4));
    op.runSync(x, out);
    expectReference(small, x.data.slice(), out.data);
    // Later calls view the same regions.
    expect(op.createInput().data.byteOffset).toBe(x.data.byteOffset);
    expect(op.createInput().data.buffer).toBe(x.data.buffer);
    big.dispose();
    op.dispose();
  });

  it('an operator that moves to its own memory gives up its share of the workspace', async () => {
    const reg = registry('wasm-simd');
    const op = await prepareConv1x1(problem(8, 8, 4, 4), { registry: reg });
    const live = workspaceStats().liveOperators;
    op.createOutput();
    expect(workspaceStats().liveOperators).toBe(live - 1);
    op.dispose();
    expect(workspaceStats().liveOperators).toBe(live - 1);
  });

  it("refuses the operator's own createOutput() tensor as x (the run computes there), with every buffer unchanged", async () => {
    // Ci = Co and stride 1: the output tensor has the input's shape, so only its memory tells it apart.
    const p = problem(8, 8, 4, 4);
    const op = await prepareConv1x1(p, { registry: registry('wasm-simd') });
    const zo = op.createOutput();
    zo.data.set(seededValues(zo.data.length, 3));
    const zi = op.createInput();
    zi.data.set(seededValues(zi.data.length, 4));
    const before = zo.data.slice();
    const plain = createTensor(new Float32Array(zo.data.length).fill(7), zo.shape);
    for (const out of [zi, plain, undefined]) {
      await expect(op.run(zo, out)).rejects.toMatchObject({ code: 'ALIASING', message: expect.stringContaining('createOutput()') });
      expect(() => op.runSync(zo, out)).toThrow(/createOutput\(\) tensor/);
    }
    expect(zo.data).toEqual(before);
    expect(zi.data).toEqual(seededValues(zi.data.length, 4));
    expect(plain.data.every((v) => v === 7)).toBe(true);
    // A copy of it is an ordinary input.
    const copy = createTensor(zo.data.slice(), zo.shape);
    const result = await op.run(copy, plain);
    expectReference(p, copy.data, result.data);
    op.dispose();
  });

  it('the js kernel has no memory of its own: no created tensors, with a typed error', async () => {
    const op = await prepareConv1x1(problem(8, 8, 4, 4), { registry: registry('js') });
    expect(op.canCreateTensors).toBe(false);
    expect(() => op.createInput()).toThrow(/createInput: expected a backend whose kernel owns its memory/);
    op.dispose();
  });
});
