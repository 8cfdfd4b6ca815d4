import { BackendRegistry, registerReferenceBackend } from '@pointwise/core';
import { registerAllBackends } from '@pointwise/backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainData, mobileNetV2Stack, referenceChain, runChain } from './chain.js';
import { BackendContender } from './contenders/backend-contender.js';
import type { ChainLayer, Contender, PreparedChain } from './contenders/contender.js';
import { layerFlops, makeLayer, outputSize } from './layer.js';
import { MICROKERNELS } from './backends.js';
import { fallbackLines, hasWrongResult, variantRows } from './report/summary.js';
import { renderMarkdown } from './report/markdown.js';
import { renderTextReport } from './report/table.js';
import { runBenchIn } from './run-bench.js';
import { MOBILENET_V2 } from './suites.js';
import type { Tensor } from '@pointwise/core';

const SETTINGS = { repeat: 2, minTimeMs: 1, maxTimeMs: 200, minSamplesAtCap: 2, maxSamples: 4, warmupMs: 1 };
const ENVIRONMENT = { cpu: 'test', cores: 1, memoryGiB: 1, platform: 'test', arch: 'test', runtime: 'test', loadAverage: [0, 0, 0] } as never;

describe('the MobileNetV2 pointwise stack', () => {
  const stack = mobileNetV2Stack(112);

  it('chains: each layer takes the previous one’s channels and output size', () => {
    expect(stack.layers).toHaveLength(34);
    for (let i = 1; i < stack.layers.length; i++) {
      const [before, layer] = [stack.layers[i - 1], stack.layers[i]];
      expect(layer.inChannels).toBe(before.outChannels);
      expect(layer.height).toBe(outputSize(before)[0]);
    }
    expect(stack.layers.at(-1)).toMatchObject({ inChannels: 320, outChannels: 1280, height: 7, activation: 'relu6' });
  });

  it('contains every listed MobileNetV2 layer with the network’s output size and FLOPs', () => {
    for (const listed of MOBILENET_V2.layers) {
      const match = stack.layers.find(
        (l) => l.inChannels === listed.inChannels && l.outChannels === listed.outChannels && outputSize(l)[0] === listed.height && l.activation === listed.activation,
      );
      expect(match, listed.name).toBeDefined();
      expect(layerFlops(match!)).toBe(layerFlops(listed));
    }
  });
});

describe('variants and chains on real backends', () => {
  let registry: BackendRegistry;
  beforeAll(async () => {
    registry = new BackendRegistry();
    registerReferenceBackend(registry);
    await registerAllBackends(registry, { options: { workers: { threads: 1 } } });
  });
  afterAll(async () => {
    await registry.dispose();
  });

  it('--kernel offers wasm-relaxed-simd', () => {
    expect(MICROKERNELS).toEqual(expect.arrayContaining(['js', 'wasm-simd', 'wasm-relaxed-simd']));
  });

  it('batches zero-copy samples of runs shorter than minSampleMs, as the copying run', async () => {
    const suite = { name: 't', description: 't', layers: [makeLayer({ inChannels: 8, outChannels: 8, height: 4, width: 4 })] };
    const contenders = [new BackendContender('cpu-tiled', registry, 'cpu-tiled[kernel=wasm-simd]')];
    // A sample of at least 5 ms: a run of this 2 µs layer is batched (its fastest warm-up run would have to take
    // 5 ms not to be). 100 ms of warm-up, so there are warm runs even when a loaded machine makes the cold first run
    // outlast the default (a warm-up of 1 ms that the first run alone used up left only the cold run to go by).
    const settings = { ...SETTINGS, minSampleMs: 5, warmupMs: 100 };
    const report = await runBenchIn({ environment: ENVIRONMENT, version: 'test' }, { suites: [suite], contenders, layouts: ['NCHW'], settings, seed: 3 });
    const [run] = report.suites[0].layers[0].measurements;
    const zeroCopy = run.variants?.find((v) => v.name === 'zero-copy');
    expect(run.runsPerSample).toBeGreaterThan(1);
    expect(zeroCopy).toMatchObject({ status: 'ok', accuracy: { failureCount: 0 } });
    expect(zeroCopy!.runsPerSample).toBeGreaterThan(1);
    expect(zeroCopy!.runsPerSample).toBeLessThanOrEqual(10_000);
  });

  it('times zero-copy beside the copying run, checked against the reference, and shows a kernel fallback', async () => {
    const suite = { name: 't', description: 't', layers: [makeLayer({ inChannels: 24, outChannels: 16, height: 6, width: 6, activation: 'relu6' })] };
    const contenders = [
      new BackendContender('cpu-tiled[wasm-relaxed-simd]', registry, 'cpu-tiled[kernel=wasm-relaxed-simd]'),
      new BackendContender('cpu-tiled[js]', registry, 'cpu-tiled[kernel=js]'),
    ];
    const report = await runBenchIn({ environment: ENVIRONMENT, version: 'test' }, { suites: [suite], contenders, layouts: ['NHWC'], settings: SETTINGS, seed: 3 });
    const [wasm, js] = report.suites[0].layers[0].measurements;
    expect(wasm.status).toBe('ok');
    const zeroCopy = wasm.variants?.find((v) => v.name === 'zero-copy');
    expect(zeroCopy).toMatchObject({ status: 'ok', accuracy: { failureCount: 0, elements: 16 * 36 } });
    expect(zeroCopy!.samplesMs.length).toBeGreaterThanOrEqual(2);
    expect(zeroCopy!.gain).toBeCloseTo(wasm.summary!.median / zeroCopy!.summary!.median, 10);
    // The JS kernel owns no memory: the column says why.
    expect(js.variants).toEqual([expect.objectContaining({ name: 'zero-copy', status: 'unsupported', reason: expect.stringContaining('canCreateTensors false') })]);
    // Node without --experimental-wasm-relaxed-simd: the operator ran wasm-simd and the report says so.
    if (wasm.details?.kernelFallback !== undefined) {
      expect(wasm.details.kernel).toBe('wasm-simd');
      expect(fallbackLines(report.suites[0])[0]).toMatch(/^cpu-tiled\[wasm-relaxed-simd\] ran kernel=wasm-simd: /);
      expect(variantRows(report.suites[0])[0][2]).toContain('fell back');
    }
    expect(hasWrongResult(report.suites)).toBe(false);
    expect(renderTextReport(report)).toContain('zero-copy');
    expect(renderMarkdown(report)).toContain('| 24→16 @6² | cpu-tiled[wasm-relaxed-simd] |');
  });

  it('a wrong variant counts as a wrong result', async () => {
    const suite = { name: 't', description: 't', layers: [makeLayer({ inChannels: 8, outChannels: 8, height: 2, width: 2 })] };
    const inner = new BackendContender('cpu-tiled', registry, 'cpu-tiled[kernel=wasm-simd]');
    const broken: Contender = {
      ...inner,
      name: 'broken',
      kind: 'backend',
      version: 'test',
      load: () => inner.load(),
      layoutFor: (l) => l,
      dispose: async () => {},
      prepare: async (problem) => {
        const prepared = await inner.prepare(problem);
        const variants = (prepared.variants ?? []).map((v) => ({ ...v, first: async () => (await v.first()).map((x) => x + 1) }));
        return { ...prepared, variants };
      },
    };
    const report = await runBenchIn({ environment: ENVIRONMENT, version: 'test' }, { suites: [suite], contenders: [broken], layouts: ['NCHW'], settings: SETTINGS, seed: 1 });
    const m = report.suites[0].layers[0].measurements[0];
    expect(m.status).toBe('ok');
    expect(m.variants?.[0]).toMatchObject({ name: 'zero-copy', status: 'wrong', samplesMs: [] });
    expect(hasWrongResult(report.suites)).toBe(true);
  });

  it('runs the chained stack on the host, checked against the reference chain; resident is n/a on a CPU backend', async () => {
    const spec = mobileNetV2Stack(4);
    const chain = await runChain(spec, [new BackendContender('cpu-tiled', registry, 'cpu-tiled')], { settings: SETTINGS, layout: 'NHWC', seed: 5 });
    expect(chain.layers).toHaveLength(34);
    const [run] = chain.runs;
    expect(run.host).toMatchObject({ status: 'ok', accuracy: { failureCount: 0, elements: 1280 } });
    expect(run.resident).toMatchObject({ status: 'unsupported', reason: expect.stringContaining('canRunResident false') });
    expect(hasWrongResult([], [chain])).toBe(false);
  });

  it('a chain whose result is off is WRONG, and the resident chain is checked the same way', async () => {
    const spec = { name: 'two', description: 'two layers', layers: [makeLayer({ inChannels: 8, outChannels: 16, height: 3, width: 3, activation: 'relu6' }), makeLayer({ inChannels: 16, outChannels: 4, height: 3, width: 3 })] };
    const data = chainData(spec, 2);
    const ref = referenceChain(data.layers, data.input);
    const fake = (offset: number): Contender => ({
      name: `fake${offset}`,
      kind: 'backend',
      version: 'test',
      load: async () => {},
      layoutFor: (l) => l,
      prepare: async () => {
        throw new Error('not used');
      },
      dispose: async () => {},
      prepareChain: async (_layers: readonly ChainLayer[], _input: Tensor): Promise<PreparedChain> => ({
        details: { variant: 'fake' },
        precisionFactor: 1,
        runHost: async () => Float32Array.from(ref.last.values),
        runResident: async () => Float32Array.from(ref.last.values, (v) => v + offset),
        dispose: () => {},
      }),
    });
    const chain = await runChain(spec, [fake(0), fake(0.5)], { settings: SETTINGS, layout: 'NCHW', seed: 2 });
    expect(chain.runs[0]).toMatchObject({ status: 'ok', resident: { status: 'ok' }, host: { status: 'ok' } });
    expect(chain.runs[0].gain).toBeGreaterThan(0);
    expect(chain.runs[1]).toMatchObject({ status: 'wrong', host: { status: 'ok' }, resident: { status: 'wrong', samplesMs: [] } });
    expect(hasWrongResult([], [chain])).toBe(true);
  });
});
