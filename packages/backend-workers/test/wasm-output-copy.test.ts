import { BackendFailureError, createTensor, type Layout, type Tensor } from '@pointwise/core';
import { describe, expect, it } from 'vitest';
import type { WorkersBackend } from '../dist/index.js';
import { caseInput, type WorkersCase } from './cases.js';
import { EXIT_DURING_OUTPUT_COPY } from './fixtures/faults.mjs';
import { firstBitDifference, prepareCase, registryWith, sharedCopy, startWorkers } from './helpers.js';

// A shared output of a wasm-simd run is copied out of the operator's memory by every thread in
// 128 KiB chunks: 2 × 48 × 32 × 32 floats make 3 chunks, so the threads split the copy.
const FAULTY_WORKER = new URL('./fixtures/faulty-worker.mjs', import.meta.url);
const MARKER = -12345;

function copyCase(inputLayout: Layout, outputLayout: Layout = inputLayout): WorkersCase {
  return { name: `${inputLayout}→${outputLayout}`, shape: [2, 16, 32, 32], co: 48, inputLayout, outputLayout, bias: true, activation: 'relu6' };
}

/** A shared tensor of `like`'s shape and layout, every value the marker (so a chunk nobody copies shows). */
function markedSharedOutput(like: Tensor): Tensor {
  const out = sharedCopy(like);
  out.data.fill(MARKER);
  return out;
}

/**
 * Runs `c` on `workers` (wasm-simd) into a marked shared output, with a shared or plain input,
 * and on cpu-tiled; the index of the first differing bit, or −1.
 */
async function firstDifference(workers: WorkersBackend, c: WorkersCase, sharedInput: boolean, first?: number): Promise<number> {
  const registry = registryWith(workers, { kernel: 'wasm-simd' });
  const data = caseInput(c, 4);
  if (first !== undefined) data[0] = first;
  const x = createTensor(data, c.shape, c.inputLayout);
  const [parallel, single] = await Promise.all([prepareCase(c, 'workers', registry), prepareCase(c, 'cpu-tiled', registry)]);
  try {
    const expected = await single.run(x);
    const out = markedSharedOutput(expected);
    const actual = await parallel.run(sharedInput ? sharedCopy(x) : x, out);
    expect(actual.data).toBe(out.data);
    expect(parallel.info.details.kernel).toBe('wasm-simd');
    return firstBitDifference(actual.data, expected.data);
  } finally {
    parallel.dispose();
    single.dispose();
  }
}

describe('wasm-simd: a shared output copied out by the threads together', () => {
  for (const threads of [2, 3]) {
    for (const c of [copyCase('NCHW'), copyCase('NHWC'), copyCase('NCHW', 'NHWC')]) {
      it(`${c.name}, N = 2, ${threads} threads, shared and plain input: bit-identical to cpu-tiled`, async () => {
        const workers = await startWorkers({ threads, kernel: 'wasm-simd' });
        try {
          expect(await firstDifference(workers, c, true)).toBe(-1);
          expect(await firstDifference(workers, c, false)).toBe(-1);
        } finally {
          await workers.dispose();
        }
      });
    }
  }

  it('with the calling thread not computing, the pool threads copy it all', async () => {
    const workers = await startWorkers({ threads: 2, kernel: 'wasm-simd', callerComputes: false });
    try {
      expect(await firstDifference(workers, copyCase('NCHW'), true)).toBe(-1);
      expect(await firstDifference(workers, copyCase('NHWC'), false)).toBe(-1);
    } finally {
      await workers.dispose();
    }
  });

  it('a pool thread that exits while copying rejects the run with BackendFailureError; the next run is bit-identical', async () => {
    // The calling thread does not compute, so the only pool thread copies the first chunk and exits.
    const workers = await startWorkers({ threads: 1, kernel: 'wasm-simd', callerComputes: false, workerUrl: FAULTY_WORKER });
    try {
      const c = copyCase('NCHW');
      const failure = await firstDifference(workers, c, true, EXIT_DURING_OUTPUT_COPY).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(BackendFailureError);
      expect((failure as Error).message).toMatch(/worker thread \d failed: worker thread exited with code 4/);
      expect(await firstDifference(workers, c, true)).toBe(-1);
    } finally {
      await workers.dispose();
    }
  });
});
