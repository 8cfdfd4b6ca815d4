/**
 * The browser conformance matrix: edge + errors + layers on every configuration the isolated page
 * lists available (gpu.js's webgl2, webgl and webgpu modes on SwiftShader, workers with both
 * kernels), printed as configuration × tier (worst error/bound), shown on the page and kept as a
 * screenshot in test-results/; and the same build served without COOP/COEP, where workers is
 * unavailable with the isolation reason.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIGURATIONS } from '../src/configurations.js';
import { APP_ROOT, CHROMIUM_MISSING, openApp, type BrowserSession } from './browser-session.js';

/** Available on any isolated Chromium: the test fails if one is not. gpu.js modes are recorded either way. */
const MUST_BE_AVAILABLE = ['reference', 'cpu-tiled[js]', 'cpu-tiled[wasm-simd]', 'workers[js]', 'workers[wasm-simd]', 'workers[js,pool]'];
const TIERS = ['edge', 'errors', 'layers'] as const;
/** The layers tier's size: every MobileNetV2 and ResNet-50 layer of the catalogue and the seed layer. */
const ALL_LAYERS = 13;
/**
 * The layers tier on a subset of its 13 layers for gpu.js's modes, to keep the run within CI's 4
 * minutes on two cores (software WebGL and WebGPU pay seconds per large layer): NHWC and NCHW, bias,
 * ReLU6 and ReLU, a wide output and a deep input. The CPU configurations run all 13; edge and errors
 * run whole everywhere.
 */
const LAYER_SUBSET = [
  'layers/mobilenet-v2/nhwc-n1-ci384-h14-w14-co64-bias',
  'layers/mobilenet-v2/nhwc-n1-ci320-h7-w7-co1280-relu6-bias',
  'layers/resnet-50/nchw-n1-ci2048-h7-w7-co512-relu-bias',
];

interface Result {
  case: string;
  backend: string;
  status: string;
  reason?: string;
  worstRatio?: number;
}
interface Backend {
  name: string;
  available: boolean;
  reason?: string;
  callingThread?: string;
  /** Where the page ran it: its harness worker, or its main thread. */
  ranOn?: string;
}
interface Report {
  backends: Backend[];
  results: Result[];
  wallMs: number;
}
interface Row {
  configuration: string;
  available: boolean;
  reason?: string;
  callingThread?: string;
  ranOn?: string;
  seconds: number;
  results: Result[];
}

/**
 * The configurations that run all 13 layers, in one pass after the per-configuration checks: the
 * runner materialises each case once and checks it on every configuration in turn, so the float64
 * reference of the largest layers (the seed layer alone is 3.3 GFLOP, about 8 s in the page) is
 * paid once, not once per configuration. gpu.js's modes keep {@link LAYER_SUBSET}: all 13 layers
 * on gpujs[webgl2] (SwiftShader) measured 19–23 s against 2–4 s for the subset, which the 4-minute
 * budget of the whole browser suite does not hold on a loaded 2-core machine (apps/web/README.md).
 */
const ALL_LAYERS_ON = [...MUST_BE_AVAILABLE];
const runsAllLayers = (configuration: string): boolean => ALL_LAYERS_ON.includes(configuration);
/**
 * What each configuration's run does to the page's main thread (core's `callingThreadUse`): the
 * reference and cpu-tiled compute there; workers' calling thread takes a share; gpu.js's GL, webasm
 * and cpu modes run synchronously (GL: a `readPixels` readback that waits for the GPU) and so block it;
 * its webgpu mode only awaits the device (a `mapAsync` readback).
 */
const CALLING_THREAD: Readonly<Record<string, string>> = {
  reference: 'blocked',
  'cpu-tiled[js]': 'blocked',
  'cpu-tiled[wasm-simd]': 'blocked',
  'workers[js]': 'shared',
  'workers[wasm-simd]': 'shared',
  'workers[js,pool]': 'shared',
  'gpujs[webgl2]': 'blocked',
  'gpujs[webgl]': 'blocked',
  'gpujs[webgpu]': 'free',
  'gpujs[webasm]': 'blocked',
  'gpujs[cpu]': 'blocked',
};

const tierOf = (r: Result): string => r.case.split('/')[0]!;
const cell = (results: Result[]): string => {
  if (results.length === 0) return '—';
  const failed = results.filter((r) => r.status === 'failed').length;
  const skipped = results.filter((r) => r.status === 'skipped').length;
  const worst = Math.max(0, ...results.map((r) => r.worstRatio ?? 0));
  return `${results.length - failed - skipped}/${results.length} ok${failed ? ` ${failed} FAILED` : ''}${skipped ? ` ${skipped} skipped` : ''}, worst ${worst.toFixed(3)}`;
};

/** The matrix as plain text: configuration × tier, passed/checks and worst error/bound. */
function formatMatrix(rows: Row[]): string {
  const header = ['configuration', 'main thread', 'ran on', ...TIERS.map((t) => (t === 'layers' ? `layers (of ${ALL_LAYERS})` : t)), 'time'];
  const body = rows.map((row) =>
    row.available
      ? [row.configuration, row.callingThread ?? '', row.ranOn ?? '', ...TIERS.map((t) => cell(row.results.filter((r) => tierOf(r) === t))), `${row.seconds.toFixed(1)} s`]
      : [row.configuration, '', '', `unavailable: ${row.reason ?? ''}`, '', '', ''],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[5] === '' && i > 3 ? 0 : b[i]!.length))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join(' | ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line)].join('\n');
}

describe.skipIf(CHROMIUM_MISSING !== undefined)(`the browser conformance matrix (isolated page)${CHROMIUM_MISSING ? ` (skipped: ${CHROMIUM_MISSING})` : ''}`, () => {
  let session: BrowserSession;
  let listed: Backend[];
  const rows: Row[] = [];
  let layersPassSeconds = 0;

  beforeAll(async () => {
    session = await openApp();
    listed = await session.page.evaluate(() => JSON.parse(JSON.stringify((window as any).pointwise.configurations)) as Backend[]);
  });

  afterAll(async () => {
    await session?.close();
  });

  it('lists every configuration, workers with both kernels available', () => {
    expect(listed.map((c) => c.name)).toEqual(CONFIGURATIONS);
    for (const name of MUST_BE_AVAILABLE) expect(listed.find((c) => c.name === name), name).toMatchObject({ available: true });
    for (const c of listed) if (!c.available) expect(c.reason, c.name).toMatch(/\S/);
  });

  it("says, for every available configuration, what a run does to the page's main thread", async () => {
    for (const c of listed.filter((c) => c.available && CALLING_THREAD[c.name] !== undefined)) expect([c.name, c.callingThread]).toEqual([c.name, CALLING_THREAD[c.name]]);
    const shown = await session.page.locator('#configuration-list').textContent();
    expect(shown).toContain('main thread during a run');
    expect(shown).toContain('blocked for the whole run');
    expect(shown).toContain('computes a share');
  });

  for (const configuration of CONFIGURATIONS) {
    const layers = runsAllLayers(configuration) ? [] : LAYER_SUBSET;
    it(`${configuration}: edge + errors${runsAllLayers(configuration) ? '' : ` + layers (${LAYER_SUBSET.length} of ${ALL_LAYERS})`} pass, or it is listed unavailable with its reason`, async () => {
      const status = listed.find((c) => c.name === configuration)!;
      if (!status.available) {
        rows.push({ configuration, available: false, reason: status.reason, seconds: 0, results: [] });
        return;
      }
      const started = performance.now();
      const report = (await session.page.evaluate(([c, only]) => (window as any).pointwise.runConformance(['edge', 'errors', 'layers'], [c], undefined, only), [
        configuration,
        [...layers, 'edge/', 'errors/'],
      ] as const)) as Report;
      const seconds = (performance.now() - started) / 1000;
      const backend = report.backends[0]!;
      rows.push({ configuration, available: backend.available, reason: backend.reason, callingThread: backend.callingThread, ranOn: backend.ranOn, seconds, results: report.results });
      expect(backend.available, `${configuration}: ${backend.reason}`).toBe(true);
      // Every configuration runs in the page's harness worker, gpu.js's GL modes on an OffscreenCanvas there.
      expect(backend.ranOn).toBe('worker');
      expect(report.results.filter((r) => r.status === 'failed').map((r) => `${r.case}: ${r.reason}`)).toEqual([]);
      const byTier = Object.fromEntries(TIERS.map((t) => [t, report.results.filter((r) => tierOf(r) === t)]));
      expect(byTier.edge!.length, 'edge checks').toBeGreaterThan(100);
      expect(byTier.errors!.length, 'errors checks').toBeGreaterThan(20);
      expect(byTier.layers!.map((r) => r.case)).toEqual(runsAllLayers(configuration) ? [] : LAYER_SUBSET);
      for (const r of byTier.layers!) expect(r.worstRatio, r.case).toBeLessThanOrEqual(1);
    }, 150_000);
  }

  it(`the whole layers tier (${ALL_LAYERS} layers) on ${ALL_LAYERS_ON.join(', ')}, in one pass`, async () => {
    const configurations = ALL_LAYERS_ON.filter((c) => rows.find((r) => r.configuration === c)?.available);
    expect(configurations).toEqual(expect.arrayContaining(MUST_BE_AVAILABLE));
    const started = performance.now();
    const report = (await session.page.evaluate((c) => (window as any).pointwise.runConformance(['layers'], c, undefined, ['layers/']), configurations)) as Report;
    layersPassSeconds = (performance.now() - started) / 1000;
    expect(report.backends.map((b) => [b.name, b.available])).toEqual(configurations.map((c) => [c, true]));
    for (const configuration of configurations) {
      const mine = report.results.filter((r) => r.backend === configuration);
      rows.find((r) => r.configuration === configuration)!.results.push(...mine);
      expect(mine.length, configuration).toBe(ALL_LAYERS);
      expect(mine.filter((r) => r.status !== 'passed').map((r) => `${r.case}: ${r.status} ${r.reason ?? ''}`), configuration).toEqual([]);
      for (const r of mine) expect(r.worstRatio, `${configuration} ${r.case}`).toBeLessThanOrEqual(1);
    }
    // The seed layer is among them: 56×56×512 → 1024.
    expect(report.results.some((r) => r.case.includes('ci512-h56-w56-co1024'))).toBe(true);
  }, 200_000);

  it('prints the matrix, shows it on the page and keeps a screenshot in test-results/', async () => {
    console.log(
      `\nbrowser conformance matrix (Chromium ${session.page.context().browser()?.version()}, cross-origin isolated; worst = worst error/bound; ` +
        `time = edge + errors (+ the layer subset); the ${ALL_LAYERS}-layer pass on ${ALL_LAYERS_ON.join(', ')} took ${layersPassSeconds.toFixed(1)} s):\n${formatMatrix(rows)}\n`,
    );
    const merged: Report & { tiers: string[]; environment: object } = {
      environment: { browser: await session.page.evaluate(() => (window as any).pointwise.browser), date: new Date().toISOString() },
      tiers: [...TIERS],
      backends: rows.map((r) => ({ name: r.configuration, available: r.available, ...(r.reason === undefined ? {} : { reason: r.reason }), ...(r.callingThread === undefined ? {} : { callingThread: r.callingThread }), ...(r.ranOn === undefined ? {} : { ranOn: r.ranOn }) })),
      results: rows.flatMap((r) => r.results),
      wallMs: rows.reduce((s, r) => s + r.seconds * 1000, 0),
    };
    await session.page.evaluate((json) => (window as any).pointwise.showConformance(json), merged);
    for (const tier of TIERS) await session.page.locator(`input[type=checkbox][value=${tier}]`).check();
    expect(await session.page.locator('#conformance-matrix tr').count()).toBe(CONFIGURATIONS.length + 1);
    const dir = join(APP_ROOT, 'test-results');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'browser-conformance.png');
    await session.page.screenshot({ path, fullPage: true });
    console.log(`screenshot: ${path}`);
    expect(session.problems.filter((p) => !p.includes('favicon'))).toEqual([]);
  });
});

describe.skipIf(CHROMIUM_MISSING !== undefined)(`the same build served without COOP/COEP${CHROMIUM_MISSING ? ` (skipped: ${CHROMIUM_MISSING})` : ''}`, () => {
  let session: BrowserSession;

  beforeAll(async () => {
    session = await openApp({ isolated: false });
  });

  afterAll(async () => {
    await session?.close();
  });

  it('is not isolated and lists workers unavailable with the COOP/COEP reason', async () => {
    const { isolated, listing, configurations, shown } = await session.page.evaluate(async () => ({
      isolated: crossOriginIsolated,
      listing: JSON.parse(JSON.stringify(await (window as any).pointwise.list())) as Backend[],
      configurations: JSON.parse(JSON.stringify((window as any).pointwise.configurations)) as Backend[],
      shown: document.querySelector('#backend-list')?.textContent ?? '',
    }));
    expect(isolated).toBe(false);
    const workers = listing.find((l) => l.name === 'workers')!;
    expect(workers.available).toBe(false);
    expect(workers.reason).toMatch(/Cross-Origin-Opener-Policy: same-origin/);
    expect(workers.reason).toMatch(/Cross-Origin-Embedder-Policy: require-corp/);
    console.log(`non-isolated page: workers unavailable: ${workers.reason}`);
    for (const c of configurations.filter((c) => c.name.startsWith('workers'))) expect(c, c.name).toMatchObject({ available: false, reason: expect.stringMatching(/Cross-Origin-Embedder-Policy/) });
    expect(listing.find((l) => l.name === 'cpu-tiled')).toMatchObject({ available: true });
    expect(shown).toContain('Cross-Origin-Opener-Policy');
    expect(session.problems.filter((p) => !p.includes('favicon'))).toEqual([]);
  });
});
