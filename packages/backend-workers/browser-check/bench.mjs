/**
 * Browser bench of the workers backend (`pnpm --filter @pointwise/backend-workers bench:browser
 * [--layers 16,96,112;96,24,56] [--rounds 9]`): serves the built packages with COOP/COEP (as
 * `run.mjs`), opens `bench-page.js` in Debian's Chromium through playwright-core and prints,
 * per layer, the median µs per run of cpu-tiled (one thread, each WASM kernel) and workers
 * (2 threads), interleaved round by round, with workers ÷ cpu-tiled of the same kernel.
 * `--node` runs the same page module in this Node process instead (pool on `worker_threads`);
 * `--before <dist dir>` times an earlier build of this package beside this one.
 * Every output is checked against the reference first. Needs the packages built; installs nothing.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { MOUNTS, serve, urlOf } from './serve.mjs';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** MobileNetV2 pointwise layers at 224² (Ci, Co, H = W) and the tiny latency layer. */
const DEFAULT_LAYERS = [[3, 8, 4], [16, 96, 112], [96, 24, 56], [144, 24, 56], [384, 64, 14], [576, 96, 14], [960, 160, 7], [320, 1280, 7]];

function argument(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : process.argv[at + 1];
}

const layers = (argument('layers', undefined)?.split(';').map((l) => l.split(',').map(Number)) ?? DEFAULT_LAYERS).map(([ci, co, hw]) => ({ ci, co, hw, layout: argument('layout', 'NCHW') }));
const rounds = Number(argument('rounds', '9'));
const kernels = argument('kernels', 'wasm-simd,wasm-relaxed-simd').split(',');
/** Extra workers configurations to time beside them, as JSON `{ "label": options, … }` (e.g. `{"nocaller":{"callerComputes":false}}`). */
const extra = Object.entries(JSON.parse(argument('workers', '{}')));
const contenders = [
  ...kernels.flatMap((kernel) => [
    { label: `cpu-tiled[${kernel}]`, backend: 'cpu-tiled', options: { kernel } },
    { label: `workers[${kernel}]`, backend: 'workers', options: { kernel, threads: 2 } },
  ]),
  ...extra.map(([label, options]) => ({ label: `workers[${label}]`, backend: 'workers', options: { threads: 2, ...options } })),
];
/** `--before <dir>`: the `dist/` of an earlier build of this package, timed beside this one as `workers-before[kernel]`. */
const before = argument('before', undefined);
const beforeModule = before === undefined ? undefined : process.argv.includes('--node') ? pathToFileURL(join(resolve(before), 'index.js')).href : '/before/index.js';
if (beforeModule !== undefined) {
  for (const kernel of kernels) contenders.push({ label: `workers-before[${kernel}]`, backend: 'workers', options: { kernel, threads: 2 }, module: beforeModule });
}

/** Prints the table of one run's rows; exit status 1 when a result was wrong. */
function report(environment, rows) {
  console.log(JSON.stringify(environment));
  const byLayer = new Map();
  for (const row of rows) byLayer.set(row.layer, [...(byLayer.get(row.layer) ?? []), row]);
  console.log(['layer', 'MFLOP', ...contenders.map((c) => `${c.label} µs`), ...kernels.map((k) => `workers÷cpu-tiled [${k}]`), ...(before === undefined ? [] : kernels.map((k) => `before÷cpu-tiled [${k}]`))].join(' | '));
  for (const [layer, group] of byLayer) {
    const us = (label) => group.find((g) => g.label === label)?.medianUs;
    const speedups = kernels.map((k) => (us(`cpu-tiled[${k}]`) / us(`workers[${k}]`)).toFixed(2) + '×');
    if (before !== undefined) speedups.push(...kernels.map((k) => (us(`cpu-tiled[${k}]`) / us(`workers-before[${k}]`)).toFixed(2) + '×'));
    console.log([layer, group[0].mflop.toFixed(3), ...contenders.map((c) => us(c.label).toFixed(2)), ...speedups].join(' | '));
    for (const g of group) {
      if (!g.ok) console.log(`  ${g.label}: FAILED ${g.problem}`);
    }
    const w = group.find((g) => g.label.startsWith('workers'));
    console.log(`  workers: dispatch ${w.details.dispatch}, threads ${w.details.threads}, tiles ${w.details.tiles}; batches ${group.map((g) => g.batch).join('/')}`);
  }
  if (rows.some((r) => !r.ok)) process.exitCode = 1;
}

if (process.argv.includes('--node')) {
  // The same page module in Node (worker_threads), for the same measurement there.
  const { runBench } = await import('./bench-page.js');
  const { environment, rows } = await runBench(layers, contenders, { rounds });
  report(environment, rows);
} else {
  for (const dir of Object.values(MOUNTS)) if (!existsSync(dir)) throw new Error(`${dir} missing: build first (pnpm turbo run build --filter @pointwise/backend-workers...)`);
  const server = await serve(true, { title: 'pointwise workers browser bench', entry: 'bench-page.js', global: 'pointwiseBench' }, before === undefined ? {} : { '/before/': resolve(before) });
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    await page.goto(urlOf(server));
    await page.waitForFunction(() => window.pointwiseBench !== undefined, null, { timeout: 20_000 });
    const { environment, rows } = await page.evaluate(([l, c, r]) => window.pointwiseBench.runBench(l, c, { rounds: r }), [layers, contenders, rounds]);
    console.log(`Chromium ${browser.version()}`);
    report(environment, rows);
  } finally {
    await browser.close();
    server.close();
  }
}
