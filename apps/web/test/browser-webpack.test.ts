/**
 * The webpack recipe, tested: test/webpack-fixture is a page that imports @pointwise/core and
 * @pointwise/backends (cpu-tiled, workers and gpujs with gpu.js) by package name, bundled by `webpack --mode production`
 * (webpack-cli, no configuration file), served with COOP/COEP and opened in Debian's Chromium.
 * The workers backend must be available, win automatic selection on a large layer with its worker
 * chunk loaded from the bundle, and match the float64 reference. Skipped only where Chromium is absent.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_MISSING, CHROMIUM_PATH } from './browser-session.js';
import { serveIsolated, type StaticServer } from './isolated-static-server.js';

const FIXTURE = fileURLToPath(new URL('./webpack-fixture/', import.meta.url));
const OUTPUT = join(FIXTURE, 'dist');
const WEBPACK_CLI = createRequire(import.meta.url).resolve('webpack-cli/bin/cli.js');

interface Run {
  backend: string;
  details: Record<string, unknown>;
  skipped: { backend: string; reason: string }[];
  elements: number;
  failureCount: number;
  worstRatio: number;
  positive: number;
}

describe.skipIf(CHROMIUM_MISSING !== undefined)(`a webpack 5 production bundle, no configuration${CHROMIUM_MISSING ? ` (skipped: ${CHROMIUM_MISSING})` : ''}`, () => {
  let build: { status: number | null; output: string };
  let server: StaticServer;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const requested: string[] = [];

  beforeAll(async () => {
    rmSync(OUTPUT, { recursive: true, force: true });
    // What a user types: webpack-cli's defaults (entry src/index.js, output dist/main.js), production mode.
    const result = spawnSync(process.execPath, [WEBPACK_CLI, '--mode', 'production', '--no-color'], { cwd: FIXTURE, encoding: 'utf8', timeout: 90_000 });
    build = { status: result.status, output: `${result.stdout}${result.stderr}` };
    if (build.status !== 0) return;
    server = await serveIsolated(OUTPUT, join(FIXTURE, 'index.html'));
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    page = await browser.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    page.on('request', (r) => requested.push(r.url()));
    page.on('worker', (w) => requested.push(`worker ${w.url()}`));
    await page.goto(server.url);
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 30_000 });
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('builds with no errors and no warnings but the size hints, the worker entry emitted as its own chunk', () => {
    expect(build.status, build.output).toBe(0);
    expect(build.output).toMatch(/webpack 5\.\d+\.\d+ compiled (successfully|with \d+ warnings?)/);
    // The only warnings allowed: webpack's performance hints about gpu.js's 1 MB browser build.
    const warnings = build.output.split('\n').filter((line) => line.startsWith('WARNING in'));
    expect(warnings.filter((w) => !/^WARNING in (asset|entrypoint) size limit/.test(w)), build.output).toEqual([]);
    const files = readdirSync(OUTPUT).sort();
    expect(files).toContain('main.js');
    expect(files).toContain('pointwise-workers.js');
    // The rest are the engine packages' lazy chunks (and a licence file for gpu.js's).
    expect(files.filter((f) => f !== 'main.js' && f !== 'pointwise-workers.js').every((f) => /^\d+\.js(\.LICENSE\.txt)?$/.test(f)), files.join(' ')).toBe(true);
    // The worker chunk holds the pool thread and the kernel: no import left for the browser to resolve.
    const worker = readFileSync(join(OUTPUT, 'pointwise-workers.js'), 'utf8');
    expect(worker).not.toMatch(/\bimport\s*\(?\s*["']@pointwise\//);
    expect(worker).not.toMatch(/from\s*["']\.\.?\//);
  });

  it('is cross-origin isolated and lists workers and cpu-tiled available, gpujs declined on a software renderer', async () => {
    const { isolated, listing } = await page.evaluate(async () => ({ isolated: (window as any).fixture.isolated as boolean, listing: await (window as any).fixture.list() }));
    expect(isolated).toBe(true);
    expect(listing.map((b: { name: string }) => b.name)).toEqual(['gpujs', 'workers', 'cpu-tiled', 'reference']);
    // Chromium here renders WebGL on SwiftShader, which gpujs's auto mode declines, naming it.
    expect(listing[0]).toMatchObject({ name: 'gpujs', available: false, reason: expect.stringMatching(/^auto mode: .*SwiftShader/) });
    expect(listing.slice(1)).toEqual([
      { name: 'workers', available: true },
      { name: 'cpu-tiled', available: true },
      { name: 'reference', available: true },
    ]);
  });

  it('selects workers automatically on 256→256 @32² (its chunk loaded from the bundle) and matches the reference', async () => {
    const run = (await page.evaluate(() => (window as any).fixture.run(256, 256, 32))) as Run;
    expect(run.skipped.map((s) => s.backend)).toEqual(['gpujs']);
    expect(run.backend).toBe('workers');
    expect(run.details.dispatch).toBe('pool');
    expect(run.elements).toBe(256 * 32 * 32);
    expect(run.failureCount).toBe(0);
    expect(run.worstRatio).toBeLessThanOrEqual(1);
    // ReLU of a sum of signed terms: a zero output everywhere would pass the bound trivially.
    expect(run.positive).toBeGreaterThan(run.elements / 4);
    expect(requested.filter((u) => u.startsWith('worker ')).map((u) => new URL(u.slice(7)).pathname)).toContain('/pointwise-workers.js');
  });

  it('runs workers with each kernel by name within the bound', async () => {
    for (const backend of ['workers[js]', 'workers[wasm-simd]']) {
      const run = (await page.evaluate((b) => (window as any).fixture.run(96, 160, 24, b), backend)) as Run;
      expect([run.backend, run.failureCount], backend).toEqual(['workers', 0]);
      expect(run.details.kernel, backend).toBe(backend.slice(8, -1));
      expect(run.worstRatio, backend).toBeLessThanOrEqual(1);
    }
  });

  it('runs gpujs[webgl2] by name (gpu.js from its lazy chunk) within the bound', async () => {
    const run = (await page.evaluate(() => (window as any).fixture.run(96, 160, 24, 'gpujs[webgl2]'))) as Run;
    expect([run.backend, run.details.mode, run.failureCount]).toEqual(['gpujs', 'webgl2', 0]);
    expect(run.worstRatio).toBeLessThanOrEqual(1);
    expect(run.positive).toBeGreaterThan(run.elements / 4);
  });

  it('logged no page errors or failed requests', () => {
    expect(existsSync(join(OUTPUT, 'main.js'))).toBe(true);
    expect(problems).toEqual([]);
  });
});
