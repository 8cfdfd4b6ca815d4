/**
 * Browser check of the workers backend (`pnpm --filter @pointwise/backend-workers test:browser`):
 * serves the built ES modules of core, backend-cpu-tiled and backend-workers (their `dist/`)
 * from 127.0.0.1 with an import map, opens the page in Debian's Chromium through
 * playwright-core, and
 *  - on a cross-origin isolated page (COOP same-origin + COEP require-corp) runs convolutions
 *    on reference, cpu-tiled and workers (2 threads: `kernel: 'js'`, then the default kernel),
 *    each checked against the float64 reference and bit for bit against cpu-tiled;
 *  - on a page without those headers checks that the registry lists workers as unavailable
 *    for want of cross-origin isolation.
 * Exits 1 on any failure. Needs the packages built and `/usr/bin/chromium` (or CHROMIUM_PATH);
 * installs nothing.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { MOUNTS, serve, urlOf } from './serve.mjs';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function openPage(browser, url, messages) {
  const page = await browser.newPage();
  page.on('console', (m) => messages.push(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => messages.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => messages.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => r.status() >= 400 && messages.push(`HTTP ${r.status()}: ${r.url()}`));
  await page.goto(url);
  await page.waitForFunction(() => window.pointwiseCheck !== undefined, null, { timeout: 20_000 });
  return page;
}

const NOT_ISOLATED_REASON = /cross-origin isolated/;

async function main() {
  if (!existsSync(executablePath)) throw new Error(`${executablePath} not found: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`);
  for (const dir of Object.values(MOUNTS)) if (!existsSync(dir)) throw new Error(`${dir} missing: build first (pnpm turbo run build --filter @pointwise/backend-workers...)`);
  const [isolatedServer, plainServer] = await Promise.all([serve(true), serve(false)]);
  const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const failures = [];
  const messages = [];
  try {
    console.log(`${browser.version()} — isolated page ${urlOf(isolatedServer)}, plain page ${urlOf(plainServer)}`);
    const isolated = await openPage(browser, urlOf(isolatedServer), messages);
    const { environment, rows } = await isolated.evaluate(() => window.pointwiseCheck.runIsolatedChecks());
    console.log('isolated page:', JSON.stringify(environment));
    if (environment.crossOriginIsolated !== true) failures.push('the isolated page is not crossOriginIsolated');
    for (const row of rows) {
      const d = row.details ?? {};
      const summary = row.case === 'stats' ? JSON.stringify(d) : `kernel ${d.kernel}, threads ${d.threads}, dispatch ${d.dispatch}, tiles ${d.tiles}, worst error/bound ${row.worstRatio?.toFixed(3)}`;
      console.log(`  ${row.failures.length ? 'FAIL' : 'ok  '} ${row.configuration} | ${row.case} | ${summary}`);
      for (const f of row.failures) failures.push(`${row.configuration} | ${row.case}: ${f}`);
    }

    const plain = await openPage(browser, urlOf(plainServer), messages);
    const { crossOriginIsolated, listing } = await plain.evaluate(() => window.pointwiseCheck.listBackends());
    console.log(`plain page: crossOriginIsolated ${crossOriginIsolated}`);
    for (const l of listing) console.log(`  ${l.name}: ${l.available ? 'available' : `unavailable — ${l.reason}`}`);
    const workers = listing.find((l) => l.name === 'workers');
    if (crossOriginIsolated !== false) failures.push('the plain page is cross-origin isolated');
    if (workers?.available !== false || !NOT_ISOLATED_REASON.test(workers.reason ?? '')) {
      failures.push(`plain page: workers should be unavailable for want of cross-origin isolation, got ${JSON.stringify(workers)}`);
    }
    for (const name of ['reference', 'cpu-tiled']) {
      if (!listing.find((l) => l.name === name)?.available) failures.push(`plain page: ${name} should be available`);
    }
  } catch (error) {
    failures.push(`threw ${error?.stack ?? error}`);
  } finally {
    await browser.close();
    isolatedServer.close();
    plainServer.close();
  }
  if (failures.length > 0) {
    for (const m of messages) console.error(m);
    console.error(`\nbrowser check FAILED (${failures.length}):`);
    for (const f of failures) console.error(`  - ${f}`);
    process.exitCode = 1;
  } else {
    console.log('\nbrowser check passed');
  }
}

await main();
