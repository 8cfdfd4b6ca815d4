/**
 * The production build in real Chromium, cross-origin isolated: what a web developer who
 * bundles Pointwise with Vite gets. Skipped (with the reason) only where Chromium is absent.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, CHROMIUM_MISSING, openApp, type BrowserSession } from './browser-session.js';

interface Listing {
  name: string;
  available: boolean;
  reason?: string;
}

describe.skipIf(CHROMIUM_MISSING !== undefined)(`apps/web production build in Chromium${CHROMIUM_MISSING ? ` (skipped: ${CHROMIUM_MISSING})` : ''}`, () => {
  let session: BrowserSession;

  beforeAll(async () => {
    await buildApp();
    session = await openApp();
  });

  afterAll(async () => {
    await session?.close();
  });

  it('is cross-origin isolated and lists workers available', async () => {
    const { isolated, listing } = await session.page.evaluate(async () => ({
      isolated: crossOriginIsolated,
      listing: JSON.parse(JSON.stringify(await (window as any).pointwise.list())) as Listing[],
    }));
    expect(isolated).toBe(true);
    expect(listing.find((l) => l.name === 'workers')).toMatchObject({ available: true });
    expect(listing.find((l) => l.name === 'cpu-tiled')).toMatchObject({ available: true });
  });

  it('selects workers automatically on a large layer (its bundled worker chunk loads) and matches the reference', async () => {
    const probe = await session.page.evaluate(() => (window as any).pointwise.probeAutomaticSelection(256, 256, 32));
    expect(probe.skipped.filter((s: { backend: string }) => s.backend.startsWith('workers'))).toEqual([]);
    expect(probe.backend).toBe('workers');
    expect(probe.details.dispatch).toBe('pool');
    expect(probe.elements).toBe(256 * 32 * 32);
    expect(probe.failureCount).toBe(0);
    expect(probe.worstRatio).toBeLessThanOrEqual(1);
  });

  it('runs the edge conformance tier to completion with 0 failures on reference, cpu-tiled, workers and gpujs', async () => {
    const configurations = ['reference', 'cpu-tiled', 'workers', 'gpujs[webgl2]'];
    const report = await session.page.evaluate((c) => (window as any).pointwise.runConformance(['edge'], c), configurations);
    expect(report.backends.map((b: Listing) => [b.name, b.available, b.reason])).toEqual(configurations.map((c) => [c, true, undefined]));
    const failed = report.results.filter((r: { status: string }) => r.status === 'failed');
    expect(failed).toEqual([]);
    for (const name of configurations) {
      const mine = report.results.filter((r: { backend: string }) => r.backend === name);
      expect(mine.length, name).toBeGreaterThan(20);
      expect(mine.filter((r: { status: string }) => r.status === 'passed').length, name).toBeGreaterThan(20);
    }
    expect(await session.page.locator('#conformance-summary').textContent()).toMatch(/, 0 failed,/);
  });

  it('runs a tiny bench suite, checked against the reference, and downloads JSON in the CLI schema', async () => {
    const report = await session.page.evaluate(() => (window as any).pointwise.runBenchmark('tiny', ['cpu-tiled', 'workers'], true));
    expect(report.tool).toBe('@pointwise/bench');
    expect(report.environment.browser.crossOriginIsolated).toBe(true);
    for (const { measurements } of report.suites[0].layers) {
      expect(measurements.map((m: { contender: string }) => m.contender)).toEqual(['cpu-tiled', 'workers', 'naive']);
      for (const m of measurements) {
        expect(m.status, `${m.contender}: ${m.reason}`).toBe('ok');
        expect(m.accuracy.failureCount).toBe(0);
        expect(m.gflops.median).toBeGreaterThan(0);
        expect(m.samplesMs.length).toBeGreaterThanOrEqual(5);
      }
    }
    const [download] = await Promise.all([session.page.waitForEvent('download'), session.page.click('#download-bench')]);
    const path = await download.path();
    const json = JSON.parse(readFileSync(path, 'utf8'));
    expect(json).toMatchObject({ tool: '@pointwise/bench', version: report.version, settings: { repeat: 5, seed: 1, layout: ['NCHW'] } });
    expect(json.suites[0].layers[1].measurements[1].samplesMs).toEqual(report.suites[0].layers[1].measurements[1].samplesMs);
    expect(Object.keys(json).sort()).toEqual(['contenders', 'environment', 'planner', 'settings', 'startedAt', 'suites', 'tool', 'version', 'wallMs']);
    expect(await session.page.locator('#bench-chart').count()).toBe(1);
  });

  it('runs TF.js and onnxruntime-web peers on their served wasm binaries, each checked against the reference', async () => {
    const report = await session.page.evaluate(() => (window as any).pointwise.runBenchmark('tiny', ['cpu-tiled'], false, false, ['tfjs-cpu', 'tfjs-wasm', 'ort-wasm']));
    const status = Object.fromEntries(report.contenders.map((c: { name: string; available: boolean; reason?: string; version: string }) => [c.name, [c.available, c.reason, c.version]]));
    expect(status).toEqual({ 'cpu-tiled': [true, undefined, expect.any(String)], 'tfjs-cpu': [true, undefined, '4.22.0'], 'tfjs-wasm': [true, undefined, '4.22.0'], 'ort-wasm': [true, undefined, '1.30.0'] });
    const threads = await session.page.evaluate(() => navigator.hardwareConcurrency);
    for (const { layer, measurements } of report.suites[0].layers) {
      expect(measurements.map((m: { contender: string }) => m.contender)).toEqual(['cpu-tiled', 'tfjs-cpu', 'tfjs-wasm', 'ort-wasm']);
      for (const m of measurements) {
        expect(m.status, `${layer.name} ${m.contender}: ${m.reason}`).toBe('ok');
        expect(m.accuracy.failureCount).toBe(0);
        expect(m.accuracy.worstRatio).toBeLessThanOrEqual(1);
        expect(m.gflops.median).toBeGreaterThan(0);
      }
      const byName = Object.fromEntries(measurements.map((m: { contender: string }) => [m.contender, m]));
      // The settings each peer ran with, stamped on every row: XNNPACK with SIMD (single-threaded:
      // TF.js's threaded build cannot start its workers from a bundle), ONNX Runtime's MLAS on every
      // core (the page is isolated), each from the binary the page served.
      expect(byName['tfjs-wasm'].inputLayout).toBe('NHWC');
      expect(byName['tfjs-wasm'].details).toMatchObject({ backend: 'wasm', kernel: 'xnnpack', simd: true, multithread: false, threads: 1, binary: expect.stringMatching(/^tfjs-backend-wasm-simd.*\.wasm$/) });
      expect(byName['ort-wasm'].inputLayout).toBe('NCHW');
      expect(byName['ort-wasm'].details).toMatchObject({ provider: 'wasm', kernel: 'mlas', threads, simd: true, binary: expect.stringMatching(/^ort-wasm-simd-threaded\.jsep.*\.wasm$/) });
      expect(byName['tfjs-cpu'].details).toMatchObject({ backend: 'cpu', threads: 1, kernel: 'js' });
    }
    expect(report.suites[0].layers[1].measurements[3].details.activation).toBe('clip-node');
  });

  it('logged no page errors or failed requests', () => {
    expect(session.problems.filter((p) => !p.includes('favicon'))).toEqual([]);
  });
});
