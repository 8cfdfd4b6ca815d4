// Issue 11 (reliability), the gpujs backend's part: activation bounds (item 7), leaks through gpu.js's own
// kernel list (item 8), padded cells with non-finite weights (item 9), index arithmetic past 2^24 (item 1),
// per-backend limits as BackendCapacityError (item 2) — in every mode this machine reaches.
import {
  BackendRegistry,
  PointwiseError,
  checkAccuracy,
  createTensor,
  describeAccuracy,
  normalizeConv1x1,
  prepareConv1x1,
  referenceConv1x1,
  registerReferenceBackend,
  type Conv1x1Problem,
  type Layout,
} from '@pointwise/core';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { GpujsBackend, type GpujsMode } from '../src/index.js';
import { gpujsRegistry } from './helpers.js';

const glProbe = await new GpujsBackend({ mode: 'headlessgl' }).probe();
const glSkipReason = glProbe.available ? '' : glProbe.reason;

const MODES: { mode: GpujsMode; skip: string }[] = [
  { mode: 'cpu', skip: '' },
  { mode: 'webasm', skip: '' },
  { mode: 'headlessgl', skip: glSkipReason },
];

/** Float32 results equal bit for bit up to the sign of zero; NaN equals NaN. */
function sameFloat32(actual: Float32Array, expected: ArrayLike<number>): { index: number; actual: number; expected: number }[] {
  const differences: { index: number; actual: number; expected: number }[] = [];
  for (let i = 0; i < actual.length; i++) {
    const e = Math.fround(expected[i]);
    const a = actual[i];
    if (!(a === e || (Number.isNaN(a) && Number.isNaN(e)))) differences.push({ index: i, actual: a, expected: e });
  }
  return differences;
}

/** Runs a problem on the registry's strict `gpujs` backend and on the float64 reference. */
async function runBoth(registry: BackendRegistry, problem: Conv1x1Problem, data: Float32Array) {
  const operator = await prepareConv1x1(problem, { backend: 'gpujs', strict: true, registry });
  const out = await operator.run(createTensor(data, problem.inputShape, problem.inputLayout ?? 'NCHW'));
  const { geometry, weights, bias } = normalizeConv1x1(problem);
  const reference = referenceConv1x1(geometry, data, weights, bias);
  operator.dispose();
  return { out: out.data, reference, geometry };
}

/** Clamp bounds validation accepts, each a member of the kind "a bound the kernel must honour whatever its value". */
const BOUNDS: [string, number, number][] = [
  ['(−∞, −∞)', -Infinity, -Infinity],
  ['(+∞, +∞)', Infinity, Infinity],
  ['(−∞, +∞)', -Infinity, Infinity],
  ['(−∞, 2.5)', -Infinity, 2.5],
  ['(2.5, +∞)', 2.5, Infinity],
  ['equal (2, 2)', 2, 2],
  ['equal (0, 0)', 0, 0],
  ['(1e39, 1e39): +∞ in float32', 1e39, 1e39],
  ['(−1e39, −1e39): −∞ in float32', -1e39, -1e39],
  ['(−1e39, 1e39)', -1e39, 1e39],
  ['(−∞, 1e38): finite, near the float32 maximum', -Infinity, 1e38],
  ['(0.1, 0.30000000000000004): not float32 values', 0.1, 0.30000000000000004],
  ['(−1e-50, 1e-50): round to ∓0 in float32', -1e-50, 1e-50],
];

for (const { mode, skip } of MODES) {
  describe.skipIf(skip !== '')(`gpujs ${mode}: issue 11${skip ? ` (skipped: ${skip})` : ''}`, () => {
    it('applies every clamp bound validation accepts exactly like the reference, NaN and ±∞ inputs included', async () => {
      const registry = gpujsRegistry({ mode });
      const data = new Float32Array([1, 2, 3, 4, Number.NaN, Infinity, -Infinity, -5, 0.2, 3.4e38]);
      for (const [name, min, max] of BOUNDS) {
        for (const layout of ['NCHW', 'NHWC'] as Layout[]) {
          const problem: Conv1x1Problem = {
            inputShape: [1, 1, 2, 5],
            inputLayout: layout,
            outputLayout: layout,
            weights: { data: new Float32Array([1]), shape: [1, 1] },
            activation: { type: 'clamp', min, max },
          };
          const { out, reference } = await runBoth(registry, problem, data);
          expect(sameFloat32(out, reference.values), `${mode} clamp${name} ${layout}`).toEqual([]);
        }
      }
      await registry.dispose();
    });

    it('clamp(−∞, −∞) and clamp(+∞, +∞) on [1, 2, 3, 4] give four infinities (the issue input)', async () => {
      const registry = gpujsRegistry({ mode });
      for (const bound of [-Infinity, Infinity]) {
        const problem: Conv1x1Problem = {
          inputShape: [1, 1, 2, 2],
          weights: { data: new Float32Array([1]), shape: [1, 1] },
          activation: { type: 'clamp', min: bound, max: bound },
        };
        const { out } = await runBoth(registry, problem, new Float32Array([1, 2, 3, 4]));
        expect([...out]).toEqual([bound, bound, bound, bound]);
        const operator = await prepareConv1x1(problem, { backend: 'gpujs', strict: true, registry });
        const sync = operator.runSync(createTensor(new Float32Array([1, 2, 3, 4]), [1, 1, 2, 2], 'NCHW'));
        expect([...sync.data]).toEqual([bound, bound, bound, bound]);
        operator.dispose();
      }
      await registry.dispose();
    });

    it('clamps a sum beyond the float32 range like the reference rounds it (K = 2, 3e38 + 3e38)', async () => {
      const registry = gpujsRegistry({ mode });
      for (const [min, max] of [
        [-1e39, 1e39],
        [-Infinity, 1e38],
        [-Infinity, Infinity],
      ]) {
        const problem: Conv1x1Problem = {
          inputShape: [1, 2, 1, 2],
          weights: { data: new Float32Array([3e38, 3e38, -3e38, -3e38]), shape: [2, 2] },
          activation: { type: 'clamp', min, max },
        };
        const { out, reference } = await runBoth(registry, problem, new Float32Array([1, 1, 1, 1]));
        expect(sameFloat32(out, reference.values), `clamp(${min}, ${max})`).toEqual([]);
      }
      await registry.dispose();
    });

    it('gives padded border cells act(b + Σ w·0): NaN for a channel with an infinite weight (the issue input)', async () => {
      const registry = gpujsRegistry({ mode });
      const problem: Conv1x1Problem = {
        inputShape: [1, 2, 2, 2],
        padding: 1,
        weights: { data: new Float32Array([Infinity, 0, 0.5, 0.25]), shape: [2, 2] },
        bias: new Float32Array([1, -1]),
      };
      const data = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]);
      const { out, reference } = await runBoth(registry, problem, data);
      // Channel 0 is [4 × 4]: 12 border cells, 4 interior ones (∞·x + 0·x + 1 = ∞).
      const channel0 = out.subarray(0, 16);
      expect(channel0.filter((v) => Number.isNaN(v))).toHaveLength(12);
      expect([...channel0].filter((v) => v === Infinity)).toHaveLength(4);
      expect(sameFloat32(out, reference.values)).toEqual([]);
      await registry.dispose();
    });

    it('gives padded cells the same value as the reference for NaN / −∞ weights, layouts, stride, groups and activations', async () => {
      const registry = gpujsRegistry({ mode });
      const weights = new Float32Array([Number.NaN, 1, -Infinity, 2, 0.5, -0.5, 0, 0, 1, 1, -2, 3]);
      for (const [inputLayout, outputLayout] of [
        ['NCHW', 'NHWC'],
        ['NHWC', 'NCHW'],
        ['NHWC', 'NHWC'],
      ] as [Layout, Layout][]) {
        for (const activation of ['none', 'relu', 'relu6', { type: 'clamp', min: -Infinity, max: -Infinity }] as const) {
          const problem: Conv1x1Problem = {
            inputShape: [2, 4, 3, 3],
            inputLayout,
            outputLayout,
            padding: [2, 1, 0, 1],
            stride: [2, 1],
            groups: 2,
            weights: { data: weights, shape: [6, 2] },
            bias: new Float32Array([1, -1, 0, 7, -8, 0.5]),
            activation,
          };
          const data = Float32Array.from({ length: 72 }, (_, i) => ((i * 7) % 11) - 5);
          const { out, reference, geometry } = await runBoth(registry, problem, data);
          const report = checkAccuracy(out, reference, { k: geometry.inChannelsPerGroup, precisionFactor: mode === 'headlessgl' ? 2 : 1 });
          expect(report.failureCount, `${inputLayout}→${outputLayout} ${JSON.stringify(activation)}: ${describeAccuracy(report)}`).toBe(0);
        }
      }
      await registry.dispose();
    });

    it('releases every gpu.js kernel and operator on dispose (prepare → run → dispose × 60)', async () => {
      const registry = new BackendRegistry();
      let backend: GpujsBackend | undefined;
      registry.register('gpujs', () => (backend = new GpujsBackend({ mode })));
      const problem: Conv1x1Problem = {
        inputShape: [1, 8, 5, 6],
        weights: { data: new Float32Array(16 * 8).fill(0.5), shape: [16, 8] },
        bias: new Float32Array(16).fill(1),
        padding: 1,
      };
      const x = createTensor(new Float32Array(8 * 5 * 6).fill(1), [1, 8, 5, 6], 'NCHW');
      const held = await prepareConv1x1(problem, { backend: 'gpujs', strict: true, registry });
      const baseline = backend!.resources;
      expect(baseline.operators).toBe(1);
      for (let i = 0; i < 60; i++) {
        const op = await prepareConv1x1(problem, { backend: 'gpujs', strict: true, registry });
        const y = await op.run(x);
        expect(y.data[8 + 1]).toBe(5); // an interior cell (row 1, column 1): 1 + 8 · 0.5
        expect(y.data[0]).toBe(1); // a padded cell: the bias
        op.dispose();
        expect(backend!.resources).toEqual(baseline);
      }
      held.dispose();
      expect(backend!.resources).toEqual({ operators: 0, gpujsKernels: 0 });
      await registry.dispose();
    });
  });
}

/** `gc()` without `--expose-gc` on the command line. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('gpujs cpu: heap after gc stays flat over prepare → run → dispose cycles', () => {
  it('grows by less than 1.5 MB over 200 cycles (about 7 MB while gpu.js kept every kernel)', async () => {
    const gc = collector();
    const registry = gpujsRegistry({ mode: 'cpu' });
    const problem: Conv1x1Problem = {
      inputShape: [1, 8, 5, 6],
      weights: { data: new Float32Array(16 * 8).fill(0.5), shape: [16, 8] },
      bias: new Float32Array(16).fill(1),
    };
    const x = createTensor(new Float32Array(8 * 5 * 6).fill(1), [1, 8, 5, 6], 'NCHW');
    const cycle = async () => {
      const op = await prepareConv1x1(problem, { backend: 'gpujs', strict: true, registry });
      await op.run(x);
      op.dispose();
    };
    for (let i = 0; i < 20; i++) await cycle();
    const settle = async () => {
      for (let i = 0; i < 3; i++) {
        gc();
        await new Promise((resolve) => setImmediate(resolve));
      }
      return process.memoryUsage().heapUsed;
    };
    const before = await settle();
    for (let i = 0; i < 200; i++) await cycle();
    const growth = (await settle()) - before;
    console.info(`[backend-gpujs] cpu heap growth over 200 cycles: ${(growth / 2 ** 20).toFixed(2)} MB`);
    expect(growth).toBeLessThan(1.5 * 2 ** 20);
    await registry.dispose();
  });
});

describe('gpujs: a limit of the backend is BackendCapacityError and selection falls back', () => {
  // groups > 1 and Co > 2^23: the channel base would leave the float32 exact range in webasm / GL.
  const co = 2 ** 23 + 2;
  const problem: Conv1x1Problem = {
    inputShape: [1, 2, 1, 1],
    groups: 2,
    weights: { data: new Float32Array(co).fill(1), shape: [co, 1] },
  };

  it('reports the limit with code BACKEND_CAPACITY from prepare', async () => {
    const backend = new GpujsBackend({ mode: 'webasm' });
    await backend.init();
    const error = await backend.prepare(normalizeConv1x1(problem)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(PointwiseError.isInstance(error)).toBe(true);
    expect((error as PointwiseError).code).toBe('BACKEND_CAPACITY');
    expect((error as Error).message).toMatch(/float32 exact index range/);
    expect(backend.resources).toEqual({ operators: 0, gpujsKernels: 0 });
    await backend.dispose();
  });

  it('lets prepareConv1x1 move on to the next backend, keeping the reason', async () => {
    const registry = gpujsRegistry({ mode: 'webasm' });
    registerReferenceBackend(registry);
    const operator = await prepareConv1x1(problem, { backend: ['gpujs', 'reference'], registry });
    expect(operator.backend).toBe('reference');
    expect(operator.info.attempts?.[0]?.reason).toMatch(/^unavailable for this problem: .*float32 exact index range/);
    operator.dispose();
    await expect(prepareConv1x1(problem, { backend: 'gpujs', strict: true, registry })).rejects.toThrow(/float32 exact index range/);
    await registry.dispose();
  });
});

describe('gpujs: every limit of a mode is a capacity error at prepare (nothing is allocated for these shapes)', () => {
  const unit = { weights: { data: new Float32Array([1]), shape: [1, 1] as [number, number] } };
  const cases: [string, GpujsMode, Conv1x1Problem, RegExp][] = [
    ['an input image of 2^31 elements (int32 indices)', 'webasm', { ...unit, inputShape: [1, 1, 2, 2 ** 30] }, /int32 index range.*elements of one input image/],
    ['a padded width of 2^31 (int32 source coordinates)', 'webasm', { ...unit, inputShape: [1, 1, 1, 1], padding: [0, 0, 0, 2 ** 31] }, /int32 index range.*padded input width/],
    ['one image, weights and chunk beyond 4 GiB of WebAssembly memory', 'webasm', { ...unit, inputShape: [1, 1, 2 ** 15, 2 ** 15 - 1] }, /WebAssembly memory 4294967296 bytes/],
  ];
  if (glSkipReason === '') {
    cases.push(['an input image beyond the largest texture', 'headlessgl', { ...unit, inputShape: [1, 1, 2 ** 15, 2 ** 15 - 1] }, /texture size \d+ \(one input image/]);
  }
  for (const [name, mode, problem, reason] of cases) {
    it(`${mode}: ${name}`, async () => {
      const backend = new GpujsBackend({ mode });
      await backend.init();
      const error = await backend.prepare(normalizeConv1x1(problem)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(PointwiseError.isInstance(error) && error.code).toBe('BACKEND_CAPACITY');
      expect((error as Error).message).toMatch(reason);
      await backend.dispose();
    });
  }

  it('caps a webasm chunk at 2^26 outputs by default', async () => {
    const backend = new GpujsBackend({ mode: 'webasm' });
    await backend.init();
    expect(backend.capabilities().limits.maxChunkElements).toBe(2 ** 26);
    await backend.dispose();
  });
});

const largeSkip = process.env.POINTWISE_LARGE_TESTS ? '' : 'set POINTWISE_LARGE_TESTS=1';
for (const { mode, skip } of MODES) {
  // webasm always (its f32 arithmetic is where float indices rounded); cpu (float64 JS) and GL (17 chunk
  // draws on a software rasteriser) on request.
  const why = skip || (mode === 'webasm' ? '' : largeSkip);
  describe.skipIf(why !== '')(`gpujs ${mode}: indices past 2^24${why ? ` (skipped: ${why})` : ''}`, () => {
    it('reads every input column of a 2^24 + 40 wide row exactly (float32 indices would round)', async () => {
      const w = 2 ** 24 + 40;
      const registry = gpujsRegistry({ mode });
      const problem: Conv1x1Problem = { inputShape: [1, 1, 1, w], weights: { data: new Float32Array([1]), shape: [1, 1] } };
      const operator = await prepareConv1x1(problem, { backend: 'gpujs', strict: true, registry });
      const data = new Float32Array(w);
      for (let j = 0; j < w; j++) data[j] = j % 4093;
      const out = await operator.run(createTensor(data, [1, 1, 1, w], 'NCHW'));
      let wrong = 0;
      for (let j = 0; j < w; j++) if (out.data[j] !== data[j]) wrong++;
      expect(wrong).toBe(0);
      operator.dispose();
      await registry.dispose();
    }, 120_000);
  });
}
