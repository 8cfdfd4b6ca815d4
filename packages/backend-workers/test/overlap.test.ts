import { CpuTiledBackend } from '@pointwise/backend-cpu-tiled';
import { BackendRegistry, createTensor, prepareConv1x1, referenceConv1x1 } from '@pointwise/core';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkersBackend } from '../dist/index.js';

// Issue 11 item 3 on the backends users run: x and out on distinct SharedArrayBuffer objects
// over the same bytes must still give the result of reading all of x before writing out.
const channels = 8;
const side = 32;
const count = channels * side * side;
const problem = {
  inputShape: [1, channels, side, side] as const,
  weights: { data: new Float32Array(channels * channels).fill(0.5), shape: [channels, channels] },
};

const registry = new BackendRegistry();
for (const kernel of ['js', 'wasm-simd'] as const) {
  registry.register(`cpu-tiled-${kernel}`, () => new CpuTiledBackend({ kernel }));
  // Every run on the pool threads, cut into the most tiles: the path where ordering matters most.
  registry.register(`workers-${kernel}`, () => new WorkersBackend({ kernel, threads: 2, minParallelFlops: 0, minTileFlops: 1, spinMicros: 0 }));
}
afterAll(() => registry.dispose());

/** `count` inputs then the output `gap` bytes after them, through a second buffer object over the same memory. */
function overlapping(kind: 'grown-memory' | 'cloned'): { x: Float32Array; out: Float32Array } {
  if (kind === 'grown-memory') {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true });
    const x = new Float32Array(memory.buffer, 0, count);
    memory.grow(1);
    return { x, out: new Float32Array(memory.buffer, 1024, count) };
  }
  const buffer = new SharedArrayBuffer(count * 4 + 1024);
  return { x: new Float32Array(buffer, 0, count), out: new Float32Array(structuredClone(buffer), 1024, count) };
}

describe.each(['cpu-tiled-js', 'cpu-tiled-wasm-simd', 'workers-js', 'workers-wasm-simd'])('%s: x and out overlapping through another buffer object', (backend) => {
  it.each(['grown-memory', 'cloned'] as const)('%s: every output equals the reference of the input as it was', async (kind) => {
    const op = await prepareConv1x1(problem, { registry, backend: backend as never, strict: true });
    const { x, out } = overlapping(kind);
    for (let i = 0; i < count; i++) x[i] = ((i * 7919) % 61) / 8 - 3;
    const expected = referenceConv1x1(op.geometry, x.slice(), problem.weights.data, null).values;
    await op.run(createTensor(x, problem.inputShape), createTensor(out, [1, channels, side, side]));
    let wrong = 0;
    for (let i = 0; i < count; i++) if (Math.abs(out[i] - expected[i]) > 1e-4 * Math.max(1, Math.abs(expected[i]))) wrong++;
    expect(wrong).toBe(0);
    op.dispose();
  });
});
