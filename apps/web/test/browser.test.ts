/**
 * The production build in real Chromium, cross-origin isolated: what a web developer who
 * bundles Pointwise with Vite gets. Skipped (with the reason) only where Chromium is absent.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_MISSING, openApp, type BrowserSession } from './browser-session.js';

const SIZE = 128;
const NETWORK_CONFIGURATIONS = ['reference', 'cpu-tiled', 'workers'];

/** jpeg-js and face-api's demo photo, as the Node loader reads them (both installed for @pointwise/conformance). */
function nodeDecodedPhoto(image: string): { width: number; height: number; data: Uint8Array } {
  const require = createRequire(new URL('../../conformance/package.json', import.meta.url));
  const jpeg = require('jpeg-js') as { decode(b: Buffer, o: object): { width: number; height: number; data: Uint8Array } };
  const file = require.resolve('@vladmandic/face-api/package.json').replace(/package\.json$/, `demo/${image}`);
  return jpeg.decode(readFileSync(file), { useTArray: true, formatAsRGBA: false });
}

interface Result {
  case: string;
  backend: string;
  status: string;
  reason?: string;
  worstRatio?: number;
}

interface Listing {
  name: string;
  available: boolean;
  reason?: string;
}

describe.skipIf(CHROMIUM_MISSING !== undefined)(`apps/web production build in Chromium${CHROMIUM_MISSING ? ` (skipped: ${CHROMIUM_MISSING})` : ''}`, () => {
  let session: BrowserSession;

  beforeAll(async () => {
    // vitest.browser.config.ts's globalSetup has built dist/ (the `vite build` of `pnpm web`).
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

  // gpu.js's modes run the edge tier in test/browser-matrix.test.ts, one configuration at a time; here
  // the page runs several configurations in one run (each case materialised once, checked on each).
  it('runs the edge conformance tier to completion with 0 failures on reference, cpu-tiled and workers in one run', async () => {
    const configurations = ['reference', 'cpu-tiled', 'workers'];
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
      // What each run does to the page's main thread, stamped on the row: cpu-tiled computes there,
      // workers' calling thread takes a share; the naive baseline is a peer and declares nothing.
      expect(measurements.map((m: { details?: { callingThread?: string } }) => m.details?.callingThread)).toEqual(['blocked', 'shared', undefined]);
    }
    const shown = await session.page.locator('#bench-table').textContent();
    expect(shown).toContain('blocked for the whole run');
    expect(shown).toContain('computes a share');
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
        // The page's harness worker ran them all, the peers' engines and thread pools started there.
        expect(m.details.ranOn, m.contender).toBe('worker');
      }
      const byName = Object.fromEntries(measurements.map((m: { contender: string }) => [m.contender, m]));
      // The settings each peer ran with, stamped on every row: XNNPACK with SIMD and ONNX Runtime's
      // MLAS, both on every core (the page is isolated; TF.js's pthread workers start from the
      // minified bundle), each from the binary the page served.
      expect(byName['tfjs-wasm'].inputLayout).toBe('NHWC');
      // TF.js's threaded build, from the bundle: XNNPACK's pool is what TF.js's backend.cc allows,
      // min(8, max(1, floor(hardwareConcurrency / 2))), whatever was asked (every core).
      const tfjsThreads = Math.min(8, Math.max(1, Math.floor(threads / 2)));
      expect(byName['tfjs-wasm'].details).toMatchObject({ backend: 'wasm', kernel: 'xnnpack', simd: true, multithread: true, threads: tfjsThreads, requestedThreads: threads, binary: expect.stringMatching(/^tfjs-backend-wasm-threaded-simd.*\.wasm$/) });
      expect(byName['ort-wasm'].inputLayout).toBe('NCHW');
      expect(byName['ort-wasm'].details).toMatchObject({ provider: 'wasm', kernel: 'mlas', threads, simd: true, binary: expect.stringMatching(/^ort-wasm-simd-threaded\.jsep.*\.wasm$/) });
      expect(byName['tfjs-cpu'].details).toMatchObject({ backend: 'cpu', threads: 1, kernel: 'js' });
    }
    expect(report.suites[0].layers[1].measurements[3].details.activation).toBe('clip-node');
  });

  it('decodes the served photograph to the pixels jpeg-js gives in Node (no colour conversion)', async () => {
    const step = 17;
    const browser = await session.page.evaluate((s) => (window as any).pointwise.networkPhoto('sample1.jpg', s), step);
    expect(browser.url).toMatch(/assets\/sample1-[\w-]+\.jpg$/);
    const node = nodeDecodedPhoto('sample1.jpg');
    expect([browser.width, browser.height]).toEqual([node.width, node.height]);
    let sum = 0;
    let worst = 0;
    browser.rgb.forEach((v: number, i: number) => {
      const pixel = Math.floor(i / 3) * step;
      const d = Math.abs(v - node.data[3 * pixel + (i % 3)]);
      sum += d;
      worst = Math.max(worst, d);
    });
    // Two JPEG decoders (libjpeg-turbo in Chromium, jpeg-js) differ by IDCT and chroma upsampling
    // rounding only: a colour-managed or premultiplied decode would be off by far more.
    expect(sum / browser.rgb.length).toBeLessThan(1.5);
    expect(worst).toBeLessThanOrEqual(32);
  });

  it(`runs the 29 SSD-MobileNetV1 layers at ${SIZE}² with 0 failures on ${NETWORK_CONFIGURATIONS.join(', ')}, files from the page's origin`, async () => {
    const report = await session.page.evaluate(([c, size]) => (window as any).pointwise.runConformance(['network'], c, { inputSize: size }), [NETWORK_CONFIGURATIONS, SIZE] as const);
    expect(report.network).toEqual({ image: 'sample1.jpg', inputSize: SIZE });
    expect(report.backends.map((b: { name: string; available: boolean }) => [b.name, b.available])).toEqual(NETWORK_CONFIGURATIONS.map((c) => [c, true]));
    const results = report.results as Result[];
    expect(results.filter((r) => r.status !== 'passed').map((r) => `${r.backend} ${r.case}: ${r.reason}`)).toEqual([]);
    for (const name of NETWORK_CONFIGURATIONS) {
      const mine = results.filter((r) => r.backend === name);
      expect(mine.length, name).toBe(29);
      for (const r of mine) expect(r.worstRatio, `${name} ${r.case}`).toBeLessThanOrEqual(1);
    }
    const cases = [...new Set(results.map((r) => r.case))];
    expect(cases[0]).toBe(`network/ssd-mobilenet-v1@${SIZE}/MobilenetV1/Conv2d_1_pointwise`);
    expect(cases).toContain(`network/ssd-mobilenet-v1@${SIZE}/Prediction/BoxPredictor_5/ClassPredictor`);
    // Some layer computed something: a layer whose every output is 0 would pass trivially.
    expect(Math.max(...results.map((r) => r.worstRatio ?? 0))).toBeGreaterThan(0);
    expect(await session.page.locator('#conformance-summary').textContent()).toMatch(/^87 checks, 0 failed,/);
    const origin = new URL(session.url).origin;
    const fetched = await session.page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => /\.(bin|jpg|json)$/.test(n)));
    expect(fetched.filter((n) => n.includes('ssd_mobilenetv1_model')).length).toBe(2);
    expect(fetched.every((n) => n.startsWith(`${origin}/assets/`))).toBe(true);
  });

  it('logged no page errors or failed requests', () => {
    expect(session.problems.filter((p) => !p.includes('favicon'))).toEqual([]);
  });
});
