#!/usr/bin/env node
// Cold start and warm speed of the gpu.js backend per mode on the MobileNetV2 / ResNet-50
// pointwise layers and the 56×56×512 → 1024 seed example (batch 1, NCHW).
//
//   pnpm --filter @pointwise/backend-gpujs build
//   flock /tmp/bench.lock xvfb-run -a node packages/backend-gpujs/bench/layers.mjs [--modes headlessgl,webasm,cpu] [--min-ms 1500]
//
// On a machine without a GPU, headlessgl draws with Mesa's llvmpipe: these are correctness-path
// numbers, not GPU speed. Each layer's first result is checked against the float64 reference
// before anything is timed. Cold = backend already initialised, prepare (compile, weight upload)
// + first run; warm = median of runs after that, with min–max.
import { parseArgs } from 'node:util';
import { checkAccuracy, createTensor, normalizeConv1x1, referenceConv1x1 } from '@pointwise/core';
import { seededValues as random } from '@pointwise/testing';
import { GpujsBackend } from '../dist/index.js';

const LAYERS = [
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
  ['seed 512→1024 @56²', 512, 1024, 56],
];

const { values } = parseArgs({
  options: {
    modes: { type: 'string', default: 'headlessgl,webasm,cpu' },
    'min-ms': { type: 'string', default: '1500' },
    'min-runs': { type: 'string', default: '3' },
  },
});
const modes = values.modes.split(',');
const minMs = Number(values['min-ms']);
const minRuns = Number(values['min-runs']);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const problems = LAYERS.map(([name, ci, co, hw], i) => {
  const problem = {
    inputShape: [1, ci, hw, hw],
    weights: { data: random(co * ci, 10 + i), shape: [co, ci] },
    bias: random(co, 50 + i),
    activation: 'relu6',
  };
  const { geometry, weights, bias } = normalizeConv1x1(problem);
  const x = random(ci * hw * hw, 90 + i);
  return { name, geometry, weights, bias, x, reference: null };
});

const rows = [];
for (const mode of modes) {
  const backend = new GpujsBackend({ mode });
  const availability = await backend.probe();
  if (!availability.available) {
    console.log(`${mode}: skipped — ${availability.reason}`);
    continue;
  }
  const t0 = performance.now();
  await backend.init();
  const initMs = performance.now() - t0;
  console.log(`${mode}: init ${initMs.toFixed(0)} ms, capabilities ${JSON.stringify(backend.capabilities())}`);
  for (const p of problems) {
    const { geometry } = p;
    const out = new Float32Array(geometry.outputShape.reduce((a, b) => a * b, 1));
    const xt = createTensor(p.x, geometry.inputShape, 'NCHW');
    const ot = createTensor(out, geometry.outputShape, 'NCHW');
    const c0 = performance.now();
    const op = await backend.prepare({ geometry, weights: p.weights, bias: p.bias });
    await op.run(xt, ot);
    const coldMs = performance.now() - c0;
    p.reference ??= referenceConv1x1(geometry, p.x, p.weights, p.bias);
    const report = checkAccuracy(out, p.reference, { k: geometry.inChannelsPerGroup, precisionFactor: backend.capabilities().precisionFactor });
    if (report.failureCount > 0) throw new Error(`${mode} ${p.name}: ${report.failureCount} elements outside the bound`);
    const times = [];
    const start = performance.now();
    while (times.length < minRuns || performance.now() - start < minMs) {
      const r0 = performance.now();
      await op.run(xt, ot);
      times.push(performance.now() - r0);
    }
    op.dispose();
    const warm = median(times);
    const row = {
      mode,
      layer: p.name,
      MFLOP: (geometry.flops / 1e6).toFixed(1),
      'cold ms': coldMs.toFixed(0),
      'warm ms': warm.toFixed(1),
      'min–max ms': `${Math.min(...times).toFixed(1)}–${Math.max(...times).toFixed(1)}`,
      runs: times.length,
      'GFLOP/s': (geometry.flops / warm / 1e6).toFixed(3),
      chunks: op.info.details.chunks,
      'worst err/bound': report.worstRatio.toFixed(3),
    };
    rows.push(row);
    console.log(Object.values(row).join(' | '));
  }
  await backend.dispose();
}

const headers = Object.keys(rows[0] ?? {});
console.log(`\n| ${headers.join(' | ')} |\n|${headers.map(() => '---').join('|')}|`);
for (const row of rows) console.log(`| ${Object.values(row).join(' | ')} |`);
