/**
 * Issue 11 (reliability), cpu-tiled's part: 32-bit index arithmetic (item 1),
 * capacity limits that must not read as bad input (item 2), per-operator
 * resources and dropped operators (item 8), the padded border with non-finite
 * weights (item 9), activation bounds at the edges (item 7) and lying inputs
 * (item 11). The 2 GiB and 4 GiB inputs of the issue run with
 * `POINTWISE_LARGE_TESTS=1` (they need about 6 GiB of memory).
 */
import {
  BackendCapacityError,
  BackendRegistry,
  InvalidTensorError,
  checkAccuracy,
  createTensor,
  describeAccuracy,
  normalizeConv1x1,
  prepareConv1x1,
  referenceConv1x1,
  registerReferenceBackend,
  type Activation,
  type Conv1x1Problem,
} from '@pointwise/core';
import { seededValues } from '@pointwise/testing';
import { describe, expect, it } from 'vitest';
import { CpuTiledBackend, registerCpuTiledBackend, type MicrokernelKind } from '../src/index.js';
import { gemmKernel } from '../src/kernel.js';
import { GATHER_PADDING, createPixelMap, mapPixelBlock } from '../src/pixel-block.js';
import { planConv1x1 as planFor, type PlanOptions } from '../src/plan.js';
import { gemmModule } from '../src/wasm/wasm-kernel.js';
import { planWasmLayout } from '../src/wasm/wasm-layout.js';
import { workspaceStats } from '../src/wasm/workspace.js';
import { clampFloat32Bits, nonNegativeClampBits } from '../src/clamp-bits.js';
import { KERNELS } from './helpers.js';

/** The plan of the kernel `kernel` names for a geometry. */
function planConv1x1(geometry: Parameters<typeof planFor>[0], options: PlanOptions & { kernel: MicrokernelKind }) {
  return planFor(geometry, gemmKernel(options.kernel === 'js' ? 'f32-gemm-3x4-minmax-scalar' : 'f32-gemm-4x8-minmax-wasmsimd'), options);
}

const LARGE = process.env.POINTWISE_LARGE_TESTS === '1';
const LARGE_REASON = 'needs about 6 GiB of memory: set POINTWISE_LARGE_TESTS=1 to run it';

/** Prepares `problem` on cpu-tiled with `kernel` and runs it once on `x`. */
async function runBackend(problem: Conv1x1Problem, x: Float32Array, kernel?: MicrokernelKind) {
  const { geometry, weights, bias } = normalizeConv1x1(problem);
  const op = await new CpuTiledBackend(kernel === undefined ? {} : { kernel }).prepare({ geometry, weights, bias });
  const out = createTensor(new Float32Array(geometry.outputShape.reduce((a, b) => a * b, 1)).fill(-12345), geometry.outputShape, geometry.outputLayout);
  op.runSync!(createTensor(x, geometry.inputShape, geometry.inputLayout), out);
  return { op, out: out.data, geometry, weights, bias };
}

function expectMatchesReference(problem: Conv1x1Problem, x: Float32Array, out: Float32Array, label = ''): void {
  const { geometry, weights, bias } = normalizeConv1x1(problem);
  const reference = referenceConv1x1(geometry, x, weights, bias);
  const report = checkAccuracy(out, reference, { k: geometry.inChannelsPerGroup });
  expect(report.failureCount, `${label} ${describeAccuracy(report)}`).toBe(0);
}

describe('item 1: offsets and indices past 2^31 (small memory)', () => {
  it('gather_panels reads a table entry ≥ 2^31 as an unsigned byte offset, not as padding', () => {
    // One page of memory: src + offset wraps modulo 2^32 onto the bytes at 1024, which hold 7, 8, 9.
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
    const exports = new WebAssembly.Instance(gemmModule(false), { env: { memory } }).exports as unknown as {
      gather_panels(dst: number, src: number, offsets: number, pixels: number, k: number, kStride: number): void;
    };
    const f32 = new Float32Array(memory.buffer);
    const u32 = new Uint32Array(memory.buffer);
    f32.set([7, 8, 9], 1024 / 4);
    const src = 4096;
    const offset = 2 ** 32 - src + 1024; // 4294964224 ≥ 2^31
    u32[0] = offset;
    u32[1] = GATHER_PADDING;
    exports.gather_panels(2048, src, 0, 2, 3, 4); // 2 pixels, K = 3 channels 4 bytes apart (NHWC)
    // Panel: row s holds 8 pixels; pixel 0 = input, pixel 1 = padding (0).
    expect([f32[512], f32[520], f32[528]]).toEqual([7, 8, 9]);
    expect([f32[513], f32[521], f32[529]]).toEqual([0, 0, 0]);
  });

  it('the gather table of [1,1,24576,24576] NHWC stride 2 holds exact byte offsets ≥ 2^31 from output row 10923 on', () => {
    const { geometry } = normalizeConv1x1({ inputShape: [1, 1, 24576, 24576], inputLayout: 'NHWC', stride: 2, weights: { data: Float32Array.of(1), shape: [1, 1] } });
    const plan = planConv1x1(geometry, { kernel: 'wasm-simd' });
    const table = new Uint32Array(64);
    const map = createPixelMap(64);
    const p0 = 10923 * geometry.outWidth + 5;
    mapPixelBlock(plan, p0, p0 + 64, map, table, 0);
    expect(map.padded).toBe(0);
    for (let q = 0; q < 64; q++) {
      const expected = (2 * 10923 * 24576 + 2 * (5 + q)) * 4;
      expect(expected).toBeGreaterThanOrEqual(2 ** 31);
      expect(table[q]).toBe(expected);
    }
  });

  it('the JS kernel keeps element offsets ≥ 2^31 of one image exactly (no int32 table)', () => {
    // An image of 65536 × 40000 = 2.6·10⁹ elements (geometry only: no data is allocated).
    const { geometry } = normalizeConv1x1({ inputShape: [1, 1, 65536, 40000], inputLayout: 'NHWC', outputLayout: 'NHWC', weights: { data: Float32Array.of(1), shape: [1, 1] } });
    const plan = planConv1x1(geometry, { kernel: 'js' });
    const map = createPixelMap(plan.nc);
    const p0 = 60000 * 40000 + 17;
    mapPixelBlock(plan, p0, p0 + 8, map);
    expect({ interior: map.interior, padded: map.padded }).toEqual({ interior: 8, padded: 0 });
    for (let m = 0; m < 8; m++) {
      expect(map.inputOffsets[m]).toBe(p0 + m);
      expect(map.outputOffsets[m]).toBe(p0 + m);
    }
  });

  it.runIf(LARGE)('[1,1,24576,24576] NHWC stride 2, weights [[1]], ones: every output is 1 on wasm-simd (2.25 GiB input)', async () => {
    const problem: Conv1x1Problem = { inputShape: [1, 1, 24576, 24576], inputLayout: 'NHWC', stride: 2, weights: { data: Float32Array.of(1), shape: [1, 1] } };
    const x = new Float32Array(24576 * 24576).fill(1);
    const { op, out } = await runBackend(problem, x, 'wasm-simd');
    expect(op.info.details?.kernel).toBe('wasm-simd');
    let wrong = 0;
    for (let i = 0; i < out.length; i++) if (out[i] !== 1) wrong++;
    expect(out.length).toBe(12288 * 12288);
    expect(wrong).toBe(0);
    op.dispose();
  }, 600_000);
  it.skipIf(LARGE)(`[1,1,24576,24576] NHWC stride 2 on wasm-simd: skipped, ${LARGE_REASON}`, () => {});
});

describe('item 2: a capacity limit is not bad input', () => {
  const huge: Conv1x1Problem = { inputShape: [1, 1, 32768, 16384], weights: { data: Float32Array.of(1), shape: [1, 1] } };

  it('planWasmLayout past 4 GiB throws BackendCapacityError naming the limit', () => {
    const { geometry } = normalizeConv1x1(huge);
    const plan = planConv1x1(geometry, { kernel: 'wasm-simd' });
    expect(() => planWasmLayout(plan)).toThrow(BackendCapacityError);
    expect(() => planWasmLayout(plan, 1, 'workers')).toThrow(/^workers: this problem exceeds WebAssembly memory of 4294967296 bytes/);
  });

  it('cpu-tiled prepares [1,1,32768,16384] with its JS kernel and says why (no data touched)', async () => {
    const { geometry, weights, bias } = normalizeConv1x1(huge);
    for (const options of [{}, { kernel: 'wasm-simd' as const }]) {
      const op = await new CpuTiledBackend(options).prepare({ geometry, weights, bias });
      expect(op.info.details?.kernel).toBe('js');
      expect(String(op.info.details?.kernelFallback)).toMatch(/wasm-simd kernel cannot hold this problem.*4294967296 bytes.*the js kernel runs it/);
      op.dispose();
    }
  });

  it('a WebAssembly memory the engine refuses falls back to the JS kernel too', async () => {
    const original = WebAssembly.Memory;
    const c = { inputShape: [1, 3, 4, 4] as const, weights: { data: seededValues(6, 1), shape: [2, 3] as const }, padding: 1 };
    try {
      (WebAssembly as { Memory: unknown }).Memory = function () {
        throw new RangeError('WebAssembly.Memory(): could not allocate memory');
      };
      const x = seededValues(48, 2);
      const { op, out } = await runBackend({ ...c }, x, 'wasm-simd');
      expect(op.info.details?.kernel).toBe('js');
      expect(String(op.info.details?.kernelFallback)).toMatch(/could not allocate memory/);
      expectMatchesReference(c, x, out);
      op.dispose();
    } finally {
      (WebAssembly as { Memory: unknown }).Memory = original;
    }
  });

  it.runIf(LARGE)("[1,1,32768,16384] with backend ['cpu-tiled','reference'] runs on cpu-tiled (js): every output 1", async () => {
    const registry = new BackendRegistry();
    registerCpuTiledBackend(registry);
    registerReferenceBackend(registry);
    const op = await prepareConv1x1(huge, { registry, backend: ['cpu-tiled', 'reference'] as never });
    expect(op.backend).toBe('cpu-tiled');
    expect(op.info.details?.kernel).toBe('js');
    const x = createTensor(new Float32Array(32768 * 16384).fill(1), [1, 1, 32768, 16384]);
    const out = op.runSync(x);
    let wrong = 0;
    for (let i = 0; i < out.data.length; i++) if (out.data[i] !== 1) wrong++;
    expect(wrong).toBe(0);
    op.dispose();
  }, 600_000);
  it.skipIf(LARGE)(`[1,1,32768,16384] through ['cpu-tiled','reference']: skipped, ${LARGE_REASON}`, () => {});
});

describe('item 8: operators share one WebAssembly workspace; dropped ones are reclaimed', () => {
  it('many live operators run interleaved in one workspace, each with its own weights', async () => {
    const before = workspaceStats().liveOperators;
    const ops = [];
    for (let i = 0; i < 40; i++) {
      const problem: Conv1x1Problem = {
        inputShape: [1, 3 + (i % 5), 3 + (i % 3), 4],
        weights: { data: seededValues((2 + (i % 4)) * (3 + (i % 5)), i), shape: [2 + (i % 4), 3 + (i % 5)] },
        bias: seededValues(2 + (i % 4), i + 100),
        padding: i % 2,
        activation: i % 3 === 0 ? 'relu' : 'none',
      };
      const { geometry, weights, bias } = normalizeConv1x1(problem);
      ops.push({ problem, geometry, op: await new CpuTiledBackend({ kernel: 'wasm-simd' }).prepare({ geometry, weights, bias }) });
    }
    expect(workspaceStats().liveOperators).toBe(before + 40);
    for (const round of [0, 1]) {
      for (const [i, { problem, geometry, op }] of ops.entries()) {
        const x = seededValues(geometry.inputShape.reduce((a, b) => a * b, 1), 1000 + i + round);
        const out = createTensor(new Float32Array(geometry.outputShape.reduce((a, b) => a * b, 1)), geometry.outputShape);
        op.runSync!(createTensor(x, geometry.inputShape), out);
        expectMatchesReference(problem, x, out.data, `operator ${i} round ${round}`);
      }
    }
    for (const { op } of ops) op.dispose();
    expect(workspaceStats().liveOperators).toBe(before);
    if (before === 0) expect(workspaceStats().bytes).toBe(0);
  });

  it('a disposed large operator lets the workspace shrink back', async () => {
    const small = await runBackend({ inputShape: [1, 2, 2, 2], weights: { data: seededValues(2, 1), shape: [1, 2] } }, seededValues(8, 2), 'wasm-simd');
    const large = await runBackend({ inputShape: [1, 4, 1024, 1024], weights: { data: seededValues(4, 3), shape: [1, 4] } }, new Float32Array(4 * 1024 * 1024), 'wasm-simd');
    const grown = workspaceStats().bytes;
    expect(grown).toBeGreaterThan(20 * 2 ** 20);
    large.op.dispose();
    expect(workspaceStats().bytes).toBeLessThan(grown);
    // The small one still runs correctly in the replaced workspace.
    const x = seededValues(8, 5);
    const out = createTensor(new Float32Array(4), [1, 1, 2, 2]);
    small.op.runSync!(createTensor(x, [1, 2, 2, 2]), out);
    expectMatchesReference({ inputShape: [1, 2, 2, 2], weights: { data: seededValues(2, 1), shape: [1, 2] } }, x, out.data);
    small.op.dispose();
  });

  it.runIf(typeof globalThis.gc === 'function')('operators dropped without dispose() release their share (FinalizationRegistry)', async () => {
    const before = workspaceStats().liveOperators;
    const backend = new CpuTiledBackend({ kernel: 'wasm-simd' });
    const { geometry, weights, bias } = normalizeConv1x1({ inputShape: [1, 8, 16, 16], weights: { data: seededValues(64, 1), shape: [8, 8] } });
    await (async () => {
      for (let i = 0; i < 50; i++) await backend.prepare({ geometry, weights, bias });
    })();
    expect(workspaceStats().liveOperators).toBe(before + 50);
    for (let i = 0; i < 20 && workspaceStats().liveOperators > before; i++) {
      globalThis.gc!();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(workspaceStats().liveOperators).toBe(before);
  });
});

describe.each(KERNELS)('item 9: padded border with non-finite weights (%s)', (kernel) => {
  it('NCHW [1,2,2,2], padding 1, weights [Infinity, 0], bias 1: the 12 border cells are NaN', async () => {
    const problem: Conv1x1Problem = { inputShape: [1, 2, 2, 2], padding: 1, weights: { data: Float32Array.of(Infinity, 0), shape: [1, 2] }, bias: Float32Array.of(1) };
    const x = Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const { op, out } = await runBackend(problem, x, kernel);
    expect(op.info.details?.kernel).toBe(kernel);
    expectMatchesReference(problem, x, out);
    const border = [0, 1, 2, 3, 4, 7, 8, 11, 12, 13, 14, 15];
    for (const i of border) expect(out[i], `cell ${i}`).toBeNaN();
    for (const i of [5, 6, 9, 10]) expect(out[i]).toBe(Infinity);
    op.dispose();
  });

  it('per channel: NaN where a weight is ±∞ or NaN, act(bias) elsewhere, every layout, groups and activations', async () => {
    for (const [inputLayout, outputLayout] of [['NCHW', 'NCHW'], ['NHWC', 'NHWC'], ['NCHW', 'NHWC'], ['NHWC', 'NCHW']] as const) {
      for (const activation of ['none', 'relu6', { type: 'clamp', min: -Infinity, max: -Infinity }] as Activation[]) {
        const w = seededValues(6 * 2, 3);
        w[0] = Infinity;
        w[5] = -Infinity;
        w[8] = NaN;
        const problem: Conv1x1Problem = { inputShape: [2, 4, 3, 5], inputLayout, outputLayout, padding: [1, 2], stride: [2, 1], groups: 2, weights: { data: w, shape: [6, 2] }, bias: seededValues(6, 4), activation };
        const x = seededValues(2 * 4 * 3 * 5, 5);
        const { op, out } = await runBackend(problem, x, kernel);
        expectMatchesReference(problem, x, out, `${inputLayout}→${outputLayout} ${JSON.stringify(activation)}`);
        op.dispose();
      }
    }
  });
});

describe.each(KERNELS)('item 7: activation bounds at the edges behave as the reference (%s)', (kernel) => {
  const bounds: [number, number][] = [
    [-Infinity, -Infinity],
    [Infinity, Infinity],
    [0.5, 0.5],
    [0, 0],
    [-1e39, 1e39],
    [3.5e38, 3.6e38],
    [-3.6e38, -3.5e38],
    [-1, 3.4028235677973366e38],
    [0, 1e39],
    [1e-45, 2e-45],
  ];
  it('infinite, equal and beyond-float32 bounds with NaN and ±∞ inputs, fused and blocked store paths', async () => {
    for (const [min, max] of bounds) {
      for (const inputShape of [[1, 3, 4, 8], [1, 3, 3, 3]] as const) {
        for (const padding of [0, 1]) {
          const n = inputShape.reduce((a: number, b: number) => a * b, 1);
          const x = seededValues(n, 7);
          x[0] = NaN;
          x[5] = Infinity;
          x[9] = -Infinity;
          x[13] = 3e38;
          const problem: Conv1x1Problem = { inputShape, padding, weights: { data: seededValues(15, 8).map((v) => v * 4), shape: [5, 3] }, bias: seededValues(5, 9), activation: { type: 'clamp', min, max } };
          const { op, out, geometry, weights, bias } = await runBackend(problem, x, kernel);
          expectMatchesReference(problem, x, out, `clamp(${min}, ${max}) ${inputShape} pad ${padding}`);
          // Bit for bit where the reference is clamped to a bound or NaN.
          const reference = referenceConv1x1(geometry, x, weights, bias);
          for (let i = 0; i < out.length; i++) {
            const r = reference.values[i];
            if (Number.isNaN(r)) expect(out[i]).toBeNaN();
            else if (r === min || r === max) expect(out[i]).toBe(Math.fround(r));
          }
          op.dispose();
        }
      }
    }
  });
});

describe('item 7: the branch-free clamp on float32 bit patterns', () => {
  const bitsOf = (v: number) => new Int32Array(Float32Array.of(v).buffer)[0];
  const valueOf = (i: number) => new Float32Array(Int32Array.of(i).buffer)[0];
  const inputs = [NaN, -NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 0.5, 6, 7, -3, 3.4028234663852886e38, -3.4028234663852886e38];
  it('matches v < min ? min : v > max ? max : v for (+∞,+∞), (0,0), (min = max), (0,+∞), (0, max float)', () => {
    for (const [min, max] of [[Infinity, Infinity], [0, 0], [6, 6], [0, Infinity], [0, 3.4028234663852886e38], [2 ** -149, 2 ** -149]]) {
      const b = nonNegativeClampBits({ kind: 'clamp', min, max })!;
      expect(b).not.toBeNull();
      for (const v of inputs) {
        const got = valueOf(clampFloat32Bits(bitsOf(v), b.low, b.high));
        const want = Math.fround(v < min ? min : v > max ? max : v);
        if (Number.isNaN(want)) expect(got).toBeNaN();
        else expect(got === want, `clamp(${min}, ${max})(${v}) = ${got}, want ${want}`).toBe(true);
      }
    }
  });
  it('declines bounds it cannot apply exactly (negative, or beyond float32)', () => {
    expect(nonNegativeClampBits({ kind: 'clamp', min: -Infinity, max: -Infinity })).toBeNull();
    expect(nonNegativeClampBits({ kind: 'clamp', min: 0, max: 1e39 })).toBeNull();
    expect(nonNegativeClampBits({ kind: 'clamp', min: 3.5e38, max: 3.6e38 })).toBeNull();
    expect(nonNegativeClampBits({ kind: 'clamp', min: 0.1, max: 1 })).toBeNull(); // 0.1 is not a float32
  });
});

describe.each(KERNELS)('item 11: lying inputs never read stale or short data (%s)', (kernel) => {
  it('a Proxy, a look-alike or a Float32Array with a lying own length is an InvalidTensorError', async () => {
    const problem: Conv1x1Problem = { inputShape: [1, 2, 2, 2], weights: { data: Float32Array.of(1, 1), shape: [1, 2] } };
    const { op, geometry } = await runBackend(problem, Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8), kernel);
    const out = createTensor(new Float32Array(4), geometry.outputShape);
    const liar = new Float32Array(4);
    Object.defineProperty(liar, 'length', { value: 8 });
    const fakes: unknown[] = [new Proxy(new Float32Array(8), {}), liar, { length: 8, 0: 1 }, new Float64Array(8), new Float32Array(9)];
    for (const data of fakes) {
      const x = { data, shape: geometry.inputShape, layout: 'NCHW' } as never;
      expect(() => op.runSync!(x, out)).toThrow(InvalidTensorError);
    }
    const outLiar = new Float32Array(2);
    Object.defineProperty(outLiar, 'length', { value: 4 });
    expect(() => op.runSync!(createTensor(new Float32Array(8), geometry.inputShape), { data: outLiar, shape: geometry.outputShape, layout: 'NCHW' } as never)).toThrow(InvalidTensorError);
    // A genuine input afterwards gives its own result, not the previous run's.
    op.runSync!(createTensor(new Float32Array(8).fill(2), geometry.inputShape), out);
    expect(Array.from(out.data)).toEqual([4, 4, 4, 4]);
    op.dispose();
  });
});
