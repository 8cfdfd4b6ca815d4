import { BackendRegistry, BackendUnavailableError, InvalidArgumentError, registerReferenceBackend } from '@pointwise/core';
import { describe, expect, it } from 'vitest';
import { capabilitiesOf } from '../src/capabilities.js';
import { GPUJS_PRIORITY, GpujsBackend, registerGpujsBackend } from '../src/index.js';

describe('gpujs backend: mode resolution', () => {
  it('rejects an unknown mode or limit when constructed', () => {
    expect(() => new GpujsBackend({ mode: 'opengl' as never })).toThrow(InvalidArgumentError);
    expect(() => registerGpujsBackend(new BackendRegistry(), { mode: 'foo' as never })).toThrow(/mode: expected "auto" or one of/);
    expect(() => new GpujsBackend({ mod: 'cpu' } as never)).toThrow(/options.mod: expected one of the known options/);
    expect(() => new GpujsBackend({ maxTextureSize: 0 })).toThrow(/maxTextureSize: expected an integer ≥ 1/);
    expect(() => new GpujsBackend({ kernel: 'fast' as never })).toThrow(/kernel: expected "auto" or "scalar"/);
  });

  it('gives a typed error, naming the supported modes, for a mode gpu.js cannot run here', async () => {
    // Node has no browser WebGL2 / WebGPU.
    const backend = new GpujsBackend({ mode: 'webgl2' });
    const availability = await backend.probe();
    expect(availability).toMatchObject({ available: false });
    const error = await backend.init().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toMatch(/gpu\.js mode "webgl2" is not supported here \(supported: .*"webasm", "cpu"\)/);
    await expect(new GpujsBackend({ mode: 'webgpu' }).init()).rejects.toThrow(/mode "webgpu" is not supported here/);
  });

  it('runs a mode asked for by name and reports the kernel class gpu.js chose', async () => {
    const backend = new GpujsBackend({ mode: 'webasm' });
    await backend.init();
    expect(backend.mode).toBe('webasm');
    expect(backend.capabilities()).toMatchObject({ sync: true, precisionFactor: 1, flushesSubnormals: false, threads: 1, callingThread: 'blocked' });
    await backend.dispose();
  });

  it('declares what a run does to the calling thread: webgpu awaits mapAsync, GL reads back synchronously, cpu/webasm compute there', () => {
    const limits = { maxTextureSize: 4096, maxChunkElements: 2 ** 24 };
    expect(capabilitiesOf('webgpu', limits)).toMatchObject({ sync: false, callingThread: 'free' });
    for (const mode of ['headlessgl', 'webgl2', 'webgl', 'webasm', 'cpu'] as const) {
      expect(capabilitiesOf(mode, limits)).toMatchObject({ sync: true, callingThread: 'blocked' });
    }
  });

  it('in auto mode declines CPU-only gpu.js and software GL, saying what it found', async () => {
    const availability = await new GpujsBackend().probe();
    // This machine has no GPU: gpu.js reaches either webasm/cpu only or headless GL on Mesa's llvmpipe.
    expect(availability.available).toBe(false);
    if (!availability.available) {
      expect(availability.reason).toMatch(/auto mode: gpu\.js (reaches no GPU mode here, only "webasm", "cpu"|reaches "headlessgl" but its renderer is a software rasteriser \(.*swrast)/);
    }
  });

  it('registers as "gpujs" at priority 300 and lets automatic selection fall through on a CPU-only machine', async () => {
    const registry = new BackendRegistry();
    registerReferenceBackend(registry);
    expect(registerGpujsBackend(registry)).toBe(true);
    expect(registerGpujsBackend(registry)).toBe(false);
    expect(GPUJS_PRIORITY).toBe(300);
    expect(registry.names()).toEqual(['gpujs', 'reference']);
    const selected = await registry.select();
    expect(selected.backend.name).toBe('reference');
    expect(selected.attempts[0]).toMatchObject({ backend: 'gpujs' });
    expect(selected.attempts[0].reason).toMatch(/^auto mode:/);
    await registry.dispose();
  });
});
