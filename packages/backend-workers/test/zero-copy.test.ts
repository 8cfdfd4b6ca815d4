/**
 * Zero-copy runs of the workers backend (`createInput` / `createOutput`):
 * tensors in the kernel's memory, read and written in place by pooled and
 * calling-thread runs, bit-identical to cpu-tiled; ordinary tensors still run.
 */
import { createTensor, zerosTensor } from '@pointwise/core';
import { describe, expect, it } from 'vitest';
import { WorkersBackend } from '../dist/index.js';
import { caseInput, type WorkersCase } from './cases.js';
import { firstBitDifference, prepareCase, registryWith, sharedCopy, startWorkers } from './helpers.js';

const CASES: WorkersCase[] = [
  { name: 'NCHW 40×48² → NHWC (3 input chunks)', shape: [1, 40, 48, 48], co: 12, inputLayout: 'NCHW', outputLayout: 'NHWC', bias: true },
  { name: 'stride 2 pad 1, N = 2', shape: [2, 24, 30, 30], co: 10, inputLayout: 'NCHW', stride: 2, padding: 1, bias: true, activation: 'relu' },
];

describe.each([
  ['pooled, 2 threads', { threads: 2 } as { threads: number; callerComputes?: boolean; minParallelFlops?: number }],
  ['pooled, caller not computing', { threads: 2, callerComputes: false }],
  ['calling thread (below minParallelFlops)', { threads: 2, minParallelFlops: 1e12 }],
])('zero-copy runs: %s', (_label, options) => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s: nothing copied, bit-identical to cpu-tiled; ordinary tensors still run', async (_name, c) => {
    const workers = await startWorkers({ kernel: 'wasm-simd', ...options });
    try {
      const registry = registryWith(workers, { kernel: 'wasm-simd' });
      const [parallel, single] = await Promise.all([prepareCase(c, 'workers', registry), prepareCase(c, 'cpu-tiled', registry)]);
      expect(parallel.canCreateTensors).toBe(true);
      expect(parallel.info.details.dispatch).toBe(options.minParallelFlops === undefined ? 'pool' : 'calling-thread');
      const plainX = createTensor(caseInput(c, 5), c.shape, c.inputLayout);
      const expected = await single.run(plainX);

      const x = parallel.createInput();
      const out = parallel.createOutput();
      x.data.set(plainX.data);
      out.data.fill(-7); // a cell the run skipped would show
      const before = workers.stats();
      expect(await parallel.run(x, out)).toBe(out);
      const after = workers.stats();
      expect(after.bytesCopied).toBe(before.bytesCopied);
      expect(after.copiesIn).toBe(before.copiesIn);
      expect(after.copiesOut).toBe(before.copiesOut);
      expect(firstBitDifference(out.data, expected.data)).toBe(-1);

      // Created input with a plain and a shared output; plain and shared inputs into the created output.
      expect(firstBitDifference((await parallel.run(x)).data, expected.data)).toBe(-1);
      const sharedOut = sharedCopy(expected);
      sharedOut.data.fill(-7);
      await parallel.run(x, sharedOut);
      expect(firstBitDifference(sharedOut.data, expected.data)).toBe(-1);
      for (const input of [plainX, sharedCopy(plainX)]) {
        out.data.fill(-7);
        await parallel.run(input, out);
        expect(firstBitDifference(out.data, expected.data)).toBe(-1);
      }
      // A second input through the same created tensors.
      const other = createTensor(caseInput(c, 6), c.shape, c.inputLayout);
      x.data.set(other.data);
      await parallel.run(x, out);
      expect(firstBitDifference(out.data, (await single.run(other)).data)).toBe(-1);
      const plainOut = zerosTensor(expected.shape, expected.layout);
      await parallel.run(other, plainOut);
      expect(firstBitDifference(plainOut.data, out.data)).toBe(-1);
      parallel.dispose();
      single.dispose();
      expect(() => parallel.createInput()).toThrow(/used after dispose/);
    } finally {
      await workers.dispose();
    }
  });
});

describe('zero-copy runs of the js kernel', () => {
  it('are not offered (the kernel works on the caller arrays, shared ones in place)', async () => {
    const workers = new WorkersBackend({ threads: 2, kernel: 'js' });
    await workers.init();
    const registry = registryWith(workers, { kernel: 'js' });
    const op = await prepareCase(CASES[0], 'workers', registry);
    expect(op.canCreateTensors).toBe(false);
    op.dispose();
    await workers.dispose();
  });
});
