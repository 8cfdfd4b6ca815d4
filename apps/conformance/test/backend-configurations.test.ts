/**
 * The backend configurations of both apps, in core's selection syntax:
 * resolved by the registry (presets, shorthand, the backend's own option
 * checks), named for rows, and checked to run what they name (the
 * operator's details).
 */
import { InvalidArgumentError, parseBackendEntry, parseBackendList } from '@pointwise/core';
import { WORKERS_PRESETS, WorkersBackend } from '@pointwise/backend-workers';
import { afterAll, describe, expect, it } from 'vitest';
import {
  backendEntryText,
  defaultConfigurationNames,
  expandPlainEntry,
  expectedDetailsOf,
  FORCED_POOL_OPTIONS,
  GPUJS_MODE_OPTIONS,
  parseBackendArguments,
  resolveBackendConfiguration,
  shortConfigurationName,
} from '../src/backend-configurations.js';
import { createConformanceRegistry, createTargets } from '../src/backends.js';
import { makeCase } from '../src/catalogue/make-case.js';
import { materializeCase } from '../src/catalogue/materialize.js';
import { checkCaseOnBackend } from '../src/runner/check-case.js';
import { detailsMismatch } from '../src/runner/target.js';

const { registry, missing } = await createConformanceRegistry();
const resolve = (text: string) => resolveBackendConfiguration(registry, { entry: parseBackendEntry(text) });

afterAll(async () => {
  await registry.dispose();
});

describe('resolveBackendConfiguration', () => {
  it('registers every engine package', () => {
    expect(missing).toEqual([]);
    expect(registry.names()).toEqual(['gpujs', 'workers', 'cpu-tiled', 'reference']);
  });

  it('maps a bracketed word to the shorthand option and the details an operator must report', () => {
    expect(resolve('cpu-tiled[js]')).toEqual({
      name: 'cpu-tiled[js]',
      backend: 'cpu-tiled',
      configuration: 'cpu-tiled[kernel=js]',
      options: { kernel: 'js' },
      expectedDetails: { kernel: 'js' },
    });
    expect(resolve('gpujs[cpu]')).toMatchObject({ name: 'gpujs[cpu]', configuration: 'gpujs[mode=cpu]', options: { mode: 'cpu' }, expectedDetails: { mode: 'cpu' } });
    expect(resolve('gpujs[auto]').expectedDetails).toEqual({});
    expect(resolve('reference')).toEqual({ name: 'reference', backend: 'reference', configuration: 'reference', options: {}, expectedDetails: {} });
  });

  it("resolves workers' pool preset, in any order and with the kernel as a word or key=value, to one configuration", () => {
    const pool = {
      name: 'workers[wasm-simd,pool]',
      backend: 'workers',
      configuration: 'workers[callerComputes=false,kernel=wasm-simd,minParallelFlops=0,minTileFlops=1,threads=3]',
      options: { kernel: 'wasm-simd', ...FORCED_POOL_OPTIONS },
      expectedDetails: { kernel: 'wasm-simd', callerComputes: false, dispatch: 'pool' },
    };
    expect(resolve(' workers[ pool , wasm-simd ] ')).toEqual(pool);
    expect(resolve('workers[pool,kernel=wasm-simd]')).toEqual(pool);
    expect(resolve('workers[callerComputes=false,kernel=wasm-simd,minParallelFlops=0,minTileFlops=1,threads=3]')).toEqual(pool);
    expect(resolve('workers[pool]')).toMatchObject({ name: 'workers[pool]', options: WORKERS_PRESETS.pool, expectedDetails: { dispatch: 'pool', callerComputes: false } });
  });

  it('takes key=value options, typed by core (numbers, booleans), named in the short canonical form', () => {
    expect(resolve('workers[threads=2,kernel=js]')).toEqual({
      name: 'workers[js,threads=2]',
      backend: 'workers',
      configuration: 'workers[kernel=js,threads=2]',
      options: { kernel: 'js', threads: 2 },
      expectedDetails: { kernel: 'js' },
    });
    expect(resolve('workers[pool,threads=4]')).toMatchObject({
      name: 'workers[callerComputes=false,minParallelFlops=0,minTileFlops=1,threads=4]',
      options: { ...WORKERS_PRESETS.pool, threads: 4 },
      expectedDetails: { callerComputes: false, dispatch: 'pool' },
    });
    expect(resolve('workers[callerComputes=true]')).toMatchObject({ name: 'workers[callerComputes=true]', expectedDetails: { callerComputes: true } });
    expect(resolve('gpujs[mode=webasm]').name).toBe('gpujs[webasm]');
  });

  it.each([
    ['cpu-tiled[avx]', /^--backends: cpu-tiled\[avx\]: kernel: expected "js" or "wasm-relaxed-simd" or "wasm-simd", received "avx"$/],
    ['cpu-tiled[pool]', /^--backends: cpu-tiled\[pool\]: kernel: expected "js" or "wasm-relaxed-simd" or "wasm-simd", received "pool"$/],
    ['workers[js,wasm-simd]', /^--backends: workers\[js,wasm-simd\]: expected for "workers\[…\]": key=value options or the presets pool, received "wasm-simd"$/],
    ['workers[threads=0]', /^--backends: workers\[threads=0\]: threads: expected/],
    ['workers[callerComputes=no]', /^--backends: workers\[callerComputes=no\]: callerComputes: expected a boolean/],
    ['workers[thread=2]', /^--backends: workers\[thread=2\]: options\.thread: expected one of the known options/],
    ['gpujs[metal]', /^--backends: gpujs\[metal\]: mode: expected/],
    ['reference[js]', /^--backends: reference\[js\]: expected for "reference\[…\]": key=value options, received "js"$/],
    ['nonesuch', /^--backends: expected a registered backend \(gpujs, workers, cpu-tiled, reference\), received "nonesuch"$/],
    ['cpu-tild', /^--backends: expected a registered backend \(gpujs, workers, cpu-tiled, reference\), received "cpu-tild" \(did you mean "cpu-tiled"\?\)$/],
    ['workers[thraeds=2]', /^--backends: workers\[thraeds=2\]: options\.thraeds: expected one of the known options \(.*\), received "thraeds" \(did you mean "threads"\?\)$/],
  ])('rejects %s with an InvalidArgumentError naming the entry', (text, message) => {
    expect(() => resolve(text)).toThrow(InvalidArgumentError);
    expect(() => resolve(text)).toThrow(message);
  });

  it('accepts every gpu.js mode the gpujs package knows', () => {
    expect(GPUJS_MODE_OPTIONS).toEqual(['auto', 'headlessgl', 'webgl2', 'webgl', 'webgpu', 'webasm', 'cpu']);
    for (const mode of GPUJS_MODE_OPTIONS) expect(resolve(`gpujs[${mode}]`).options).toEqual({ mode });
  });

  it('gives workers options its constructor accepts', () => {
    expect(() => new WorkersBackend(resolve('workers[js,pool]').options)).not.toThrow();
  });
});

describe('names and lists', () => {
  it("parses lists with core's parser: commas inside brackets separate options, repeated flags concatenate", () => {
    expect(parseBackendArguments(['workers[js,pool], gpujs ,cpu-tiled[threads=1]', 'reference'])).toEqual([
      ...parseBackendList('workers[js,pool],gpujs,cpu-tiled[threads=1]'),
      { name: 'reference', options: {} },
    ]);
    expect(() => parseBackendArguments('  ')).toThrow(/--backends: expected at least one backend/);
    expect(() => parseBackendArguments('gpujs ,,cpu-tiled')).toThrow(/^--backends: expected a backend name at entry 2 of 3, found an empty entry \(commas at characters 7 and 8 with nothing between\)/);
    expect(() => parseBackendArguments('workers[js', 'POINTWISE_BACKEND')).toThrow(/^POINTWISE_BACKEND: expected balanced, unnested brackets/);
  });

  it('writes a parsed entry back with its words, so the registry resolves the same configuration', () => {
    expect(backendEntryText(parseBackendEntry('workers[pool, js, threads=2]'))).toBe('workers[pool,js,threads=2]');
    expect(backendEntryText(parseBackendEntry('gpujs'))).toBe('gpujs');
    expect(backendEntryText({ name: 'workers', options: { threads: 2, kernel: 'js' } })).toBe('workers[kernel=js,threads=2]');
  });

  it('abbreviates the shorthand option and whole presets only', () => {
    expect(shortConfigurationName(registry, 'workers', { kernel: 'js', ...WORKERS_PRESETS.pool })).toBe('workers[js,pool]');
    expect(shortConfigurationName(registry, 'workers', { ...WORKERS_PRESETS.pool, minTileFlops: 2 })).toBe('workers[callerComputes=false,minParallelFlops=0,minTileFlops=2,threads=3]');
    expect(shortConfigurationName(registry, 'cpu-tiled', { kernel: 'js', mc: 64 })).toBe('cpu-tiled[js,mc=64]');
    // Every short name reads back to the same configuration.
    for (const text of ['workers[js,pool]', 'workers[js,threads=2]', 'cpu-tiled[js,mc=64]', 'gpujs[webasm]']) expect(resolve(text).name).toBe(text);
  });

  it('expects the pool dispatch only where no threshold and an idle calling thread force it', () => {
    expect(expectedDetailsOf('workers', { minParallelFlops: 0 })).toEqual({});
    expect(expectedDetailsOf('workers', { minParallelFlops: 0, callerComputes: false })).toEqual({ callerComputes: false, dispatch: 'pool' });
    expect(expectedDetailsOf('cpu-tiled', { kernel: 'js', callerComputes: false })).toEqual({ kernel: 'js' });
  });

  it('names the default configurations of each backend in the selection syntax', () => {
    expect(defaultConfigurationNames('workers')).toEqual(['workers[js]', 'workers[wasm-simd]', 'workers[js,pool]', 'workers[wasm-simd,pool]']);
    expect(defaultConfigurationNames('gpujs')).toEqual(['gpujs[auto]', 'gpujs[webasm]', 'gpujs[cpu]']);
    expect(defaultConfigurationNames('gpujs', ['headlessgl'])).toEqual(['gpujs[headlessgl]']);
    expect(defaultConfigurationNames('reference')).toEqual(['reference']);
    expect(defaultConfigurationNames('workers').map((n) => resolve(n).configuration)).toEqual([
      'workers[kernel=js]',
      'workers[kernel=wasm-simd]',
      'workers[callerComputes=false,kernel=js,minParallelFlops=0,minTileFlops=1,threads=3]',
      'workers[callerComputes=false,kernel=wasm-simd,minParallelFlops=0,minTileFlops=1,threads=3]',
    ]);
  });

  it('expands a plain name once per flag value, and leaves a configured entry as it is', () => {
    expect(expandPlainEntry({ entry: parseBackendEntry('gpujs') }, 'mode', ['cpu', 'webasm'])).toEqual([
      { entry: { name: 'gpujs', options: { mode: 'cpu' } } },
      { entry: { name: 'gpujs', options: { mode: 'webasm' } } },
    ]);
    const configured = { entry: parseBackendEntry('gpujs[webgl2]') };
    expect(expandPlainEntry(configured, 'mode', ['cpu'])).toEqual([configured]);
  });
});

describe('a configured target runs what its name says', () => {
  const small = makeCase({ tier: 'file', shape: [2, 3, 2, 3], outChannels: 4, options: { padding: 1 }, bias: true });
  const targets = createTargets(['workers[js]', 'workers[js,pool]', 'workers[pool]', 'cpu-tiled[js]'].map(resolve), registry);

  it('forces even a 2×3×2×3 problem onto pool threads for workers[pool], with details that say so', async () => {
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
