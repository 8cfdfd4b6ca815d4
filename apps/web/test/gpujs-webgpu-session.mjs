// Builds test/gpujs-webgpu.html (the gpu.js webgpu test page) with Vite into a temporary folder, serves it with
// `vite preview` and opens it in Debian's Chromium through playwright-core. Plain ESM so that both the browser
// test and `node test/gpujs-webgpu-bench.mjs` use it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';
import { CHROMIUM_FLAGS } from './chromium-flags.mjs';

const APP_ROOT = fileURLToPath(new URL('..', import.meta.url));
const PAGE = 'test/gpujs-webgpu.html';

/**
 * Opens the page and waits for `window.gpujsWebgpu`.
 * @param {{ executablePath?: string, args?: string[] }} [options] Chromium (default `CHROMIUM_PATH` or /usr/bin/chromium) and its flags.
 * @returns {Promise<{ page: import('playwright-core').Page, problems: string[], close(): Promise<void> }>}
 */
export async function openWebgpuPage({ executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args = [...CHROMIUM_FLAGS] } = {}) {
  const outDir = mkdtempSync(join(tmpdir(), 'pointwise-gpujs-webgpu-'));
  const common = { root: APP_ROOT, configFile: false, base: './', logLevel: 'warn' };
  await build({ ...common, build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4096, rollupOptions: { input: join(APP_ROOT, PAGE) } } });
  const server = await preview({ ...common, logLevel: 'silent', build: { outDir }, preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false } });
  const cleanup = async () => {
    await server.close();
    rmSync(outDir, { recursive: true, force: true });
  };
  let browser;
  try {
    const base = server.resolvedUrls?.local[0];
    if (base === undefined) throw new Error('vite preview reported no local URL');
    browser = await chromium.launch({ executablePath, args });
    const page = await browser.newPage();
    const problems = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(new URL(PAGE, base).href);
    await page.waitForFunction(() => window.gpujsWebgpu !== undefined, null, { timeout: 30_000 });
    const opened = browser;
    return {
      page,
      problems,
      close: async () => {
        await opened.close();
        await cleanup();
      },
    };
  } catch (error) {
    await browser?.close();
    await cleanup();
    throw error;
  }
}
