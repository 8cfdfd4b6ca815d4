/**
 * A calling thread that may not block (a browser page's main thread, where
 * `Atomics.wait` throws): simulated by a throwing `Atomics.wait` on this thread
 * before the backend's modules load (`canBlock()` decides once per module
 * instance, and vitest loads this file's modules afresh). Every wait of the
 * calling thread must spin instead (only `canBlock`'s probe calls
 * `Atomics.wait` here), and every tensor kind stays bit-identical to cpu-tiled.
 */
import { createTensor, type Conv1x1Operator, type Tensor } from '@pointwise/core';
import { describe, expect, it } from 'vitest';
import { canBlock } from '../dist/blocking-wait.js';
import { caseInput, type WorkersCase } from './cases.js';
import { firstBitDifference, prepareCase, registryWith, sharedCopy, startWorkers } from './helpers.js';

let attempts = 0;
// Replaced before any wait runs: canBlock() probes lazily, on its first call.
Atomics.wait = function () {
  attempts++;
  throw new TypeError('Atomics.wait cannot be called in this context');
} as typeof Atomics.wait;

const CASES: WorkersCase[] = [
  { name: 'a', shape: [1, 40, 48, 48], co: 12, inputLayout: 'NCHW', outputLayout: 'NHWC', bias: true },
  { name: 'c', shape: [3, 16, 64, 64], co: 24, inputLayout: 'NCHW', bias: true },
];

function filled(t: Tensor, shared: boolean): Tensor {
  const data = shared ? new Float32Array(new SharedArrayBuffer(t.data.byteLength)) : new Float32Array(t.data.length);
  data.fill(-7);
  return { shape: t.shape, layout: t.layout, data };
}

describe.each([
  { kernel: 'wasm-simd', threads: 2, callerComputes: true },
  { kernel: 'wasm-simd', threads: 3, callerComputes: false },
  { kernel: 'js', threads: 3, callerComputes: true },
] as const)('caller cannot block: $kernel threads $threads callerComputes $callerComputes', ({ kernel, threads, callerComputes }) => {
  it('runs of every tensor kind (zero-copy, shared, plain, two in flight) are bit-identical to cpu-tiled', async () => {
    expect(canBlock()).toBe(false);
    const workers = await startWorkers({ kernel, threads, callerComputes, spinMicros: 200 });
    const registry = registryWith(workers, { kernel });
    const ops: Conv1x1Operator[] = [];
    const mismatches: string[] = [];
    try {
      for (const c of CASES) {
        const op = await prepareCase(c, 'workers', registry);
        const ref = await prepareCase(c, 'cpu-tiled', registry);
        ops.push(op, ref);
        const x = createTensor(caseInput(c, 4), c.shape, c.inputLayout);
        const want = await ref.run(x);
        for (let i = 0; i < 20; i++) {
          const kind = i % 5;
          let got: Tensor;
          if (kind === 0 && op.canCreateTensors) {
            const zx = op.createInput!();
            zx.data.set(x.data);
            got = op.createOutput!();
            await op.run(zx, got);
          } else if (kind === 1) {
            got = filled(want, true);
            await op.run(sharedCopy(x), got);
          } else if (kind === 2) {
            got = filled(want, true);
            await op.run(x, got);
          } else if (kind === 3) {
            got = filled(want, false);
            await Promise.all([op.run(sharedCopy(x), got), op.run(x, filled(want, true))]);
          } else {
            got = filled(want, false);
            await op.run(x, got);
          }
          const at = firstBitDifference(got.data, want.data);
          if (at >= 0) mismatches.push(`${c.name} run ${i} kind ${kind} at ${at}`);
        }
      }
      expect(mismatches).toEqual([]);
      // Only canBlock's probe ever called it.
      expect(attempts).toBe(1);
    } finally {
      for (const op of ops) op.dispose();
      await workers.dispose();
    }
  }, 120_000);
});
