#!/usr/bin/env node
// Memory curve of prepare → run → dispose cycles on the gpujs backend (issue 11, item 8).
// Usage (from packages/backend-gpujs, after `npx tsc -b`):
//   node --expose-gc test/memory-curve.mjs <mode> [cycles=600]
//   xvfb-run -a node --expose-gc test/memory-curve.mjs headlessgl
// Prints RSS and heap (MB, after gc) at 0/100/300/600 cycles and the gpu.js kernel count.
import { BackendRegistry, createTensor, prepareConv1x1 } from '@pointwise/core';
import { GpujsBackend } from '../dist/index.js';

const mode = process.argv[2] ?? 'cpu';
const cycles = Number(process.argv[3] ?? 600);
const registry = new BackendRegistry();
let backend;
registry.register('gpujs', () => (backend = new GpujsBackend({ mode })));
const problem = {
  inputShape: [1, 8, 5, 6],
  weights: { data: new Float32Array(16 * 8).fill(0.5), shape: [16, 8] },
  bias: new Float32Array(16).fill(1),
};
const x = createTensor(new Float32Array(8 * 5 * 6).fill(1), [1, 8, 5, 6], 'NCHW');
const mb = (v) => (v / 2 ** 20).toFixed(1);
async function sample(i) {
  for (let k = 0; k < 3; k++) {
    globalThis.gc();
    await new Promise((r) => setImmediate(r));
  }
  const m = process.memoryUsage();
  const kernels = backend?.resources.gpujsKernels ?? '?';
  console.log(`${mode} cycle ${String(i).padStart(4)}: rss ${mb(m.rss)} MB, heapUsed ${mb(m.heapUsed)} MB, heapTotal ${mb(m.heapTotal)} MB, external ${mb(m.external)} MB, gpu.kernels ${kernels}`);
}
const marks = new Set([0, 100, 300, 600, 1000, 1500, 2000, cycles]);
// Cycle 0 is sampled after one warm-up cycle, so gpu.js's loading and its context are in the baseline.
for (let i = -1; i <= cycles; i++) {
  if (marks.has(i)) await sample(i);
  if (i === cycles) break;
  const op = await prepareConv1x1(problem, { backend: 'gpujs', strict: true, registry });
  const y = await op.run(x);
  if (y.data[0] !== 5) throw new Error(`wrong output ${y.data[0]}`);
  op.dispose();
}
await registry.dispose();
