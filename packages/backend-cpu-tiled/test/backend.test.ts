import {
  BackendRegistry,
  DisposedError,
  InvalidArgumentError,
  createTensor,
  normalizeConv1x1,
  prepareConv1x1,
  referenceConv1x1,
  checkAccuracy,
  registerReferenceBackend,
} from '@pointwise/core';
import { seededValues } from '@pointwise/testing';
import { describe, expect, it } from 'vitest';
import { CPU_TILED_PRIORITY, CpuTiledBackend, registerCpuTiledBackend } from '../src/index.js';
import { expectAccurate, makeCase } from './helpers.js';

describe('CpuTiledBackend', () => {
  it('rejects bad options when registered, not later as "unavailable"', () => {
    const registry = new BackendRegistry();
    expect(() => registerCpuTiledBackend(registry, { kernel: 'avx' as never })).toThrow(/kernel: expected "js" or "wasm-relaxed-simd" or "wasm-simd", received "avx"/);
    expect(() => registerCpuTiledBackend(registry, { mc: 0 })).toThrow(InvalidArgumentError);
    expect(() => registerCpuTiledBackend(registry, { kernal: 'js' } as never)).toThrow(/options.kernal: expected one of the known options/);
    expect(() => registerCpuTiledBackend(registry, { cache: { l3Bytes: 1 } } as never)).toThrow(/cache.l3Bytes/);
    expect(registry.names()).toEqual([]);
  });

  it('registers as cpu-tiled at priority 100 and is chosen over the reference', async () => {
    const registry = new BackendRegistry();
    registerReferenceBackend(registry);
    expect(registerCpuTiledBackend(registry, { kernel: 'js' })).toBe(true);
    expect(registerCpuTiledBackend(registry, { kernel: 'js' })).toBe(false);
    // Other options under a taken name are an error (core's registry), unless replacing.
    expect(() => registerCpuTiledBackend(registry)).toThrow(/registered with other options/);
    expect(CPU_TILED_PRIORITY).toBe(100);
    expect(registry.names()).toEqual(['cpu-tiled', 'reference']);

    const x = createTensor(seededValues(2 * 8 * 5 * 5, 3), [2, 8, 5, 5], 'NHWC');
    const problem = {
      inputShape: x.shape,
      inputLayout: 'NHWC' as const,
      outputLayout: 'NCHW' as const,
      weights: { data: seededValues(12 * 4, 4), shape: [12, 4, 1, 1] as const },
      bias: seededValues(12, 5),
      groups: 2,
      stride: 2,
      padding: 1,
      activation: 'relu6' as const,
    };
    const op = await prepareConv1x1(problem, { registry });
    expect(op.backend).toBe('cpu-tiled');
    expect(op.info.details).toMatchObject({ kernel: 'js', threads: 1, microtile: '3x4' });
    expect(op.canRunSync).toBe(true);

    const { geometry, weights, bias } = normalizeConv1x1(problem);
    const reference = referenceConv1x1(geometry, x.data, weights, bias);
    const before = x.data.slice();
    const asyncOut = await op.run(x);
    const syncOut = op.runSync(x);
    expect(checkAccuracy(asyncOut.data, reference, { k: 4 }).failureCount).toBe(0);
    expect(syncOut.data).toEqual(asyncOut.data);
    expect(x.data).toEqual(before); // input not mutated
  });

  it('reuses an out tensor and keeps weights it was prepared with', async () => {
    const backend = new CpuTiledBackend({ kernel: 'js', mc: 4, nc: 8 });
    await backend.init();
    expect(backend.capabilities()).toMatchObject({ sync: true, threads: 1, precisionFactor: 1 });
    const c = makeCase({ inputShape: [1, 6, 4, 4], outChannels: 5, activation: 'relu' });
    const weights = c.weights.slice();
    const op = await backend.prepare({ geometry: c.geometry, weights, bias: c.bias });
    weights.fill(0); // the operator packed its own copy
    const out = createTensor(new Float32Array(5 * 16), c.geometry.outputShape, 'NCHW');
    op.runSync!(createTensor(c.x, c.geometry.inputShape, 'NCHW'), out);
    expectAccurate(c, out.data);
    const first = out.data.slice();
    await op.run(createTensor(c.x, c.geometry.inputShape, 'NCHW'), out);
    expect(out.data).toEqual(first);
    op.dispose();
    expect(() => op.runSync!(createTensor(c.x, c.geometry.inputShape, 'NCHW'), out)).toThrow(DisposedError);
  });

  it('rejects invalid backend options when it is created', () => {
    expect(() => new CpuTiledBackend({ nc: -3 })).toThrow(/nc: expected an integer ≥ 1, received -3/);
  });
});
