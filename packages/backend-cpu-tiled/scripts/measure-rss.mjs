// Memory of many operators (issue 11 item 8). From packages/backend-cpu-tiled after `npx tsc -b`:
//   node --expose-gc scripts/measure-rss.mjs [wasm-simd|js]
import { normalizeConv1x1, createTensor } from '@pointwise/core';
import { CpuTiledBackend } from '../dist/index.js';
import { workspaceStats } from '../dist/wasm/workspace.js';
const mb = () => (process.memoryUsage().rss / 2 ** 20).toFixed(1);
const backend = new CpuTiledBackend({ kernel: process.argv[2] ?? 'wasm-simd' });
const { geometry, weights, bias } = normalizeConv1x1({ inputShape: [1, 64, 32, 32], weights: { data: new Float32Array(64 * 64).fill(0.01), shape: [64, 64] }, padding: 1 });
const x = createTensor(new Float32Array(64 * 32 * 32).fill(1), geometry.inputShape);
const out = createTensor(new Float32Array(64 * 34 * 34), geometry.outputShape);
const settle = async () => { for (let i = 0; i < 3; i++) { gc(); await new Promise((r) => setTimeout(r, 20)); } };
await settle();
console.log('kernel', process.argv[2] ?? 'wasm-simd', 'start rss MB', mb());
let line = [];
for (let i = 1; i <= 20000; i++) {
  const op = await backend.prepare({ geometry, weights, bias });
  op.runSync(x, out);
  op.dispose();
  if (i % 4000 === 0) { await settle(); line.push(`${i}:${mb()}`); }
}
console.log('prepare/run/dispose cycles (count:rssMB)', line.join(' '), 'workspace', JSON.stringify(workspaceStats()));
line = [];
for (let i = 1; i <= 20000; i++) {
  const op = await backend.prepare({ geometry, weights, bias });
  op.runSync(x, out); // dropped, never disposed
  if (i % 4000 === 0) { await settle(); line.push(`${i}:${mb()}/live ${workspaceStats().liveOperators}`); }
}
await settle();
console.log('dropped operators (count:rssMB/live)', line.join(' '), 'after gc', mb(), JSON.stringify(workspaceStats()));
const live = [];
line = [];
for (let i = 1; i <= 20000; i++) {
  live.push(await backend.prepare({ geometry, weights, bias }));
  if (i % 5000 === 0) { live[i - 1].runSync(x, out); line.push(`${i}:${mb()}`); }
}
console.log('live operators kept (count:rssMB)', line.join(' '), 'kernel of last', live.at(-1).info.details.kernel, JSON.stringify(workspaceStats()));
for (const op of live) op.dispose();
live.length = 0;
await settle();
console.log('after disposing them', mb(), JSON.stringify(workspaceStats()));
