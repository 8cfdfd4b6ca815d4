/**
 * Single-thread benchmark of the cpu-tiled kernel on the pointwise layers of
 * MobileNetV2 and ResNet-50 (batch 1) and the 56×56×512 → 56×56×1024 example,
 * against a naive triple loop measured in the same run.
 *
 * Run (after `pnpm --filter @pointwise/backend-cpu-tiled build`):
 *   flock /tmp/bench.lock pnpm --filter @pointwise/backend-cpu-tiled bench
 *
 * Every layer is checked against the float64 reference (bound of
 * ARCHITECTURE.md §5) before it is timed. Reported: median and spread
 * (min–max) over repetitions after one warm-up, GFLOP/s of the median, and
 * the speed ratio to the naive loop.
 */
import { checkAccuracy, describeAccuracy, normalizeConv1x1, referenceConv1x1, type Layout } from '@pointwise/core';
import { markdownTable } from 'markdown-table';
import { seededValues as randomData } from '@pointwise/testing';
import { createKernelScratch, fullOutputRange, packWeights, planConv1x1, runConv1x1Range } from '../src/index.js';

interface Layer {
  readonly name: string;
  readonly ci: number;
  readonly co: number;
  readonly size: number;
}

const LAYERS: readonly Layer[] = [
  { name: 'MobileNetV2 16→96 @112²', ci: 16, co: 96, size: 112 },
  { name: 'MobileNetV2 96→24 @56²', ci: 96, co: 24, size: 56 },
  { name: 'MobileNetV2 144→24 @56²', ci: 144, co: 24, size: 56 },
  { name: 'MobileNetV2 192→32 @28²', ci: 192, co: 32, size: 28 },
  { name: 'MobileNetV2 384→64 @14²', ci: 384, co: 64, size: 14 },
  { name: 'MobileNetV2 576→96 @14²', ci: 576, co: 96, size: 14 },
  { name: 'MobileNetV2 960→160 @7²', ci: 960, co: 160, size: 7 },
  { name: 'MobileNetV2 320→1280 @7²', ci: 320, co: 1280, size: 7 },
  { name: 'ResNet-50 256→64 @56²', ci: 256, co: 64, size: 56 },
  { name: 'ResNet-50 64→256 @56²', ci: 64, co: 256, size: 56 },
  { name: 'ResNet-50 1024→256 @14²', ci: 1024, co: 256, size: 14 },
  { name: 'ResNet-50 2048→512 @7²', ci: 2048, co: 512, size: 7 },
  { name: 'example 512→1024 @56²', ci: 512, co: 1024, size: 56 },
];

/** The naive loop: NCHW, `y[co][p] += w[co][k]·x[k][p]` in the cache-friendly i-k-j order, float32 arrays. */
function naiveConv1x1(x: Float32Array, w: Float32Array, y: Float32Array, ci: number, co: number, pixels: number): void {
  y.fill(0);
  for (let o = 0; o < co; o++) {
    const yRow = o * pixels;
    for (let k = 0; k < ci; k++) {
      const wv = w[o * ci + k];
      const xRow = k * pixels;
      for (let p = 0; p < pixels; p++) y[yRow + p] += wv * x[xRow + p];
    }
  }
}

interface Timing {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly reps: number;
}

/** Times `fn` after one warm-up call: at least `minReps` repetitions and at least `minSeconds` in total. */
function time(fn: () => void, minReps: number, minSeconds: number): Timing {
  fn();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < minReps || performance.now() - start < minSeconds * 1000) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)], min: samples[0], max: samples[samples.length - 1], reps: samples.length };
}

function benchLayer(layer: Layer, layout: Layout) {
  const { ci, co, size } = layer;
  const pixels = size * size;
  const x = randomData(ci * pixels, 1);
  const { geometry, weights, bias } = normalizeConv1x1({
    inputShape: [1, ci, size, size],
    inputLayout: layout,
    weights: { data: randomData(co * ci, 2), shape: [co, ci] },
  });
  const plan = planConv1x1(geometry);
  const packed = packWeights(plan, weights, bias);
  const scratch = createKernelScratch(plan);
  const range = fullOutputRange(plan);
  const out = new Float32Array(co * pixels);
  const run = () => runConv1x1Range(plan, packed, x, out, range, scratch);
  run();
  const report = checkAccuracy(out, referenceConv1x1(geometry, x, weights, bias), { k: ci });
  if (report.failureCount > 0) throw new Error(`${layer.name} ${layout}: ${describeAccuracy(report)}`);
  return { plan, flops: geometry.flops, timing: time(run, 5, 1) };
}

const rows: string[][] = [['layer', 'MFLOP', 'GFLOP/s NCHW', 'ms NCHW (min–max)', 'GFLOP/s NHWC', 'ms NHWC', 'naive GFLOP/s', 'speed-up vs naive', 'mc×nc×kc']];
let microtile = '';
for (const layer of LAYERS) {
  const nchw = benchLayer(layer, 'NCHW');
  const nhwc = benchLayer(layer, 'NHWC');
  const pixels = layer.size * layer.size;
  const x = randomData(layer.ci * pixels, 1);
  const w = randomData(layer.co * layer.ci, 2);
  const y = new Float32Array(layer.co * pixels);
  const naive = time(() => naiveConv1x1(x, w, y, layer.ci, layer.co, pixels), 3, 0.5);
  const gflops = (t: Timing) => (nchw.flops / t.median / 1e6).toFixed(2);
  rows.push([
    layer.name,
    (nchw.flops / 1e6).toFixed(1),
    gflops(nchw.timing),
    `${nchw.timing.median.toFixed(2)} (${nchw.timing.min.toFixed(2)}–${nchw.timing.max.toFixed(2)})`,
    gflops(nhwc.timing),
    nhwc.timing.median.toFixed(2),
    gflops(naive),
    `${(naive.median / nchw.timing.median).toFixed(2)}×`,
    `${nchw.plan.mc}×${nchw.plan.nc}×${nchw.plan.kc}`,
  ]);
  microtile = nchw.plan.microtile;
  console.error(`done ${layer.name}`);
}
console.log(`cpu-tiled, ${microtile} JS microkernel, single thread, Node ${process.version}\n`);
console.log(markdownTable(rows));
