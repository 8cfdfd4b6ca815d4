/**
 * The workers backend at 2 threads against cpu-tiled on one thread, on the
 * pointwise layers of MobileNetV2 and ResNet-50 (batch 1, NCHW) and the
 * 56×56×512 → 56×56×1024 example — the layer list of issue 3. Both run their
 * default microkernel (WASM SIMD where available) through their backend
 * operators; the workers result is checked bit-identical to cpu-tiled before
 * anything is timed. Runs are interleaved (cpu-tiled, workers, …) so load
 * from other processes hits both alike; the ratio of the minima is shown too,
 * as the estimate least disturbed by other processes on a shared machine.
 *
 * Run: flock /tmp/bench.lock pnpm --filter @pointwise/backend-workers bench
 * Options: --threads N (default 2), --kernel js|wasm-simd, --shared (SharedArrayBuffer-backed tensors),
 * --only TEXT (layers whose name contains TEXT).
 */
import { parseArgs } from 'node:util';
import { CpuTiledBackend, type MicrokernelKind } from '@pointwise/backend-cpu-tiled';
import { normalizeConv1x1, zerosTensor, type BackendOperator, type Tensor } from '@pointwise/core';
import { WorkersBackend } from '@pointwise/backend-workers';
import { markdownTable } from 'markdown-table';
import { seededValues as seeded } from '@pointwise/testing';
import { timePair } from './timing.js';

/** `[name, Ci, Co, H = W]` of each layer (issue 3's list). */
const LAYERS: readonly (readonly [string, number, number, number])[] = [
  ['MobileNetV2 16→96 @112²', 16, 96, 112],
  ['MobileNetV2 96→24 @56²', 96, 24, 56],
  ['MobileNetV2 144→24 @56²', 144, 24, 56],
  ['MobileNetV2 192→32 @28²', 192, 32, 28],
  ['MobileNetV2 384→64 @14²', 384, 64, 14],
  ['MobileNetV2 576→96 @14²', 576, 96, 14],
  ['MobileNetV2 960→160 @7²', 960, 160, 7],
  ['MobileNetV2 320→1280 @7²', 320, 1280, 7],
  ['ResNet-50 256→64 @56²', 256, 64, 56],
  ['ResNet-50 64→256 @56²', 64, 256, 56],
  ['ResNet-50 1024→256 @14²', 1024, 256, 14],
  ['ResNet-50 2048→512 @7²', 2048, 512, 7],
  ['example 512→1024 @56²', 512, 1024, 56],
];

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    kernel: { type: 'string' },
    shared: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const threads = Number(values.threads);
const kernel = values.kernel as MicrokernelKind | undefined;
const shared = values.shared;

function identical(a: Float32Array, b: Float32Array): boolean {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return ua.every((v, i) => v === ub[i]);
}

const single = new CpuTiledBackend({ kernel });
const workers = new WorkersBackend({ threads, kernel });
await Promise.all([single.init(), workers.init()]);

const rows: string[][] = [['layer', 'MFLOP', 'cpu-tiled ms (min–max)', `workers ×${threads} ms (min–max)`, 'speedup (medians)', 'speedup (minima)', 'GFLOP/s ×1 → ×' + threads, 'dispatch', 'tiles']];
const failures: string[] = [];
let kernelUsed = '';
for (const [name, ci, co, size] of LAYERS.filter(([n]) => n.includes(values.only ?? ''))) {
  const { geometry, weights, bias } = normalizeConv1x1({
    inputShape: [1, ci, size, size],
    weights: { data: seeded(co * ci, 2), shape: [co, ci] },
    bias: seeded(co, 3),
    activation: 'relu',
  });
  const request = { geometry, weights, bias };
  const [a, b]: BackendOperator[] = await Promise.all([single.prepare(request), workers.prepare(request)]);
  const x: Tensor = zerosTensor(geometry.inputShape, 'NCHW', shared);
  x.data.set(seeded(x.data.length, 1));
  const outA = zerosTensor(geometry.outputShape);
  const outB = zerosTensor(geometry.outputShape, 'NCHW', shared);
  await a.run(x, outA);
  await b.run(x, outB);
  if (!identical(outA.data, outB.data)) throw new Error(`${name}: workers result differs from cpu-tiled`);
  const budget = geometry.flops > 1e9 ? 3 : 1.5;
  const [ta, tb] = await timePair(() => a.run(x, outA), () => b.run(x, outB), 7, budget);
  const speedup = ta.median / tb.median;
  const mflop = geometry.flops / 1e6;
  if ((mflop >= 20 && speedup < 1.7) || speedup < 1 / 1.1) failures.push(name);
  kernelUsed = String(b.info.details.kernel);
  rows.push([
    name,
    mflop.toFixed(1),
    `${ta.median.toFixed(3)} (${ta.min.toFixed(2)}–${ta.max.toFixed(2)})`,
    `${tb.median.toFixed(3)} (${tb.min.toFixed(2)}–${tb.max.toFixed(2)})`,
    `${speedup.toFixed(2)}×`,
    `${(ta.min / tb.min).toFixed(2)}×`,
    `${(geometry.flops / ta.median / 1e6).toFixed(1)} → ${(geometry.flops / tb.median / 1e6).toFixed(1)}`,
    String(b.info.details.dispatch),
    String(b.info.details.tiles),
  ]);
  a.dispose();
  b.dispose();
  console.error(`done ${name}`);
}
const stats = workers.stats();
await Promise.all([single.dispose(), workers.dispose()]);
console.log(`workers (${threads} threads) vs cpu-tiled (1 thread), ${kernelUsed} microkernel, ${shared ? 'SharedArrayBuffer' : 'plain'} tensors, Node ${process.version}\n`);
console.log(markdownTable(rows));
console.log(`\ncopies: ${stats.copiesIn} in, ${stats.copiesOut} out (${(stats.bytesCopied / 2 ** 20).toFixed(0)} MiB); runs: ${stats.pooledRuns} pooled, ${stats.directRuns} on the calling thread`);
console.log(failures.length === 0 ? 'target met on every layer (≥ 1.7× from 20 MFLOP, never > 10% slower)' : `target missed on: ${failures.join(', ')}`);
