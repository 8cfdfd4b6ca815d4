import { BackendRegistry } from '@pointwise/core';
import { describe, expect, it } from 'vitest';
import { BACKEND_PACKAGES, registerAllBackends, type BackendPackage } from '../src/index.js';

describe('registerAllBackends', () => {
  it('registers cpu-tiled, workers and gpujs under their names, with per-backend options', async () => {
    const registry = new BackendRegistry();
    const missing = await registerAllBackends(registry, { options: { workers: { threads: 2 }, 'cpu-tiled': { kernel: 'js' } } });
    expect(missing).toEqual([]);
    expect(registry.names().sort()).toEqual(['cpu-tiled', 'gpujs', 'workers']);
    expect(BACKEND_PACKAGES.map((p) => [p.name, p.packageName, p.register])).toEqual([
      ['cpu-tiled', '@pointwise/backend-cpu-tiled', 'registerCpuTiledBackend'],
      ['workers', '@pointwise/backend-workers', 'registerWorkersBackend'],
      ['gpujs', '@pointwise/backend-gpujs', 'registerGpujsBackend'],
    ]);
  });

  it('reports a package that cannot be loaded, lacks its register function or rejects its options, and registers the rest', async () => {
    const registry = new BackendRegistry();
    const packages: BackendPackage[] = [
      ...BACKEND_PACKAGES.filter((p) => p.name === 'cpu-tiled'),
      { name: 'absent', packageName: '@pointwise/backend-absent', register: 'registerAbsentBackend', load: () => import('@pointwise/backend-absent' as string) },
      { name: 'empty', packageName: 'empty', register: 'registerEmptyBackend', load: async () => ({}) },
    ];
    const missing = await registerAllBackends(registry, { packages, options: {} });
    expect(registry.names()).toEqual(['cpu-tiled']);
    expect(missing.map((m) => [m.name, m.packageName])).toEqual([
      ['absent', '@pointwise/backend-absent'],
      ['empty', 'empty'],
    ]);
    expect(missing[0].reason).toMatch(/backend-absent/);
    expect(missing[1].reason).toBe('empty exports no registerEmptyBackend()');
    const rejected = await registerAllBackends(new BackendRegistry(), { options: { 'cpu-tiled': { kernel: 'avx' } } });
    expect(rejected).toEqual([{ name: 'cpu-tiled', packageName: '@pointwise/backend-cpu-tiled', reason: expect.stringMatching(/kernel: expected "js" or "wasm-relaxed-simd" or "wasm-simd"/) }]);
  });
});
