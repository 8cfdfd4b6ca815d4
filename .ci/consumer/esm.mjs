// ESM consumer: imports every installed @pointwise package, checks what a user without gpu.js sees, and
// runs a small convolution through a preference list.
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { conv1x1, createTensor, getDefaultRegistry } from '@pointwise/core';
import { registerCpuTiledBackend } from '@pointwise/backend-cpu-tiled';
import { registerWorkersBackend } from '@pointwise/backend-workers';
import { registerGpujsBackend } from '@pointwise/backend-gpujs';

const require = createRequire(import.meta.url);
const packages = readdirSync(new URL('node_modules/@pointwise/', import.meta.url)).map((dir) => `@pointwise/${dir}`);
for (const name of packages) await import(name);
console.log(`imported ${packages.map((name) => `${name}@${require(`${name}/package.json`).version}`).join(' ')}`);

const registry = getDefaultRegistry();
registerCpuTiledBackend(registry);
registerWorkersBackend(registry);
registerGpujsBackend(registry);

const gpujs = (await registry.list()).find((b) => b.name === 'gpujs');
let hasGpujs = true;
try {
  require.resolve('gpu.js');
} catch {
  hasGpujs = false;
}
if (!hasGpujs) {
  // Without the optional peer, the backend is listed as unavailable and says how to get it.
  if (gpujs?.available !== false || !gpujs.reason?.includes('npm i gpu.js')) {
    throw new Error(`gpujs without gpu.js should be unavailable with an install hint, got ${JSON.stringify(gpujs)}`);
  }
  console.log(`gpujs without gpu.js: ${gpujs.reason.slice(0, 60)}… ${gpujs.reason.slice(gpujs.reason.indexOf('install gpu.js'))}`);
}

const x = createTensor(Float32Array.from({ length: 8 * 4 * 4 }, (_, i) => (i % 7) - 3), [1, 8, 4, 4]);
const weights = { data: Float32Array.from({ length: 16 * 8 }, (_, i) => (i % 5) / 4 - 0.5), shape: [16, 8] };
const { output, info } = await conv1x1(x, { weights, activation: 'relu6' }, { backend: ['gpujs', 'cpu-tiled'] });
if (output.shape.join() !== '1,16,4,4' || output.data.some((v) => !(v >= 0 && v <= 6))) throw new Error('unexpected output');
console.log(`ESM: conv1x1 ran on ${info.backend}, skipped ${(info.attempts ?? []).map((a) => a.backend).join(', ') || 'nothing'}: ok`);
await registry.dispose();
