/**
 * The dispatch shortcuts: pool threads that spin after a run for the next
 * message (rung by the pool's doorbell word), and a calling thread that
 * completes a run from the shared count of computed tiles — with the
 * fallbacks to the threads' replies when a thread fails.
 */
import { BackendFailureError, createTensor, InvalidArgumentError } from '@pointwise/core';
import { describe, expect, it } from 'vitest';
import { WorkersBackend } from '../dist/index.js';
import { caseInput, type WorkersCase } from './cases.js';
import { EXIT_MID_RUN, KERNEL_ERROR } from './fixtures/faults.mjs';
import { firstBitDifference, prepareCase, registryWith, startWorkers } from './helpers.js';

const FAULTY_WORKER = new URL('./fixtures/faulty-worker.mjs', import.meta.url);
const SMALL: WorkersCase = { name: 'small', shape: [1, 16, 12, 12], co: 24, inputLayout: 'NCHW', bias: true, activation: 'relu' };
const OTHER: WorkersCase = { name: 'other', shape: [2, 8, 9, 7], co: 12, inputLayout: 'NHWC', bias: true };
// Eight js-kernel tiles of ≈ 1 ms each: the pool thread wakes long before the calling thread runs out of tiles.
const SLOW_TILES: WorkersCase = { name: 'slow tiles', shape: [1, 64, 64, 64], co: 64, inputLayout: 'NCHW', bias: true };

async function expectSameAsCpuTiled(workers: WorkersBackend, c: WorkersCase, seed: number, kernel: 'js' | 'wasm-simd'): Promise<void> {
  const registry = registryWith(workers, { kernel });
  const [parallel, single] = await Promise.all([prepareCase(c, 'workers', registry), prepareCase(c, 'cpu-tiled', registry)]);
  const x = createTensor(caseInput(c, seed), c.shape, c.inputLayout);
  expect(firstBitDifference((await parallel.run(x)).data, (await single.run(x)).data)).toBe(-1);
  parallel.dispose();
}

function inputStartingWith(c: WorkersCase, first: number) {
  const data = caseInput(c);
  data[0] = first;
  return createTensor(data, c.shape, c.inputLayout);
}

describe('spinning pool threads', () => {
  it.each(['js', 'wasm-simd'] as const)('handle operators loaded and runs posted while they spin (%s)', async (kernel) => {
    // A long spin: every message below reaches a thread that is still spinning after the previous run.
    const workers = await startWorkers({ threads: 2, kernel, spinMicros: 200_000 });
    for (let seed = 1; seed <= 3; seed++) {
      await expectSameAsCpuTiled(workers, SMALL, seed, kernel);
      await expectSameAsCpuTiled(workers, OTHER, seed, kernel);
    }
    await workers.dispose();
  });

  it('runs without spinning (spinMicros 0)', async () => {
    const workers = await startWorkers({ threads: 3, kernel: 'wasm-simd', spinMicros: 0 });
    await expectSameAsCpuTiled(workers, SMALL, 4, 'wasm-simd');
    await workers.dispose();
  });

  it.each(['js', 'wasm-simd'] as const)('handle runs posted while they busy-spin, never blocked (busySpinMicros = spinMicros, %s)', async (kernel) => {
    const workers = await startWorkers({ threads: 2, kernel, spinMicros: 200_000, busySpinMicros: 200_000 });
    for (let seed = 1; seed <= 3; seed++) {
      await expectSameAsCpuTiled(workers, SMALL, seed, kernel);
      await expectSameAsCpuTiled(workers, OTHER, seed, kernel);
    }
    await workers.dispose();
  });

  it('block at once after a run with busySpinMicros 0 (woken by the doorbell)', async () => {
    const workers = await startWorkers({ threads: 2, kernel: 'wasm-simd', spinMicros: 200_000, busySpinMicros: 0 });
    for (let seed = 1; seed <= 3; seed++) await expectSameAsCpuTiled(workers, SMALL, seed, 'wasm-simd');
    await workers.dispose();
  });

  it('rejects a busySpinMicros that is not an integer ≥ 0', () => {
    expect(() => new WorkersBackend({ busySpinMicros: -1 })).toThrow(InvalidArgumentError);
    expect(() => new WorkersBackend({ busySpinMicros: 2.5 })).toThrow(InvalidArgumentError);
  });

  it('rejects a spinMicros that is not an integer ≥ 0', () => {
    expect(() => new WorkersBackend({ spinMicros: -1 })).toThrow(InvalidArgumentError);
    expect(() => new WorkersBackend({ spinMicros: 0.5 })).toThrow(InvalidArgumentError);
  });
});

describe('a calling thread that computes too, when a pool thread fails', () => {
  it('rejects the run when the kernel throws on the pool thread, then runs correctly', async () => {
    const workers = await startWorkers({ threads: 2, workerUrl: FAULTY_WORKER, kernel: 'js' });
    const op = await prepareCase(SLOW_TILES, 'workers', registryWith(workers, { kernel: 'js' }));
    expect(op.info.details).toMatchObject({ callerComputes: true, threads: 2 });
    await expect(op.run(inputStartingWith(SLOW_TILES, KERNEL_ERROR))).rejects.toThrow(/RangeError: injected kernel error/);
    await expectSameAsCpuTiled(workers, SLOW_TILES, 2, 'js');
    await workers.dispose();
  });

  it('rejects the run when the pool thread exits mid-run; the replacement computes the next one', async () => {
    const workers = await startWorkers({ threads: 2, workerUrl: FAULTY_WORKER, kernel: 'js' });
    const op = await prepareCase(SLOW_TILES, 'workers', registryWith(workers, { kernel: 'js' }));
    const failure = await op.run(inputStartingWith(SLOW_TILES, EXIT_MID_RUN)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(BackendFailureError);
    expect((failure as Error).message).toMatch(/worker thread 0 failed: worker thread exited with code 3/);
    await expectSameAsCpuTiled(workers, SLOW_TILES, 3, 'js');
    expect(workers.stats().pool).toMatchObject({ threads: 1, replaced: 1 });
    await workers.dispose();
  });
});
