import {
  checkAccuracy,
  createTensor,
  describeAccuracy,
  InvalidArgumentError,
  normalizeConv1x1,
  referenceConv1x1,
  type Conv1x1Problem,
  type Conv1x1Geometry,
  type Layout,
} from '@pointwise/core';
import { seededValues } from '@pointwise/testing';
import { describe, expect, it } from 'vitest';
import wabtInit from 'wabt';
import { CpuTiledBackend } from '../cpu-tiled-backend.js';
import { fullOutputRange, gemmKernel, type OutputRange } from '../kernel.js';
import { buildGemmModule } from './gemm-module.js';
import { detectWasmSimd } from './simd-support.js';

interface Case {
  readonly problem: Conv1x1Problem;
  readonly x: Float32Array;
}

function makeCase(inputShape: [number, number, number, number], co: number, options: Omit<Conv1x1Problem, 'inputShape' | 'weights' | 'bias'> & { bias?: boolean } = {}, seed = 1): Case {
  const { bias: withBias = true, ...rest } = options;
  const k = inputShape[1] / (rest.groups ?? 1);
  const problem: Conv1x1Problem = {
    ...rest,
    inputShape,
    weights: { data: seededValues(co * k, seed), shape: [co, k] },
    bias: withBias ? seededValues(co, seed + 1) : null,
  };
  return { problem, x: seededValues(inputShape.reduce((a, b) => a * b, 1), seed + 2) };
}

/**
 * Runs `ranges` (default: the whole output) with the WASM microkernel through
 * the kernel interface, each range bound on its own thread index of one
 * memory (shared, as worker threads would; or the realm's workspace).
 */
function runWasm(geometry: Conv1x1Geometry, weights: Float32Array, bias: Float32Array | null, x: Float32Array, ranges?: OutputRange[], shared = false): Float32Array {
  const kernel = gemmKernel('f32-gemm-4x8-minmax-wasmsimd');
  const threads = ranges?.length ?? 1;
  const setup = kernel.prepare({ geometry, weights, bias, threads, shared });
  try {
    const list = ranges ?? [fullOutputRange(setup.plan)];
    const caller = kernel.bind(setup, 0);
    caller.memory!.stageInput(x, 0, x.length);
    list.forEach((range, thread) => kernel.bind(setup, thread).runRange(range, null, null));
    const out = new Float32Array(caller.memory!.outputLength);
    caller.memory!.copyOutput(out, 0, out.length);
    return out;
  } finally {
    kernel.release(setup);
  }
}

function runJs(geometry: Conv1x1Geometry, weights: Float32Array, bias: Float32Array | null, x: Float32Array): Float32Array {
  const kernel = gemmKernel('f32-gemm-3x4-minmax-scalar');
  const setup = kernel.prepare({ geometry, weights, bias, threads: 1, shared: false });
  const out = new Float32Array(geometry.outputShape.reduce((a, b) => a * b, 1));
  kernel.bind(setup, 0).runRange(fullOutputRange(setup.plan), x, out);
  return out;
}

/** Checks the WASM result against the reference bound, and against the JS kernel (within the bound of each element). */
function expectAccurate({ problem, x }: Case): void {
  const { geometry, weights, bias } = normalizeConv1x1(problem);
  const reference = referenceConv1x1(geometry, x, weights, bias);
  const wasm = runWasm(geometry, weights, bias, x);
  const report = checkAccuracy(wasm, reference, { k: geometry.inChannelsPerGroup });
  expect(report.failureCount, describeAccuracy(report)).toBe(0);
  const js = runJs(geometry, weights, bias, x);
  for (let i = 0; i < js.length; i++) {
    if (Number.isNaN(reference.values[i])) continue;
    const bound = 2 * (2 * geometry.inChannelsPerGroup * 2 ** -24 * reference.magnitudes[i] + 2 ** -24 * Math.abs(reference.values[i]));
    if (Math.abs(wasm[i] - js[i]) > bound) expect.fail(`element ${i}: wasm ${wasm[i]} vs js ${js[i]} (bound ${bound})`);
  }
}

describe('WASM SIMD GEMM module', () => {
  it('is valid WebAssembly with SIMD (wabt) and compiles in V8, shared and unshared', async () => {
    const wabt = await wabtInit();
    const bytes = buildGemmModule({ shared: false, maximumPages: 65536 });
    const module = wabt.readWasm(bytes, { readDebugNames: false, simd: true });
    module.validate();
    expect(module.toText({})).toContain('f32x4.mul');
    module.destroy();
    expect(WebAssembly.validate(buildGemmModule({ shared: true, maximumPages: 65536 }))).toBe(true);
    expect(detectWasmSimd().supported).toBe(true);
  });
});

describe('WASM SIMD microkernel against the reference and the JS microkernel', () => {
  const layouts: [Layout, Layout][] = [['NCHW', 'NCHW'], ['NHWC', 'NHWC'], ['NCHW', 'NHWC'], ['NHWC', 'NCHW']];
  for (const [inputLayout, outputLayout] of layouts) {
    describe(`${inputLayout} → ${outputLayout}`, () => {
      it('sizes around the 4 × 8 tile (Co, pixels) and K', () => {
        for (const co of [1, 3, 4, 5, 8, 9]) {
          for (const [h, w] of [[1, 1], [1, 7], [2, 4], [3, 3], [1, 9]]) {
            for (const ci of [1, 4, 5]) expectAccurate(makeCase([1, ci, h, w], co, { inputLayout, outputLayout }, co * 100 + h * 10 + w + ci));
          }
        }
      });
      it('stride, asymmetric padding, groups, batch, no bias, every activation', () => {
        const activations = ['none', 'relu', 'relu6', { type: 'clamp', min: -0.25, max: 0.5 }] as const;
        activations.forEach((activation, i) => {
          expectAccurate(makeCase([2, 6, 7, 5], 10, { inputLayout, outputLayout, stride: [2, 1], padding: [1, 2, 0, 3], groups: 2, activation }, i));
          expectAccurate(makeCase([3, 12, 5, 6], 9, { inputLayout, outputLayout, stride: 3, padding: 2, groups: 3, bias: false, activation }, i + 10));
          expectAccurate(makeCase([1, 8, 4, 4], 8, { inputLayout, outputLayout, groups: 8, activation }, i + 20));
        });
      });
    });
  }

  it('K = Ci/g ≥ 4096 and pixel blocks larger than nc', () => {
    expectAccurate(makeCase([1, 4100, 3, 3], 6, {}, 7));
    expectAccurate(makeCase([1, 24, 23, 29], 40, { inputLayout: 'NHWC', outputLayout: 'NCHW', padding: 1 }, 8));
  });

  it('NaN, ±Inf and subnormal inputs; padded cells are act(b + Σ w·0): NaN with an infinite weight', () => {
    const c = makeCase([1, 5, 4, 4], 6, { padding: 1, activation: 'relu' }, 3);
    c.x[0] = NaN;
    c.x[17] = Infinity;
    c.x[40] = -Infinity;
    c.x[41] = 1e-41;
    c.x[42] = -3e-39;
    expectAccurate(c);
    const inf = makeCase([1, 4, 3, 3], 5, { padding: 1 }, 4);
    (inf.problem.weights as { data: Float32Array }).data[2] = Infinity;
    expectAccurate(inf);
  });
});

describe('runRange of the WASM SIMD kernel', () => {
  it('assembles a bit-identical output from disjoint ranges over one shared memory', () => {
    const { geometry, weights, bias } = normalizeConv1x1(makeCase([2, 16, 9, 7], 20, { padding: [1, 0], groups: 2, outputLayout: 'NHWC' }).problem);
    const x = seededValues(2 * 16 * 9 * 7, 5);
    const full = runWasm(geometry, weights, bias, x);
    const pixels = geometry.outHeight * geometry.outWidth;
    const ranges: OutputRange[] = [
      { batchStart: 0, batchEnd: 1, channelStart: 0, channelEnd: 20, pixelStart: 0, pixelEnd: pixels },
      { batchStart: 1, batchEnd: 2, channelStart: 0, channelEnd: 7, pixelStart: 0, pixelEnd: 13 },
      { batchStart: 1, batchEnd: 2, channelStart: 0, channelEnd: 7, pixelStart: 13, pixelEnd: pixels },
      { batchStart: 1, batchEnd: 2, channelStart: 8, channelEnd: 20, pixelStart: 0, pixelEnd: pixels },
      { batchStart: 1, batchEnd: 2, channelStart: 4, channelEnd: 8, pixelStart: 0, pixelEnd: pixels },
    ];
    const split = runWasm(geometry, weights, bias, x, ranges, detectWasmSimd().sharedMemory);
    expect(Buffer.from(split.buffer).equals(Buffer.from(full.buffer))).toBe(true);
  });

  it('rejects a channelStart that is not on a 4-channel tile of its group', () => {
    const { geometry, weights, bias } = normalizeConv1x1(makeCase([1, 4, 2, 2], 8).problem);
    const range = { batchStart: 0, batchEnd: 1, channelStart: 2, channelEnd: 8, pixelStart: 0, pixelEnd: 4 };
    expect(() => runWasm(geometry, weights, bias, seededValues(16, 1), [range])).toThrow(InvalidArgumentError);
  });
});

describe('CpuTiledBackend kernel selection', () => {
  it("defaults to 'wasm-simd' where SIMD exists, runs 'js' when asked, and both match the reference", async () => {
    const c = makeCase([1, 8, 5, 5], 12, { activation: 'relu6', padding: 1 }, 9);
    const { geometry, weights, bias } = normalizeConv1x1(c.problem);
    const reference = referenceConv1x1(geometry, c.x, weights, bias);
    for (const [options, kernel] of [[{}, 'wasm-simd'], [{ kernel: 'js' as const }, 'js'], [{ kernel: 'wasm-simd' as const }, 'wasm-simd']] as const) {
      const op = await new CpuTiledBackend(options).prepare({ geometry, weights, bias });
      expect(op.info.details?.kernel).toBe(kernel);
      const out = createTensor(new Float32Array(geometry.outputShape.reduce((a, b) => a * b, 1)), geometry.outputShape, geometry.outputLayout);
      op.runSync!(createTensor(c.x, geometry.inputShape, geometry.inputLayout), out);
      expect(checkAccuracy(out.data, reference, { k: geometry.inChannelsPerGroup }).failureCount).toBe(0);
      op.dispose();
    }
  });
});
