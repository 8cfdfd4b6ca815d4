import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { BackendFailureError, BackendRegistry, InvalidArgumentError, createTensor, DisposedError, prepareConv1x1, referenceConv1x1, registerReferenceBackend } from '@pointwise/core';
import { registerCpuTiledBackend, type PlanOptions } from '@pointwise/backend-cpu-tiled';
import { describe, expect, it } from 'vitest';
import { MAX_THREADS, probeWorkersEnvironment, registerWorkersBackend, WorkersBackend } from '../dist/index.js';
import { caseInput, type WorkersCase } from './cases.js';
import { poolThreadExecArgv } from '../src/thread-spawn.js';
import { CRASH_WHEN_IDLE, EXIT_MID_RUN, KERNEL_ERROR } from './fixtures/faults.mjs';
import { firstBitDifference, prepareCase, registryWith, startWorkers } from './helpers.js';

const run = promisify(execFile);
// The faulty entry picks its fault from the first input value, which only the js kernel passes to threads;
// the calling thread does not compute in these tests, so every tile runs on a pool thread.
const FAULTY_WORKER = new URL('./fixtures/faulty-worker.mjs', import.meta.url);
const MEDIUM: WorkersCase = { name: 'medium', shape: [2, 32, 12, 12], co: 40, inputLayout: 'NCHW', bias: true, activation: 'relu' };

/** The case's input with its first value replaced (the fault selector of the faulty worker). */
function inputStartingWith(c: WorkersCase, first: number, seed = 1) {
  const data = caseInput(c, seed);
  data[0] = first;
  return createTensor(data, c.shape, c.inputLayout);
}

async function expectMatchesCpuTiled(workers: WorkersBackend, c: WorkersCase, seed: number, kernel: PlanOptions = {}): Promise<void> {
  const registry = registryWith(workers, kernel);
  const x = createTensor(caseInput(c, seed), c.shape, c.inputLayout);
  const [parallel, single] = await Promise.all([prepareCase(c, 'workers', registry), prepareCase(c, 'cpu-tiled', registry)]);
  expect(firstBitDifference((await parallel.run(x)).data, (await single.run(x)).data)).toBe(-1);
  parallel.dispose();
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}

const PROBLEM = { inputShape: [1, 3, 2, 2] as const, weights: { data: Float32Array.of(1, 2, 3, 4, 5, 6), shape: [2, 3] } };

describe('workers backend options', () => {
  it('rejects bad options when registered, not later as "unavailable"', () => {
    const registry = new BackendRegistry();
    expect(() => registerWorkersBackend(registry, { threads: 0 })).toThrow(/threads: expected an integer ≥ 1, received 0/);
    expect(() => registerWorkersBackend(registry, { therads: 4 } as never)).toThrow(/options.therads: expected one of the known options/);
    expect(() => registerWorkersBackend(registry, { kernel: 'avx' as never })).toThrow(InvalidArgumentError);
    expect(() => registerWorkersBackend(registry, { callerComputes: 'no' as never })).toThrow(/callerComputes: expected a boolean, received "no"/);
    expect(() => registerWorkersBackend(registry, { workerUrl: 42 as never })).toThrow(/workerUrl: expected a URL or a string/);
    expect(registry.names()).toEqual([]);
  });

  it('per-entry options of a preference list are checked before anything starts (one selection syntax)', async () => {
    const registry = new BackendRegistry();
    registerWorkersBackend(registry);
    await expect(prepareConv1x1(PROBLEM, { registry, backend: 'workers[threads=0]' })).rejects.toThrow(/threads: expected an integer ≥ 1, received 0/);
    await expect(prepareConv1x1(PROBLEM, { registry, backend: [{ name: 'workers', callerComputes: 'no' as never }] })).rejects.toThrow(/callerComputes/);
    await expect(prepareConv1x1(PROBLEM, { registry, backend: 'workers[avx]' })).rejects.toThrow(InvalidArgumentError);
  });

  it('the pool preset: workers[js,pool] computes on three pool threads with the calling thread idle', async () => {
    const registry = new BackendRegistry();
    registerWorkersBackend(registry);
    try {
      const op = await prepareConv1x1(PROBLEM, { registry, backend: 'workers[js,pool]' });
      expect(op.info.configuration).toBe('workers[callerComputes=false,kernel=js,minParallelFlops=0,minTileFlops=1,threads=3]');
      expect(op.info.details).toMatchObject({ kernel: 'js', poolThreads: 3, callerComputes: false, dispatch: 'pool' });
      const x = createTensor(new Float32Array(12).map((_, i) => i / 4 - 1), PROBLEM.inputShape);
      const expected = referenceConv1x1(op.geometry, x.data, PROBLEM.weights.data, null).values;
      expect(Array.from((await op.run(x)).data)).toEqual(Array.from(expected, Math.fround));
    } finally {
      await registry.dispose();
    }
  });

  it('per-entry options reach the backend: workers[threads=2,kernel=js] runs the js kernel on 2 threads', async () => {
    const registry = new BackendRegistry();
    registerWorkersBackend(registry);
    try {
      const op = await prepareConv1x1(PROBLEM, { registry, backend: { name: 'workers', threads: 2, kernel: 'js' } });
      // threads = 2 with the calling thread computing: one pool thread beside it.
      expect(op.info.details).toMatchObject({ kernel: 'js', poolThreads: 1, callerComputes: true });
      expect(op.info.configuration).toBe('workers[kernel=js,threads=2]');
      const x = createTensor(new Float32Array(12).map((_, i) => (i % 7) - 3), PROBLEM.inputShape);
      const expected = referenceConv1x1(op.geometry, x.data, PROBLEM.weights.data, null).values;
      const out = await op.run(x);
      expect(Array.from(out.data)).toEqual(Array.from(expected, Math.fround));
    } finally {
      await registry.dispose();
    }
  });
});

describe('failures', () => {
  it('a thread that exits mid-run rejects that run with BackendFailureError; it is replaced and the next run succeeds', async () => {
    const workers = await startWorkers({ threads: 2, workerUrl: FAULTY_WORKER, kernel: 'js', callerComputes: false });
    const op = await prepareCase(MEDIUM, 'workers', registryWith(workers));
    const failure = await op.run(inputStartingWith(MEDIUM, EXIT_MID_RUN)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(BackendFailureError);
    expect((failure as Error).message).toMatch(/^workers: worker thread \d failed: worker thread exited with code 3 \(mid-run/);
    await until(() => workers.stats().pool!.replaced >= 1);
    await expectMatchesCpuTiled(workers, MEDIUM, 5, { kernel: 'js' });
    expect(workers.stats().pool!.threads).toBe(2);
    await workers.dispose();
  });

  it('a thread that exits in one operator\u2019s run does not fail another operator\u2019s run it had not started (its other thread computes it)', async () => {
    // A: one tile, so one thread takes it and exits; B, posted right after to both threads, is queued behind A on the dying one.
    const workers = await startWorkers({ threads: 2, workerUrl: FAULTY_WORKER, kernel: 'js', callerComputes: false, minTileFlops: 1000 });
    const registry = registryWith(workers, { kernel: 'js' });
    const one: WorkersCase = { name: 'one tile', shape: [1, 4, 1, 1], co: 1, inputLayout: 'NCHW', bias: true };
    const [a, b, bRef] = await Promise.all([prepareCase(one, 'workers', registry), prepareCase(MEDIUM, 'workers', registry), prepareCase(MEDIUM, 'cpu-tiled', registry)]);
    expect([a.info.details.tiles, b.info.details.threads]).toEqual([1, 2]);
    const x = createTensor(caseInput(MEDIUM, 2), MEDIUM.shape, MEDIUM.inputLayout);
    const [failure, out] = await Promise.all([a.run(inputStartingWith(one, EXIT_MID_RUN)).catch((e: unknown) => e), b.run(x)]);
    expect((failure as Error).message).toMatch(/^workers: worker thread \d failed: worker thread exited with code 3 \(mid-run/);
    expect(firstBitDifference(out.data, (await bRef.run(x)).data)).toBe(-1);
    await until(() => workers.stats().pool!.replaced === 1);
    await workers.dispose();
  });

  it('a kernel error on a thread rejects the run; the thread stays and the next run succeeds', async () => {
    const workers = await startWorkers({ threads: 2, workerUrl: FAULTY_WORKER, kernel: 'js', callerComputes: false });
    const op = await prepareCase(MEDIUM, 'workers', registryWith(workers));
    await expect(op.run(inputStartingWith(MEDIUM, KERNEL_ERROR))).rejects.toThrow(/RangeError: injected kernel error/);
    await expectMatchesCpuTiled(workers, MEDIUM, 6, { kernel: 'js' });
    expect(workers.stats().pool!.replaced).toBe(0);
    await workers.dispose();
  });

  it('a thread that crashes while idle is replaced; later runs succeed', async () => {
    const workers = await startWorkers({ threads: 2, workerUrl: FAULTY_WORKER, kernel: 'js', callerComputes: false });
    const op = await prepareCase(MEDIUM, 'workers', registryWith(workers));
    await op.run(inputStartingWith(MEDIUM, CRASH_WHEN_IDLE));
    await until(() => workers.stats().pool!.replaced === 2);
    await expectMatchesCpuTiled(workers, MEDIUM, 7, { kernel: 'js' });
    await workers.dispose();
  });

  it('a worker entry that cannot load fails init() with the reason', async () => {
    const workers = new WorkersBackend({ threads: 2, workerUrl: new URL('./fixtures/no-such-worker.mjs', import.meta.url) });
    await expect(workers.init()).rejects.toThrow(/worker thread \d failed to start: .*no-such-worker/);
    await workers.dispose();
  });

  it('is unavailable, with the reason, where SharedArrayBuffer is missing or the page is not cross-origin isolated', () => {
    const missing = probeWorkersEnvironment({ Atomics });
    expect(missing).toMatchObject({ available: false, reason: expect.stringMatching(/SharedArrayBuffer.*cross-origin isolated/) });
    expect(probeWorkersEnvironment({ SharedArrayBuffer, Atomics, crossOriginIsolated: false }).available).toBe(false);
    expect(probeWorkersEnvironment({ SharedArrayBuffer, Atomics, crossOriginIsolated: true })).toEqual({ available: true });
  });
});

describe('concurrency', () => {
  it('concurrent runs of several operators give independent, correct results', async () => {
    const workers = await startWorkers({ threads: 3 });
    const registry = registryWith(workers);
    const cases: WorkersCase[] = [
      MEDIUM,
      { name: 'nhwc', shape: [1, 24, 10, 9], co: 16, inputLayout: 'NHWC', stride: 2, padding: 1, bias: true },
      { name: 'groups', shape: [3, 12, 6, 6], co: 18, inputLayout: 'NCHW', groups: 3, bias: false },
    ];
    const pairs = await Promise.all(cases.map(async (c) => [await prepareCase(c, 'workers', registry), await prepareCase(c, 'cpu-tiled', registry)] as const));
    const jobs = [];
    for (let seed = 1; seed <= 6; seed++) {
      for (let i = 0; i < cases.length; i++) {
        const x = createTensor(caseInput(cases[i], seed), cases[i].shape, cases[i].inputLayout);
        jobs.push(Promise.all([pairs[i][0].run(x), pairs[i][1].run(x)]));
      }
    }
    for (const [parallel, single] of await Promise.all(jobs)) expect(firstBitDifference(parallel.data, single.data)).toBe(-1);
    await workers.dispose();
  });
});

describe('lifecycle', () => {
  it('N = 0 gives an empty output on both dispatch paths', async () => {
    const workers = await startWorkers({ threads: 2 });
    const c: WorkersCase = { ...MEDIUM, shape: [0, 32, 12, 12] };
    const op = await prepareCase(c, 'workers', registryWith(workers));
    const out = await op.run(createTensor(new Float32Array(0), c.shape));
    expect(out.shape).toEqual([0, 40, 12, 12]);
    expect(out.data.length).toBe(0);
    await workers.dispose();
  });

  it('dispose while idle ends the threads; the operator then throws DisposedError', async () => {
    const workers = await startWorkers({ threads: 2 });
    const op = await prepareCase(MEDIUM, 'workers', registryWith(workers));
    await op.run(createTensor(caseInput(MEDIUM), MEDIUM.shape));
    await workers.dispose();
    expect(workers.stats().pool).toBeNull();
    await expect(op.run(createTensor(caseInput(MEDIUM), MEDIUM.shape))).rejects.toBeInstanceOf(DisposedError);
    await expect(workers.prepare({ geometry: op.geometry, weights: new Float32Array(40 * 32), bias: null })).rejects.toBeInstanceOf(DisposedError);
  });

  it('dispose during a run rejects that run', async () => {
    const workers = await startWorkers({ threads: 2 });
    const big: WorkersCase = { name: 'big', shape: [1, 256, 40, 40], co: 256, inputLayout: 'NCHW', bias: true };
    const op = await prepareCase(big, 'workers', registryWith(workers));
    const outcome = op.run(createTensor(caseInput(big), big.shape)).catch((e: unknown) => e);
    await workers.dispose();
    expect(String(await outcome)).toMatch(/dispose/i);
  });

  it('a Node process exits on its own after dispose(), and also when dispose() is forgotten', async () => {
    const script = fileURLToPath(new URL('./fixtures/exit-check.mjs', import.meta.url));
    for (const mode of ['dispose', 'forget']) {
      const { stdout } = await run(process.execPath, [script, mode], { timeout: 20_000 });
      expect(stdout.trim()).toBe('4 1');
    }
  });

  it('starts its pool from an inline `node --input-type=module -e` script, whose options the threads do not take', async () => {
    // An inline script's parent: the threads start with no options (V8 flags are process-wide anyway);
    // any other parent's options are inherited (undefined: Node's default).
    expect(poolThreadExecArgv(['--input-type=module', '-e', 'code', '--max-old-space-size=100'])).toEqual([]);
    expect(poolThreadExecArgv(['--experimental-wasm-relaxed-simd', '-p', 'y'])).toEqual([]);
    expect(poolThreadExecArgv(['--experimental-wasm-relaxed-simd', '--conditions=dev'])).toBeUndefined();
    // The fixture's source run inline, from its folder (so its relative imports resolve): one pooled run.
    const fixture = new URL('./fixtures/exit-check.mjs', import.meta.url);
    const source = await readFile(fixture, 'utf8');
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', source], { timeout: 20_000, cwd: fileURLToPath(new URL('.', fixture)) });
    expect(stdout.trim()).toBe('4 1');
  });
});

describe('registration and selection', () => {
  it('registers as "workers" at priority 200, is chosen over cpu-tiled, and reports its threads', async () => {
    const registry = new BackendRegistry();
    registerReferenceBackend(registry);
    registerCpuTiledBackend(registry);
    expect(registerWorkersBackend(registry, { threads: 2 })).toBe(true);
    expect((await registry.list()).find((b) => b.name === 'workers')).toMatchObject({ priority: 200, available: true });
    const weights = { data: caseInput({ ...MEDIUM, shape: [1, 256, 1, 128] }), shape: [128, 256] };
    const op = await prepareConv1x1({ inputShape: [1, 256, 28, 28], weights }, { registry });
    expect(op.backend).toBe('workers');
    expect(op.info.details).toMatchObject({ threads: 2, poolThreads: 1, callerComputes: true, dispatch: 'pool', kernel: 'wasm-simd' });
    const small = await prepareConv1x1({ inputShape: [1, 256, 2, 2], weights }, { registry });
    expect(small.info.details).toMatchObject({ threads: 1, dispatch: 'calling-thread' });
    await (await registry.get('workers')).dispose();
  });

  it('runs below the threshold on the calling thread, bit-identical to cpu-tiled', async () => {
    const workers = new WorkersBackend({ threads: 2 });
    await workers.init();
    await expectMatchesCpuTiled(workers, MEDIUM, 9);
    expect(workers.stats()).toMatchObject({ directRuns: 1, pooledRuns: 0 });
    await workers.dispose();
  });

  it('rejects a bad thread count', () => {
    expect(() => new WorkersBackend({ threads: 0 })).toThrow(/threads: expected an integer ≥ 1, received 0/);
  });

  it('caps threads at MAX_THREADS (256): one more is InvalidArgumentError when registered or selected, before any thread starts', async () => {
    expect(MAX_THREADS).toBe(256);
    expect(() => new WorkersBackend({ threads: 257 })).toThrow(/threads: expected an integer ≤ 256 \(MAX_THREADS\), received 257/);
    expect(() => new WorkersBackend({ threads: 256 })).not.toThrow();
    const registry = new BackendRegistry();
    expect(() => registerWorkersBackend(registry, { threads: 1_000_000_000 })).toThrow(InvalidArgumentError);
    expect(registry.names()).toEqual([]);
    registerWorkersBackend(registry);
    const selected = prepareConv1x1(PROBLEM, { registry, env: { POINTWISE_BACKEND: 'workers[threads=1000000000]' } });
    await expect(selected).rejects.toThrow(InvalidArgumentError);
    await expect(selected).rejects.toThrow(/threads: expected an integer ≤ 256 \(MAX_THREADS\), received 1000000000/);
    await registry.dispose();
  });
});

describe.each(['js', 'wasm-simd'] as const)('no leak over 10,000 runs, %s microkernel', (kernel) => {
  it('keeps the thread count and the heap flat', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const workers = await startWorkers({ threads: 2 });
    const c: WorkersCase = { name: 'tiny', shape: [1, 8, 6, 6], co: 8, inputLayout: 'NCHW', bias: true };
    const op = await prepareCase(c, 'workers', registryWith(workers));
    const x = createTensor(caseInput(c), c.shape);
    const out = createTensor(new Float32Array(8 * 36), [1, 8, 6, 6]);
    for (let i = 0; i < 500; i++) await op.run(x, out);
    await until(() => workers.stats().pool!.inFlight === 0);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 10_000; i++) await op.run(x, out);
    await until(() => workers.stats().pool!.inFlight === 0);
    gc();
    const growth = process.memoryUsage().heapUsed - before;
    const pool = workers.stats().pool!;
    console.log(`${kernel}: 10,000 runs: heap growth ${(growth / 1024).toFixed(0)} KiB, threads ${pool.threads}, started ${pool.started}`);
    // threads: 2 computing threads = the calling thread and a pool of 1.
    expect(pool).toMatchObject({ threads: 1, started: 1, replaced: 0, inFlight: 0, runs: 10_500 });
    expect(growth).toBeLessThan(2 * 1024 * 1024);
    await workers.dispose();
  });
});

describe('calling-thread use', () => {
  it("declares 'shared': the calling thread computes a run below minParallelFlops alone, and takes tiles of a pooled one", async () => {
    const workers = new WorkersBackend({ threads: 2, minParallelFlops: 100_000 });
    const registry = registryWith(workers);
    const small = await prepareCase({ ...MEDIUM, shape: [1, 3, 2, 2], co: 2 }, 'workers', registry);
    const pooled = await prepareCase(MEDIUM, 'workers', registry);
    try {
      expect(workers.capabilities().callingThread).toBe('shared');
      expect(small.info.details).toMatchObject({ dispatch: 'calling-thread' });
      expect(pooled.info.details).toMatchObject({ dispatch: 'pool', callerComputes: true });
    } finally {
      small.dispose();
      pooled.dispose();
      await workers.dispose();
    }
  });

  it.each(['js', 'wasm-simd'] as const)('runs a tiny layer on the calling thread before run() returns, bit-identical to cpu-tiled; errors reject (%s)', async (kernel) => {
    const workers = new WorkersBackend({ threads: 2, kernel, minParallelFlops: 100_000 });
    const registry = registryWith(workers, { kernel });
    const c: WorkersCase = { name: '3→8 @4²', shape: [1, 3, 4, 4], co: 8, inputLayout: 'NCHW', bias: true };
    const op = await prepareCase(c, 'workers', registry);
    const single = await prepareCase(c, 'cpu-tiled', registry);
    try {
      expect(op.info.details).toMatchObject({ dispatch: 'calling-thread', kernel });
      const out = createTensor(new Float32Array(8 * 16), [1, 8, 4, 4]);
      for (const seed of [1, 2]) {
        const x = createTensor(caseInput(c, seed), c.shape, c.inputLayout);
        const expected = (await single.run(x)).data;
        out.data.fill(Number.NaN);
        const done = op.run(x, out);
        // Computed synchronously: the output is complete before the promise is awaited.
        expect(firstBitDifference(out.data, expected)).toBe(-1);
        expect(await done).toBe(out);
      }
      const x = createTensor(caseInput(c, 3), c.shape, c.inputLayout);
      const wrong = createTensor(new Float32Array(8 * 16), [1, 8, 2, 8]);
      let rejected: Promise<unknown> | undefined;
      expect(() => (rejected = op.run(x, wrong))).not.toThrow();
      await expect(rejected).rejects.toThrow(/out\.shape/);
      op.dispose();
      expect(() => (rejected = op.run(x, out))).not.toThrow();
      await expect(rejected).rejects.toThrow(DisposedError);
    } finally {
      op.dispose();
      single.dispose();
      await workers.dispose();
    }
  });
});
