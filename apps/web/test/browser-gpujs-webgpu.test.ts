/**
 * gpu.js's webgpu mode in Chromium (WebGPU on SwiftShader): the packed WGSL kernel against the float64
 * reference on each branch of its generator, device-resident chains against host runs, and the resident
 * lifecycle. (The conformance matrix in browser-matrix.test.ts runs the edge, errors and layers tiers on it.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_MISSING, CHROMIUM_PATH } from './browser-session.js';
import { openWebgpuPage } from './gpujs-webgpu-session.mjs';

type Page = Awaited<ReturnType<typeof openWebgpuPage>>;
interface Row {
  name: string;
  variant: string;
  kernel: string;
  canRunResident: boolean;
  worstRatio: number;
  failures: number;
  residentEqualsHost?: boolean;
}

describe.skipIf(CHROMIUM_MISSING !== undefined)(`gpujs[webgpu]: packed WGSL kernel and resident results${CHROMIUM_MISSING ? ` (skipped: ${CHROMIUM_MISSING})` : ''}`, () => {
  let session: Page;
  let adapter: string;

  beforeAll(async () => {
    session = await openWebgpuPage({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    adapter = await session.page.evaluate(() => (window as any).gpujsWebgpu.adapter());
    console.log(`WebGPU adapter: ${adapter}`);
  });

  afterAll(async () => {
    await session?.close();
  });

  it('has a WebGPU adapter (SwiftShader with --enable-unsafe-webgpu)', () => {
    expect(adapter).not.toMatch(/^no /);
  });

  it('runs the packed kernel on every layout (grouped K or Co/g not multiples of 4 packed per group, host runs only), within the bound', async () => {
    const rows = (await session.page.evaluate(() => (window as any).gpujsWebgpu.conformance())) as Row[];
    console.log(rows.map((r) => `${r.name}: ${r.variant}, worst ${r.worstRatio.toFixed(3)}`).join('\n'));
    expect(rows.length).toBe(7);
    for (const row of rows) {
      const plain = !row.name.includes('packed per group');
      expect(row.variant, row.name).toBe('vec4');
      expect(row.kernel, row.name).toBe('WGSL vec4 on gpu.js WebGPU device');
      expect(row.canRunResident, row.name).toBe(plain);
      expect(row.failures, row.name).toBe(0);
      expect(row.worstRatio, row.name).toBeLessThanOrEqual(1);
      if (plain) expect(row.residentEqualsHost, row.name).toBe(true);
    }
    expect(session.problems).toEqual([]);
  }, 120_000);

  it("runs the packed kernel for the matrix's gpujs[webgpu] configuration, and gpu.js's scalar kernel with kernel: 'scalar'", async () => {
    const rows = (await session.page.evaluate(() => (window as any).gpujsWebgpu.configurations())) as Row[];
    expect(rows.map((r) => [r.variant, r.kernel, r.failures])).toEqual([
      ['vec4', 'WGSL vec4 on gpu.js WebGPU device', 0],
      ['scalar', 'WebGPUKernel', 0],
    ]);
    for (const row of rows) expect(row.worstRatio, row.name).toBeLessThanOrEqual(1);
    expect(session.problems).toEqual([]);
  }, 120_000);

  it('chains 3 layers on the device with one read at the end, equal to host runs, each layer within the bound', async () => {
    const result = (await session.page.evaluate(() => (window as any).gpujsWebgpu.chain())) as {
      perLayer: { worstRatio: number; failures: number }[];
      differing: number;
      values: number;
      variants: string[];
    };
    expect(result.variants).toEqual(['vec4', 'vec4', 'vec4']);
    expect(result.values).toBe(96 * 14 * 14);
    expect(result.differing).toBe(0);
    for (const layer of result.perLayer) {
      expect(layer.failures).toBe(0);
      expect(layer.worstRatio).toBeLessThanOrEqual(1);
    }
    expect(session.problems).toEqual([]);
  }, 120_000);

  it('reads a resident tensor (twice, into out), refuses another instance, and throws DisposedError after dispose', async () => {
    const result = await session.page.evaluate(() => (window as any).gpujsWebgpu.lifecycle());
    expect(result).toEqual({
      readEqualsRun: true,
      readIntoOut: true,
      otherInstance: 'InvalidArgumentError',
      chainedEqualsHost: true,
      afterDispose: 'DisposedError',
      afterOperatorDispose: { disposed: true, read: 'DisposedError' },
    });
    expect(session.problems).toEqual([]);
  }, 120_000);
});
