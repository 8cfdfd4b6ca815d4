import type { Conv1x1Problem, Layout } from '@pointwise/core';
import { checkAccuracy, createTensor, describeAccuracy, normalizeConv1x1, prepareConv1x1, referenceConv1x1 } from '@pointwise/core';
import { seededValues } from '@pointwise/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { GpujsBackend, type GpujsKernelOption, type GpujsMode } from '../src/index.js';
import { gpujsRegistry, makeProblem, runCase } from './helpers.js';

const LAYOUTS: readonly [Layout, Layout][] = [
  ['NCHW', 'NCHW'],
  ['NCHW', 'NHWC'],
  ['NHWC', 'NCHW'],
  ['NHWC', 'NHWC'],
];

/** The compact option matrix: each case turns on a different set of options. */
function optionCases(inputLayout: Layout, outputLayout: Layout): [string, Conv1x1Problem][] {
  const layouts = { inputLayout, outputLayout };
  return [
    ['plain', makeProblem([1, 16, 5, 7], 12, layouts, 11)],
    ['stride 2, asymmetric padding, groups 2, bias, relu6', makeProblem([2, 12, 9, 7], 8, { ...layouts, stride: 2, padding: [1, 0, 2, 3], groups: 2, bias: true, activation: 'relu6' }, 12)],
    ['groups = Ci (K = 1), padding 1, relu', makeProblem([1, 6, 4, 5], 12, { ...layouts, groups: 6, padding: 1, bias: true, activation: 'relu' }, 13)],
    ['stride [1, 3], clamp(−0.5, 0.25), K = 70', makeProblem([1, 70, 6, 10], 5, { ...layouts, stride: [1, 3], activation: { type: 'clamp', min: -0.5, max: 0.25 } }, 14)],
    ['groups 2 with K = 8 and Co/g = 4 (packable), padding 2, stride 2, bias', makeProblem([2, 16, 7, 6], 8, { ...layouts, groups: 2, padding: 2, stride: 2, bias: true }, 15)],
  ];
}

const glProbe = await new GpujsBackend({ mode: 'headlessgl' }).probe();
const glSkipReason = glProbe.available ? '' : glProbe.reason;
if (!glProbe.available) {
  console.warn(`[backend-gpujs] headlessgl tests skipped: ${glSkipReason}`);
}

// headlessgl runs the channel-packed vec4 kernel where the layout allows it; `kernel: 'scalar'` keeps the
// one-output-per-thread kernel (the cpu / webasm one) under test on GL too.
const MODES: { mode: GpujsMode; kernel?: GpujsKernelOption; skip: string }[] = [
  { mode: 'headlessgl', skip: glSkipReason },
  { mode: 'headlessgl', kernel: 'scalar', skip: glSkipReason },
  { mode: 'webasm', skip: '' },
  { mode: 'cpu', skip: '' },
];

const worstRatios: string[] = [];
afterAll(() => {
  if (worstRatios.length > 0) console.info(`[backend-gpujs] worst error/bound per mode: ${worstRatios.join(', ')}`);
});

for (const { mode, kernel, skip } of MODES) {
  const label = kernel ? `${mode}[kernel=${kernel}]` : mode;
  describe.skipIf(skip !== '')(`gpujs ${label}${skip ? ` (skipped: ${skip})` : ''}`, () => {
    let worst = 0;
    afterAll(() => {
      worstRatios.push(`${label} ${worst.toFixed(3)}`);
    });

    for (const [inputLayout, outputLayout] of LAYOUTS) {
      it(`matches the reference on the option matrix, ${inputLayout} → ${outputLayout}`, async () => {
        const registry = gpujsRegistry({ mode, kernel });
        for (const [name, problem] of optionCases(inputLayout, outputLayout)) {
          const { report, operator } = await runCase(registry, problem);
          expect(operator.info.details).toMatchObject({ mode });
          expect(report.failureCount, `${name}: ${describeAccuracy(report)}`).toBe(0);
          worst = Math.max(worst, report.worstRatio);
        }
        await registry.dispose();
      });
    }

    it('splits the output into chunks when the texture limit is forced small, in both layouts', async () => {
      const registry = gpujsRegistry({ mode, kernel, maxTextureSize: 8, maxChunkElements: 40 });
      for (const [inputLayout, outputLayout] of LAYOUTS) {
        const problem = makeProblem([2, 12, 9, 11], 10, { inputLayout, outputLayout, groups: 2, padding: [0, 1], stride: [2, 1], bias: true }, 21);
        const { report, operator } = await runCase(registry, problem);
        expect(operator.info.details.chunks as number).toBeGreaterThan(1);
        expect(report.failureCount, describeAccuracy(report)).toBe(0);
        worst = Math.max(worst, report.worstRatio);
      }
      await registry.dispose();
    });

    it('propagates NaN and ±Infinity like the reference', async () => {
      const registry = gpujsRegistry({ mode, kernel });
      const problem = makeProblem([1, 4, 3, 3], 3, { bias: true, activation: 'relu', inputLayout: 'NHWC' }, 51);
      const operator = await prepareConv1x1(problem, { backend: 'gpujs', strict: true, registry });
      const data = seededValues(36, 52);
      data[0] = Number.NaN; // pixel (0, 0)
      data[4 * 4 + 1] = Number.POSITIVE_INFINITY; // pixel (1, 1)
      data[4 * 8 + 2] = Number.NEGATIVE_INFINITY; // pixel (2, 2)
      const out = await operator.run(createTensor(data, [1, 4, 3, 3], 'NHWC'));
      const { geometry, weights, bias } = normalizeConv1x1(problem);
      const reference = referenceConv1x1(geometry, data, weights, bias);
      const report = checkAccuracy(out.data, reference, { k: 4, precisionFactor: operator.capabilities.precisionFactor });
      expect(report.failureCount, describeAccuracy(report)).toBe(0);
      expect(reference.values.some((v) => Number.isNaN(v)) && reference.values.some((v) => v === Infinity)).toBe(true);
      await registry.dispose();
    });

    it('runs synchronously with the same result as run()', async () => {
      const registry = gpujsRegistry({ mode, kernel, maxTextureSize: 16 });
      const problem = makeProblem([1, 8, 6, 6], 20, { outputLayout: 'NHWC', bias: true }, 31);
      const asyncResult = await runCase(registry, problem, false);
      const syncResult = await runCase(registry, problem, true);
      expect(syncResult.operator.canRunSync).toBe(true);
      expect(syncResult.output).toEqual(asyncResult.output);
      await registry.dispose();
    });
  });
}

describe.skipIf(glSkipReason !== '')(`gpujs headlessgl at the real texture limit${glSkipReason ? ` (skipped: ${glSkipReason})` : ''}`, () => {
  it('computes 56×56×1024 (3.2 M outputs) in chunks', async () => {
    const registry = gpujsRegistry({ mode: 'headlessgl' });
    const { report, operator } = await runCase(registry, makeProblem([1, 4, 56, 56], 1024, { inputLayout: 'NHWC', outputLayout: 'NHWC', bias: true }, 41));
    expect(operator.info.details.chunks).toBe(4);
    expect(report.failureCount, describeAccuracy(report)).toBe(0);
    await registry.dispose();
  });

  it('computes an output row wider than 16384 texels', async () => {
    const registry = gpujsRegistry({ mode: 'headlessgl' });
    const { report, operator } = await runCase(registry, makeProblem([1, 3, 1, 20000], 2, { activation: 'relu' }, 42));
    const capabilities = operator.capabilities;
    expect(capabilities.limits.maxTextureSize).toBeLessThan(20000);
    expect(operator.info.details.chunks as number).toBeGreaterThan(1);
    expect(report.failureCount, describeAccuracy(report)).toBe(0);
    await registry.dispose();
  });
});
