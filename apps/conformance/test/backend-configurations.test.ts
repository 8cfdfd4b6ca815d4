/**
 * The bracketed configurations both apps use, and what makes a configuration
 * run what its name says (the operator's details are checked).
 */
import { InvalidArgumentError } from '@pointwise/core';
import { WorkersBackend } from '@pointwise/backend-workers';
import { afterAll, describe, expect, it } from 'vitest';
import {
  defaultConfigurationNames,
  FORCED_POOL_OPTIONS,
  GPUJS_MODE_OPTIONS,
  parseBackendConfiguration,
  parseBackendList,
  splitBackendList,
} from '../src/backend-configurations.js';
import { createTargets } from '../src/backends.js';
import { makeCase } from '../src/catalogue/make-case.js';
import { materializeCase } from '../src/catalogue/materialize.js';
import { checkCaseOnBackend } from '../src/runner/check-case.js';
import { detailsMismatch } from '../src/runner/target.js';

describe('parseBackendConfiguration', () => {
  it('maps each configuration to its backend options and the details an operator must report', () => {
    expect(parseBackendConfiguration('cpu-tiled[js]')).toEqual({
      name: 'cpu-tiled[js]',
      backend: 'cpu-tiled',
      bracketed: true,
      kernel: 'js',
      options: { kernel: 'js' },
      expectedDetails: { kernel: 'js' },
    });
    expect(parseBackendConfiguration(' workers[ pool , wasm-simd ] ')).toEqual({
      name: 'workers[wasm-simd,pool]',
      backend: 'workers',
      bracketed: true,
      kernel: 'wasm-simd',
      pool: true,
      options: { kernel: 'wasm-simd', ...FORCED_POOL_OPTIONS },
      expectedDetails: { kernel: 'wasm-simd', dispatch: 'pool', callerComputes: false },
    });
    expect(parseBackendConfiguration('workers[pool]')).toMatchObject({ name: 'workers[pool]', options: FORCED_POOL_OPTIONS, expectedDetails: { dispatch: 'pool' } });
    expect(parseBackendConfiguration('gpujs[cpu]')).toMatchObject({ backend: 'gpujs', gpujsMode: 'cpu', options: { mode: 'cpu' }, expectedDetails: { mode: 'cpu' } });
    expect(parseBackendConfiguration('gpujs[auto]').expectedDetails).toEqual({});
    expect(parseBackendConfiguration('reference')).toEqual({ name: 'reference', backend: 'reference', bracketed: false, options: {}, expectedDetails: {} });
  });

  it.each([
    ['cpu-tiled[pool]', /cpu-tiled\[…\] with js, wasm-simd, received/],
    ['workers[js,wasm-simd]', /workers\[…\] with js, wasm-simd and\/or pool/],
    ['workers[js,js]', /backend\[configuration\]/],
    ['workers[]', /backend\[configuration\]/],
    ['gpujs[cpu,webasm]', /gpujs\[mode\] with one mode/],
    ['naive[js]', /only on cpu-tiled, workers, gpujs/],
    ['cpu-tiled[js', /backend\[configuration\]/],
    ['a,b', /backend\[configuration\]/],
  ])('rejects %s', (text, message) => {
    expect(() => parseBackendConfiguration(text)).toThrow(InvalidArgumentError);
    expect(() => parseBackendConfiguration(text)).toThrow(message);
  });

  it('accepts every gpu.js mode the gpujs package knows', () => {
    expect(GPUJS_MODE_OPTIONS).toEqual(['auto', 'headlessgl', 'webgl2', 'webgl', 'webgpu', 'webasm', 'cpu']);
    for (const mode of GPUJS_MODE_OPTIONS) expect(parseBackendConfiguration(`gpujs[${mode}]`).gpujsMode).toBe(mode);
  });
});

describe('parseBackendList', () => {
  it('splits at commas outside brackets and drops duplicates by canonical name', () => {
    expect(splitBackendList('workers[js,pool], gpujs ,,cpu-tiled[js]')).toEqual(['workers[js,pool]', 'gpujs', 'cpu-tiled[js]']);
    expect(parseBackendList(['workers[pool,js],cpu-tiled', 'workers[js,pool]']).map((c) => c.name)).toEqual(['workers[js,pool]', 'cpu-tiled']);
    expect(() => parseBackendList(' , ')).toThrow(/at least one backend/);
  });

  it('names the default configurations of each backend', () => {
    expect(defaultConfigurationNames('workers')).toEqual(['workers[js]', 'workers[wasm-simd]', 'workers[js,pool]', 'workers[wasm-simd,pool]']);
    expect(defaultConfigurationNames('gpujs')).toEqual(['gpujs[auto]', 'gpujs[webasm]', 'gpujs[cpu]']);
    expect(defaultConfigurationNames('gpujs', ['headlessgl'])).toEqual(['gpujs[headlessgl]']);
    expect(defaultConfigurationNames('reference')).toEqual(['reference']);
  });

  it('gives workers options its constructor accepts', () => {
    expect(() => new WorkersBackend(parseBackendConfiguration('workers[js,pool]').options)).not.toThrow();
  });
});

describe('a configured target runs what its name says', () => {
  const small = makeCase({ tier: 'file', shape: [2, 3, 2, 3], outChannels: 4, options: { padding: 1 }, bias: true });
  const configured = createTargets(parseBackendList('workers[js],workers[js,pool],workers[pool],cpu-tiled[js]'));

  afterAll(async () => {
    await (await configured).dispose();
  });

  it('forces even a 2×3×2×3 problem onto pool threads for workers[pool], with details that say so', async () => {
    const { targets } = await configured;
    const m = await materializeCase(small);
    for (const target of targets.filter((t) => t.name.includes('pool'))) {
      const result = await checkCaseOnBackend(m, target.backend, target.registry, target);
      expect(result.status, result.reason).toBe('passed');
      expect(result.backend).toBe(target.name);
      expect(result.details).toMatchObject({ dispatch: 'pool', callerComputes: false, poolThreads: 3 });
      expect(Number(result.details?.tiles)).toBeGreaterThan(1);
    }
  });

  it('fails a configuration whose operator reports something else (here: workers with its thresholds, asked for the pool)', async () => {
    const { targets } = await configured;
    const plain = targets.find((t) => t.name === 'workers[js]')!;
    const result = await checkCaseOnBackend(await materializeCase(small), plain.backend, plain.registry, { name: 'workers[js]', expectedDetails: { dispatch: 'pool' } });
    expect(result.status).toBe('failed');
    expect(result.reason).toBe('configuration expects dispatch = pool, the operator reports calling-thread');
  });

  it('accepts a documented microkernel fallback and nothing else', () => {
    expect(detailsMismatch({ kernel: 'wasm-simd' }, { kernel: 'js', kernelFallback: 'no SIMD' })).toBe('');
    expect(detailsMismatch({ kernel: 'wasm-simd' }, { kernel: 'js' })).toBe('configuration expects kernel = wasm-simd, the operator reports js');
    expect(detailsMismatch({ mode: 'cpu' }, undefined)).toBe('configuration expects mode = cpu, the operator reports undefined');
  });
});
