#!/usr/bin/env node
// Issue 15: the channel-packed vec4 GL kernel against the scalar one, same renderer, same process, on layers of
// at least 10 MFLOP; then a chained stack with and without readback between layers.
//
//   npx tsc -b && xvfb-run -a node bench/compare-kernels.mjs [--reps 7] [--mode headlessgl]
//
// Without a GPU, headless GL draws on Mesa's llvmpipe: these are CPU-emulation numbers (kernel against
// kernel), not GPU speed. Each result is checked against the float64 reference before it is timed; reps
// alternate between the kernels so load changes hit both. Times are medians (min–max) with readback.
import { BackendRegistry, checkAccuracy, createTensor, normalizeConv1x1, prepareConv1x1, referenceConv1x1 } from '@pointwise/core';
import { loadavg } from 'node:os';
import { GpujsBackend } from '../dist/index.js';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const reps = Number(option('reps', '7'));
const mode = option('mode', 'headlessgl');

function seeded(n, seed) {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** [name, H, W, Ci, Co]; NCHW in and out, bias, relu6 — the MobileNetV2 / ResNet pointwise shapes. */
const LAYERS = [
  ['MobileNetV2 14×14 96→576', 14, 14, 96, 576],
  ['MobileNetV2 7×7 160→960', 7, 7, 160, 960],
  ['ResNet-50 56×56 64→64', 56, 56, 64, 64],
  ['ResNet-50 28×28 128→512', 28, 28, 128, 512],
];

function problem(h, w, ci, co, seed, extra = {}) {
  return { inputShape: [1, ci, h, w], weights: { data: seeded(co * ci, seed), shape: [co, ci] }, bias: seeded(co, seed + 1), activation: 'relu6', ...extra };
}

async function operatorFor(kernel, p) {
  const registry = new BackendRegistry();
  registry.register('gpujs', () => new GpujsBackend({ mode, kernel }));
  const op = await prepareConv1x1(p, { backend: 'gpujs', strict: true, registry });
  return { op, registry };
}

function check(op, p, x, out) {
  const { geometry, weights, bias } = normalizeConv1x1(p);
  const report = checkAccuracy(out.data, referenceConv1x1(geometry, x.data, weights, bias), { k: geometry.inChannelsPerGroup, precisionFactor: op.capabilities.precisionFactor });
  if (report.failureCount > 0) throw new Error(`${op.info.details.variant}: ${report.failureCount} values outside the bound`);
  return report.worstRatio;
}

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const ms = (v) => `${median(v).toFixed(1)} ms (${Math.min(...v).toFixed(1)}–${Math.max(...v).toFixed(1)})`;

console.log(`# gpujs ${mode}: vec4 kernel vs scalar kernel (same renderer, same process), ${reps} reps after 2 warm-ups`);
console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const rows = [];
for (const [name, h, w, ci, co] of LAYERS) {
  const p = problem(h, w, ci, co, 7);
  const x = createTensor(seeded(ci * h * w, 9), [1, ci, h, w]);
  const ops = { scalar: await operatorFor('scalar', p), vec4: await operatorFor('auto', p) };
  const times = { scalar: [], vec4: [] };
  for (const [k, { op }] of Object.entries(ops)) {
    check(op, p, x, await op.run(x));
    await op.run(x);
  }
  for (let r = 0; r < reps; r++) {
    for (const k of r % 2 === 0 ? ['scalar', 'vec4'] : ['vec4', 'scalar']) {
      const t = performance.now();
      await ops[k].op.run(x);
      times[k].push(performance.now() - t);
    }
  }
  const mflop = (2 * co * ci * h * w) / 1e6;
  const ratio = median(times.scalar) / median(times.vec4);
  rows.push(`| ${name} | ${mflop.toFixed(1)} | ${ms(times.scalar)} | ${ms(times.vec4)} | ${ratio.toFixed(2)}× | ${(mflop / median(times.scalar)).toFixed(2)} → ${(mflop / median(times.vec4)).toFixed(2)} |`);
  for (const { registry } of Object.values(ops)) await registry.dispose();
}
console.log(`renderer: ${(await (async () => { const b = new GpujsBackend({ mode }); await b.init(); const r = b.renderer; await b.dispose(); return r ? r.renderer : 'n/a'; })())}`);
console.log('| layer | MFLOP | scalar kernel (with readback) | vec4 kernel (with readback) | speed-up | GFLOP/s scalar → vec4 |');
console.log('|---|---|---|---|---|---|');
for (const row of rows) console.log(row);

// Chained stack (MobileNetV2 bottleneck at 14×14: 64 → 384 → 64, expansion and projection, three blocks):
// resident end to end with one read at the end, against run() with host tensors between layers.
const stack = [];
for (let b = 0; b < 3; b++) {
  stack.push(problem(14, 14, 64, 384, 20 + 2 * b));
  stack.push(problem(14, 14, 384, 64, 21 + 2 * b, { activation: 'none' }));
}
const registry = new BackendRegistry();
registry.register('gpujs', () => new GpujsBackend({ mode }));
const stackOps = [];
for (const p of stack) stackOps.push(await prepareConv1x1(p, { backend: 'gpujs', strict: true, registry }));
const x0 = createTensor(seeded(64 * 14 * 14, 30), [1, 64, 14, 14]);
async function hostChain() {
  let t = x0;
  for (const op of stackOps) t = await op.run(t);
  return t;
}
async function residentChain() {
  let t = x0;
  const held = [];
  for (const op of stackOps) {
    t = await op.runResident(t);
    held.push(t);
  }
  const out = await t.read();
  for (const r of held) r.dispose();
  return out;
}
const a = await hostChain();
const b = await residentChain();
if (a.data.some((v, i) => !Object.is(v, b.data[i]))) throw new Error('resident chain differs from the host chain');
await hostChain();
await residentChain();
const chainTimes = { host: [], resident: [] };
for (let r = 0; r < reps; r++) {
  for (const k of r % 2 === 0 ? ['host', 'resident'] : ['resident', 'host']) {
    const t = performance.now();
    await (k === 'host' ? hostChain() : residentChain());
    chainTimes[k].push(performance.now() - t);
  }
}
const stackMflop = stack.reduce((s, p) => s + (2 * p.weights.shape[0] * p.weights.shape[1] * 14 * 14) / 1e6, 0);
console.log(`\nchained stack, 6 layers (3 × 64→384→64 at 14×14), ${stackMflop.toFixed(1)} MFLOP, vec4 kernel:`);
console.log(`  readback after every layer (run): ${ms(chainTimes.host)}`);
console.log(`  resident, one read at the end:    ${ms(chainTimes.resident)}`);
await registry.dispose();
console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
