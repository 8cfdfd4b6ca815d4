/**
 * The web app's bench table in Chromium, as ratios: builds nothing, serves the built `apps/web/dist`
 * with `vite preview` (the COOP/COEP headers of `pnpm web`), opens it in Debian's Chromium through
 * playwright-core (the browser tests' flags) and runs `pointwise.runBenchmark` for each suite — in the
 * page's harness worker, every configuration interleaved by the harness, each result checked before it
 * is timed — then prints per layer the median GFLOP/s of each configuration and its ratio to the first.
 *
 *   node apps/web/scripts/bench-ratio.mjs [--suites mobilenet-v2,resnet-50]
 *     [--configs 'cpu-tiled[wasm-simd];workers[threads=2,wasm-simd]'] [--peers tfjs-wasm,ort-wasm] [--rounds 1]
 *
 * `--peers` adds browser peers (the page's names; its wasm peers run on every core of a cross-origin isolated
 * page) as columns after the configurations. `--rounds n` repeats the whole table n times in the same page (one column value per round, joined
 * by `/`). Needs `pnpm build` first (the page is the production build). Exits 1 when a row is not ok.
 */
import { chromium } from 'playwright-core';
import { preview } from 'vite';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_FLAGS } from '../test/chromium-flags.mjs';

const APP_ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The value of `--name`, or `fallback`. */
function argument(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : process.argv[at + 1];
}

const suites = argument('suites', 'mobilenet-v2,resnet-50').split(',');
const configs = argument('configs', 'cpu-tiled[wasm-simd];workers[threads=2,wasm-simd]').split(';');
const peers = (argument('peers', '') || '').split(',').filter((p) => p !== '');
const rounds = Number(argument('rounds', '1'));
/** The report's measurements come in this order: the configurations, then the peers. */
const columns = [...configs, ...peers];

const server = await preview({ root: APP_ROOT, preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false }, logLevel: 'silent' });
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_FLAGS] });
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  await page.goto(server.resolvedUrls.local[0]);
  await page.waitForFunction(() => window.pointwise !== undefined, null, { timeout: 60_000 });
  console.log(`Chromium ${browser.version()}; suites ${suites.join(', ')}; ${rounds} round(s)`);
  /** `suite layer` → { mflop, gflops: configuration → one median per round }. */
  const table = new Map();
  for (let round = 0; round < rounds; round++) {
    for (const suite of suites) {
      // naive: false (no naive baseline); the configurations run in the harness worker.
      const report = await page.evaluate(([s, c, p]) => window.pointwise.runBenchmark(s, c, false, false, p), [suite, configs, peers]);
      for (const layer of report.suites.flatMap((s) => s.layers)) {
        const key = `${suite} ${layer.layer.name}`;
        if (!table.has(key)) table.set(key, { mflop: layer.layer.flops / 1e6, gflops: new Map(columns.map((c) => [c, []])) });
        layer.measurements.forEach((m, i) => {
          if (m.status !== 'ok') {
            console.log(`${key} ${m.contender}: ${m.status} ${m.reason ?? ''}`);
            process.exitCode = 1;
          }
          // Measurements come in the order asked (the report's contenders are canonicalised names).
          table.get(key).gflops.get(columns[i])?.push(m.gflops?.median ?? Number.NaN);
        });
      }
    }
  }
  const ratioHeads = columns.slice(1).map((c) => `${c} ÷ ${columns[0]}`);
  console.log(['layer', 'MFLOP', ...columns.map((c) => `${c} GFLOP/s`), ...ratioHeads].join(' | '));
  for (const [key, row] of table) {
    const values = columns.map((c) => row.gflops.get(c));
    const ratios = values.slice(1).map((col) => col.map((g, r) => (g / values[0][r]).toFixed(2)).join('/'));
    console.log([key, row.mflop.toFixed(1), ...values.map((col) => col.map((g) => g.toFixed(1)).join('/')), ...ratios].join(' | '));
  }
} finally {
  await browser.close();
  await server.close();
}
