/**
 * The back-off of pooled runs that compute on one thread (`serial-backoff.ts`):
 * the closed form of its schedule, and a pool whose thread always starts late
 * (`fixtures/late-worker.mjs`), whose operator's runs the pool then declines —
 * with the same bits as cpu-tiled either way.
 */
import { createTensor, InvalidArgumentError } from '@pointwise/core';
import { describe, expect, it } from 'vitest';
import { WorkersBackend } from '../dist/index.js';
import { ranInParallel, SerialBackoff } from '../dist/serial-backoff.js';
import { caseInput, type WorkersCase } from './cases.js';
import { firstBitDifference, prepareCase, registryWith, startWorkers } from './helpers.js';

const LATE_WORKER = new URL('./fixtures/late-worker.mjs', import.meta.url);
const SMALL: WorkersCase = { name: 'small', shape: [1, 16, 12, 12], co: 24, inputLayout: 'NCHW', bias: true, activation: 'relu' };

/** Which of `runs` runs a back-off of at most `maxRuns` declines when every pooled run computes on one thread. */
function declinedRuns(maxRuns: number, runs: number): boolean[] {
  const backoff = new SerialBackoff(maxRuns);
  const declined: boolean[] = [];
  for (let i = 0; i < runs; i++) {
    const skip = backoff.takeSkip();
    declined.push(skip);
    if (!skip) backoff.record(false);
  }
  return declined;
}

describe('ranInParallel', () => {
  it('is true when at least two threads computed a tile', () => {
    expect(ranInParallel(3, [5])).toBe(true);
    expect(ranInParallel(0, [4, 4])).toBe(true);
    expect(ranInParallel(1, [0, 0, 7])).toBe(true);
  });

  it('is false when one thread computed every tile', () => {
    expect(ranInParallel(8, [0])).toBe(false);
    expect(ranInParallel(0, [8])).toBe(false);
    expect(ranInParallel(0, [0, 8, 0])).toBe(false);
    expect(ranInParallel(8, [])).toBe(false);
  });
});

describe('SerialBackoff', () => {
  it('declines 1, 2, 4 … runs after each pooled run on one thread, up to maxRuns', () => {
    // Pooled (P) and declined (d) runs: P d P d d P d d d d P then 8 d, P then 8 d (capped at 8).
    const pattern = declinedRuns(8, 30).map((d) => (d ? 'd' : 'P')).join('');
    expect(pattern).toBe('PdPddPddddPddddddddPddddddddPd');
  });

  it('ends the back-off at the first pooled run that computed in parallel', () => {
    const backoff = new SerialBackoff(16);
    backoff.record(false);
    backoff.record(false);
    backoff.record(false);
    expect(backoff.pending).toBe(4);
    expect(backoff.takeSkip()).toBe(true);
    expect(backoff.pending).toBe(3);
    backoff.record(true);
    expect(backoff.pending).toBe(0);
    expect(backoff.takeSkip()).toBe(false);
    // The next serial run starts again from one run.
    backoff.record(false);
    expect(backoff.pending).toBe(1);
  });

  it('never declines with maxRuns 0', () => {
    expect(declinedRuns(0, 10).some((d) => d)).toBe(false);
  });
});

describe.each(['js', 'wasm-simd'] as const)('a pool thread that always starts late, %s microkernel', (kernel) => {
  async function runSeven(options: ConstructorParameters<typeof WorkersBackend>[0]) {
    const workers = await startWorkers({ threads: 2, kernel, workerUrl: LATE_WORKER, ...options });
    const registry = registryWith(workers, { kernel });
    const [op, single] = await Promise.all([prepareCase(SMALL, 'workers', registry), prepareCase(SMALL, 'cpu-tiled', registry)]);
    for (let seed = 1; seed <= 7; seed++) {
      const x = createTensor(caseInput(SMALL, seed), SMALL.shape, SMALL.inputLayout);
      expect(firstBitDifference((await op.run(x)).data, (await single.run(x)).data)).toBe(-1);
    }
    const stats = workers.stats();
    op.dispose();
    await workers.dispose();
    return stats;
  }

  it('declines runs 2, 4, 5 and 7 of 7 with serialBackoffRuns 16 (the calling thread computes them alone), same bits as cpu-tiled', async () => {
    const stats = await runSeven({ serialBackoffRuns: 16 });
    expect(stats.pooledRuns).toBe(7);
    expect(stats.pool).toMatchObject({ runs: 7, declined: 4, replaced: 0, inFlight: 0 });
  });

  it('counts each posted run as computed on one thread (the calling thread took every tile before the pool thread started)', async () => {
    const stats = await runSeven({ serialBackoffRuns: 16 });
    expect(stats.pool).toMatchObject({ runs: 7, declined: 4, oneThreadRuns: 3, parallelRuns: 0, poolTiles: 0 });
    expect(stats.pool?.settledTiles).toBeGreaterThan(0);
    expect((stats.pool?.settledTiles ?? 0) % 3).toBe(0);
  });

  it('posts every run with serialBackoffRuns 0, and by default (off)', async () => {
    for (const options of [{ serialBackoffRuns: 0 }, {}]) {
      const stats = await runSeven(options);
      expect(stats.pool).toMatchObject({ runs: 7, declined: 0, oneThreadRuns: 7, parallelRuns: 0 });
    }
  });

  it('posts every run when the calling thread does not compute (the pool must)', async () => {
    const stats = await runSeven({ callerComputes: false, serialBackoffRuns: 16 });
    expect(stats.pool).toMatchObject({ runs: 7, declined: 0 });
  });
});

describe('serialBackoffRuns option', () => {
  it('rejects a value that is not an integer ≥ 0', () => {
    expect(() => new WorkersBackend({ serialBackoffRuns: -1 })).toThrow(InvalidArgumentError);
    expect(() => new WorkersBackend({ serialBackoffRuns: 1.5 })).toThrow(InvalidArgumentError);
  });
});

describe("the pool's waiting options in a pooled operator's info.details", () => {
  async function detailsWith(options: ConstructorParameters<typeof WorkersBackend>[0]) {
    const workers = await startWorkers({ threads: 2, kernel: 'js', ...options });
    const registry = registryWith(workers, { kernel: 'js' });
    const op = await prepareCase(SMALL, 'workers', registry);
    const details = op.info.details;
    op.dispose();
    await workers.dispose();
    return details;
  }

  it('lists those set other than their defaults, and none at the defaults', async () => {
    expect(await detailsWith({ serialBackoffRuns: 8, busySpinMicros: 200, spinMicros: 2000 })).toMatchObject({ dispatch: 'pool', serialBackoffRuns: 8, busySpinMicros: 200, spinMicros: 2000 });
    const defaults = await detailsWith({ serialBackoffRuns: 0, busySpinMicros: 50, spinMicros: 1000 });
    expect(defaults.dispatch).toBe('pool');
    for (const key of ['serialBackoffRuns', 'busySpinMicros', 'spinMicros']) expect(defaults).not.toHaveProperty(key);
  });
});
