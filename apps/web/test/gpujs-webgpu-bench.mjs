#!/usr/bin/env node
// gpu.js webgpu mode: the packed WGSL kernel against gpu.js's scalar kernel (`kernel: 'scalar'`) on the four
// layers of the GL comparison (packages/backend-gpujs/bench/compare-kernels.mjs), then a 6-layer stack chained
// on the device against the same operators with readback after every layer. Runs in Chromium (the page
// test/gpujs-webgpu.html, built with Vite); without a GPU its WebGPU is SwiftShader: CPU emulation, kernel
// against kernel, not GPU speed. Each result is checked against the float64 reference before it is timed;
// reps alternate between the two variants; times are medians (min–max) with readback.
//
//   pnpm --filter @pointwise/backend-gpujs run build && cd apps/web && node test/gpujs-webgpu-bench.mjs [--reps 5]
import { loadavg } from 'node:os';
import { openWebgpuPage } from './gpujs-webgpu-session.mjs';

const args = process.argv.slice(2);
const at = args.indexOf('--reps');
const reps = at >= 0 ? Number(args[at + 1]) : 5;
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const ms = (v) => `${median(v).toFixed(1)} ms (${Math.min(...v).toFixed(1)}–${Math.max(...v).toFixed(1)})`;
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

const session = await openWebgpuPage();
try {
  const adapter = await session.page.evaluate(() => window.gpujsWebgpu.adapter());
  const browser = session.page.context().browser()?.version();
  console.log(`# gpujs[webgpu] in Chromium ${browser}, adapter ${adapter}: packed WGSL kernel vs gpu.js scalar kernel, ${reps} reps (interleaved) after 2 checked warm-ups`);
  console.log('CPU emulation (SwiftShader) when the adapter is swiftshader: kernel against kernel, not GPU speed.');
  console.log(`load average before: ${load()}`);
  const result = await session.page.evaluate((n) => window.gpujsWebgpu.bench(n), reps);
  console.log('| layer | MFLOP | scalar kernel (with readback) | packed kernel (with readback) | speed-up | GFLOP/s scalar → packed | worst err/bound scalar, packed |');
  console.log('|---|---|---|---|---|---|---|');
  for (const row of result.rows) {
    const { scalar, packed } = row.times;
    console.log(
      `| ${row.name} | ${row.mflop.toFixed(1)} | ${ms(scalar)} | ${ms(packed)} | ${(median(scalar) / median(packed)).toFixed(2)}× | ` +
        `${(row.mflop / median(scalar)).toFixed(2)} → ${(row.mflop / median(packed)).toFixed(2)} | ${row.worstRatio.scalar.toFixed(3)}, ${row.worstRatio.packed.toFixed(3)} |`,
    );
  }
  const { chain } = result;
  console.log(`\nchained stack, ${chain.layers} layers (3 × 64→384→64 at 14×14), ${chain.mflop.toFixed(1)} MFLOP, packed kernel:`);
  console.log(`  readback after every layer (run): ${ms(chain.times.host)}`);
  console.log(`  resident, one read at the end:    ${ms(chain.times.resident)}  (${(median(chain.times.host) / median(chain.times.resident)).toFixed(2)}×)`);
  console.log(`load average after: ${load()}`);
  if (session.problems.length > 0) console.log(`page problems: ${session.problems.join('; ')}`);
} finally {
  await session.close();
}
