/**
 * Test support: builds apps/web for production (the same `vite build` as `pnpm web`), serves
 * `dist/` with `vite preview` (the same server and COOP/COEP headers as `pnpm web`), and opens it
 * in Debian's Chromium through playwright-core.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { CHROMIUM_FLAGS } from './chromium-flags.mjs';

export const APP_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_MISSING = existsSync(CHROMIUM_PATH)
  ? undefined
  : `${CHROMIUM_PATH} not found: the browser test needs Debian's chromium (apt-get install -y chromium; .ci/run installs it) or CHROMIUM_PATH`;

/** The flags the browser test and the README use: headless, no GPU (SwiftShader WebGL2), nothing that reaches the network. */
export const CHROMIUM_ARGS: string[] = [...CHROMIUM_FLAGS];

export interface BrowserSession {
  readonly url: string;
  readonly page: Page;
  /** Console errors, page errors and failed requests seen so far. */
  readonly problems: string[];
  close(): Promise<void>;
}

/** Builds the app for production into `dist/`. */
export async function buildApp(): Promise<void> {
  await build({ root: APP_ROOT, logLevel: 'warn' });
}

/**
 * Serves `dist/` on 127.0.0.1 (a free port), opens the page and waits for its automation hook.
 * `isolated: false` serves the same build with `vite preview` but without vite.config.ts, so without
 * its COOP/COEP headers: the page a developer who forgets them gets.
 */
export async function openApp({ isolated = true }: { isolated?: boolean } = {}): Promise<BrowserSession> {
  const server: PreviewServer = await preview({
    root: APP_ROOT,
    ...(isolated ? {} : { configFile: false as const, base: './' }),
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
    logLevel: 'silent',
  });
  const url = server.resolvedUrls?.local[0];
  if (url === undefined) throw new Error('vite preview reported no local URL');
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ acceptDownloads: true });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console.error: ${m.text()} (${m.location().url})`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { pointwise?: unknown }).pointwise !== undefined, null, { timeout: 30_000 });
    const opened = browser;
    return {
      url,
      page,
      problems,
      close: async () => {
        await opened.close();
        await server.close();
      },
    };
  } catch (error) {
    await browser?.close();
    await server.close();
    throw error;
  }
}
