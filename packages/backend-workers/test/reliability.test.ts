/**
 * Reliability of the workers backend: memory and in-flight runs that stay
 * flat whatever the caller's loop, deadlines on every wait for another
 * thread, dispose/init/prepare/run interleavings, dropped operators,
 * capacity limits that fall back instead of surfacing as bad input, and
 * (opt-in, POINTWISE_LARGE_TESTS=1) tensors past 2 GiB.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { registerCpuTiledBackend } from '@pointwise/backend-cpu-tiled';
import {
  BackendFailureError,
  BackendRegistry,
  DisposedError,
  InvalidArgumentError,
  PointwiseError,
  checkAccuracy,
  createTensor,
  normalizeConv1x1,
  prepareConv1x1,
  referenceConv1x1,
  registerReferenceBackend,
  type BackendOperator,
  type Conv1x1Geometry,
  type Tensor,
} from '@pointwise/core';
import { seededValues } from '@pointwise/testing';
import { describe, expect, it } from 'vitest';
import { registerWorkersBackend, WorkersBackend, type WorkersBackendOptions } from '../dist/index.js';
import { HANG_MID_RUN, WEDGE_BEFORE_NEXT_RUN } from './fixtures/faults.mjs';
import { registryWith, startWorkers } from './helpers.js';

const exec = promisify(execFile);
const NEVER_READY = new URL('./fixtures/never-ready-worker.mjs', import.meta.url);
const FAULTY_WORKER = new URL('./fixtures/faulty-worker.mjs', import.meta.url);
const LARGE = process.env.POINTWISE_LARGE_TESTS === '1';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A pooled problem: `ci`→`co` at `hw`², seeded weights and bias. */
function problem(ci: number, co: number, hw: number, n = 1) {
  const weights = seededValues(co * ci, 2);
  const bias = seededValues(co, 3);
  const { geometry } = normalizeConv1x1({ inputShape: [n, ci, hw, hw], weights: { data: weights, shape: [co, ci] }, bias });
  return { geometry, weights, bias };
}

type Problem = ReturnType<typeof problem>;

function tensorOf(shape: readonly number[], data: Float32Array): Tensor {
  return { shape: shape as Tensor['shape'], layout: 'NCHW', data };
}

function alloc(length: number, shared: boolean): Float32Array {
  return shared ? new Float32Array(new SharedArrayBuffer(length * 4)) : new Float32Array(length);
}

/** Asserts `out` is the convolution of `x` within the accuracy bound (README "Accuracy"). */
function expectCorrect(p: Problem, x: Float32Array, out: Float32Array): void {
  const report = checkAccuracy(out, referenceConv1x1(p.geometry, x, p.weights, p.bias), { k: p.geometry.inChannelsPerGroup });
  expect(report.failureCount, JSON.stringify(report.failures)).toBe(0);
}

async function until(condition: () => boolean, turn = () => new Promise((r) => setTimeout(r, 10))): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await turn();
  expect(condition()).toBe(true);
}

describe.each([
  { kernel: 'js', callerComputes: true },
  { kernel: 'js', callerComputes: false },
  { kernel: 'wasm-simd', callerComputes: true },
  { kernel: 'wasm-simd', callerComputes: false },
] as const)('memory and in-flight runs stay flat without an event-loop turn ($kernel, callerComputes $callerComputes)', ({ kernel, callerComputes }) => {
  it.each([
    { shared: false, loop: 'tight' },
    { shared: true, loop: 'tight' },
    { shared: false, loop: 'Promise.all' },
    { shared: true, loop: 'Promise.all' },
  ] as const)('$loop loop, shared tensors $shared: 200 runs leave nothing in flight and allocate one buffer set', async ({ shared, loop }) => {
    const workers = await startWorkers({ threads: 2, kernel, callerComputes });
    const p = problem(16, 16, 32);
    const op = await workers.prepare(p);
    expect(op.info.details).toMatchObject({ kernel, dispatch: 'pool' });
    const x = alloc(16 * 1024, shared);
    x.set(seededValues(16 * 1024, 7));
    const outs = Array.from({ length: 10 }, () => alloc(16 * 1024, shared));
    const xt = tensorOf(p.geometry.inputShape, x);
    // Warm up, then count from a settled state.
    await op.run(xt, tensorOf(p.geometry.outputShape, outs[0]));
    await until(() => workers.stats().pool!.inFlight === 0);
    gc();
    const before = { memory: process.memoryUsage(), buffers: workers.stats().runBuffersCreated };
    if (loop === 'tight') {
      for (let i = 0; i < 200; i++) await op.run(xt, tensorOf(p.geometry.outputShape, outs[i % 10]));
    } else {
      for (let i = 0; i < 20; i++) await Promise.all(outs.map((out) => op.run(xt, tensorOf(p.geometry.outputShape, out))));
    }
    // Read without yielding to the event loop: no reply message has been delivered since the last run.
    const stats = workers.stats();
    gc();
    const after = process.memoryUsage();
    expect(stats.pool!.inFlight).toBe(0);
    expect(stats.runBuffersCreated - before.buffers).toBeLessThanOrEqual(1);
    // Before the fix each run kept 128 KiB of staging memory (plain tensors) until the loop yielded.
    expect(after.arrayBuffers - before.memory.arrayBuffers).toBeLessThan(4 * 1024 * 1024);
    expect(after.heapUsed - before.memory.heapUsed).toBeLessThan(4 * 1024 * 1024);
    for (const out of outs) expectCorrect(p, x, out);
    op.dispose();
    await workers.dispose();
  });
});

describe('deadlines on waits for another thread', () => {
  it('a worker entry that never reports ready fails init() with BackendFailureError within readyTimeoutMs', async () => {
    const workers = new WorkersBackend({ threads: 2, workerUrl: NEVER_READY, readyTimeoutMs: 200 });
    const failure = await workers.init().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(BackendFailureError);
    expect((failure as Error).message).toMatch(/worker thread 0 did not report ready within 200 ms \(readyTimeoutMs\)/);
    await workers.dispose();
  });

  it("['workers', 'cpu-tiled'] falls back to cpu-tiled when workers never become ready; the result is correct", async () => {
    const registry = new BackendRegistry();
    registerCpuTiledBackend(registry);
    registerWorkersBackend(registry, { threads: 2, workerUrl: NEVER_READY, readyTimeoutMs: 200 });
    const p = problem(8, 8, 4);
    const op = await prepareConv1x1({ inputShape: [1, 8, 4, 4], weights: { data: p.weights, shape: [8, 8] }, bias: p.bias }, { backend: ['workers', 'cpu-tiled'], registry });
    expect(op.backend).toBe('cpu-tiled');
    const x = seededValues(128, 4);
    expectCorrect(p, x, (await op.run(createTensor(x, [1, 8, 4, 4]))).data);
    await registry.dispose();
  });

  it('dispose() settles a pending init() (DisposedError) without waiting for the deadline', async () => {
    const workers = new WorkersBackend({ threads: 2, workerUrl: NEVER_READY });
    const pending = workers.init().catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    await workers.dispose();
    expect(await pending).toBeInstanceOf(DisposedError);
  });

  it('registry.dispose() settles a pending prepareConv1x1 and the process exits by itself', async () => {
    const script = fileURLToPath(new URL('./fixtures/never-ready-exit.mjs', import.meta.url));
    const { stdout } = await exec(process.execPath, [script], { timeout: 20_000 });
    // Settled with a typed error (the selection's BackendUnavailableError, or the DisposedError of the start it was part of).
    expect(stdout.trim()).toMatch(/^rejected (BackendUnavailableError|DisposedError)$/);
  });

  it('a thread stuck mid-run fails the run with BackendFailureError after stallTimeoutMs; it is replaced and the next run is correct', async () => {
    const workers = await startWorkers({ threads: 2, workerUrl: FAULTY_WORKER, kernel: 'js', callerComputes: false, stallTimeoutMs: 300 });
    const p = problem(8, 8, 8);
    const op = await workers.prepare(p);
    const x = seededValues(512, 5);
    const stuck = Float32Array.from(x);
    stuck[0] = HANG_MID_RUN;
    const failure = await op.run(tensorOf(p.geometry.inputShape, stuck), tensorOf(p.geometry.outputShape, new Float32Array(512))).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(BackendFailureError);
    expect((failure as Error).message).toMatch(/no progress for 300 ms \(stallTimeoutMs\)/);
    expect(workers.stats().pool!.replaced).toBeGreaterThanOrEqual(1);
    const out = new Float32Array(512);
    await op.run(tensorOf(p.geometry.inputShape, x), tensorOf(p.geometry.outputShape, out));
    expectCorrect(p, x, out);
    await workers.dispose();
  });

  it('a thread whose event loop is stuck before it starts a run fails that run after stallTimeoutMs (caller idle); it is replaced and the next run is correct', async () => {
    // One pool thread, the caller computing nothing: the run depends on the stuck thread alone.
    const workers = await startWorkers({ threads: 1, workerUrl: FAULTY_WORKER, kernel: 'js', callerComputes: false, stallTimeoutMs: 300 });
    const p = problem(8, 8, 8);
    const op = await workers.prepare(p);
    const x = seededValues(512, 5);
    const wedging = Float32Array.from(x);
    wedging[0] = WEDGE_BEFORE_NEXT_RUN;
    const first = new Float32Array(512);
    await op.run(tensorOf(p.geometry.inputShape, wedging), tensorOf(p.geometry.outputShape, first));
    expectCorrect(p, wedging, first);
    const failure = await op.run(tensorOf(p.geometry.inputShape, x), tensorOf(p.geometry.outputShape, new Float32Array(512))).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(BackendFailureError);
    expect((failure as Error).message).toMatch(/did not start the run within 300 ms \(stallTimeoutMs\)/);
    expect(workers.stats().pool!.replaced).toBe(1);
    const out = new Float32Array(512);
    await op.run(tensorOf(p.geometry.inputShape, x), tensorOf(p.geometry.outputShape, out));
    expectCorrect(p, x, out);
    await workers.dispose();
  });

  it('validates readyTimeoutMs and stallTimeoutMs like the other options', () => {
    expect(() => new WorkersBackend({ readyTimeoutMs: 0 })).toThrow(/readyTimeoutMs: expected an integer ≥ 1, received 0/);
    expect(() => new WorkersBackend({ stallTimeoutMs: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => registerWorkersBackend(new BackendRegistry(), { readyTimeoutMs: -1 })).toThrow(InvalidArgumentError);
  });
});

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function yieldSomehow(r: () => number): Promise<void> {
  const k = Math.floor(r() * 4);
  if (k === 0) return Promise.resolve();
  if (k === 1) return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => setTimeout(resolve, k === 2 ? 1 : 5));
}

/** Fails the test instead of hanging when a promise never settles. */
function settlesWithin<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

describe('dispose / init / prepare / run interleavings (seeded state machine)', () => {
  it.each([1, 2, 3, 4])('seed %i: every call settles with an allowed outcome; a later init() starts afresh', async (seed) => {
    const r = random(seed);
    const workers = new WorkersBackend({ threads: 2, minParallelFlops: 0, minTileFlops: 1, kernel: r() < 0.5 ? 'js' : undefined });
    const p = problem(8, 12, 6);
    const x = seededValues(8 * 36, seed);
    const ops: Array<{ op: BackendOperator; disposedAfter: boolean }> = [];
    const settled: Array<Promise<void>> = [];
    let disposes = 0;
    const allowed = (error: unknown, ...patterns: RegExp[]): void => {
      const ok = error instanceof DisposedError || (error instanceof Error && patterns.some((re) => re.test(error.message)));
      expect(ok, String(error)).toBe(true);
    };
    for (let step = 0; step < 30; step++) {
      const choice = r();
      if (choice < 0.2) {
        settled.push(workers.init().catch((e: unknown) => allowed(e)));
      } else if (choice < 0.35) {
        disposes++;
        for (const entry of ops) entry.disposedAfter = true;
        settled.push(workers.dispose());
      } else if (choice < 0.55) {
        settled.push(
          workers.prepare(p).then(
            (op) => void ops.push({ op, disposedAfter: false }),
            (e: unknown) => allowed(e, /init\(\) must complete before prepare\(\)/),
          ),
        );
      } else if (choice < 0.85 && ops.length > 0) {
        const entry = ops[Math.floor(r() * ops.length)];
        const out = new Float32Array(12 * 36).fill(Number.NaN);
        settled.push(
          entry.op.run(tensorOf(p.geometry.inputShape, x), tensorOf(p.geometry.outputShape, out)).then(
            () => expectCorrect(p, x, out),
            (e: unknown) => {
              // Only a run whose backend was disposed may fail, and only for that reason.
              expect(entry.disposedAfter, String(e)).toBe(true);
              allowed(e, /dispose/);
            },
          ),
        );
      } else {
        await yieldSomehow(r);
      }
    }
    await settlesWithin(Promise.all(settled), 30_000);
    // Whatever happened, the backend initialises afresh and computes correctly.
    await workers.init();
    const op = await workers.prepare(p);
    const out = new Float32Array(12 * 36);
    await op.run(tensorOf(p.geometry.inputShape, x), tensorOf(p.geometry.outputShape, out));
    expectCorrect(p, x, out);
    await workers.dispose();
    expect(workers.stats().pool).toBeNull();
    expect(disposes).toBeGreaterThanOrEqual(0);
  });

  it('registry.dispose() during the first prepareConv1x1 on workers: prepare settles, and workers is usable again afterwards', async () => {
    for (const seed of [1, 2, 3]) {
      const r = random(seed);
      const registry = new BackendRegistry();
      registerReferenceBackend(registry);
      registerWorkersBackend(registry, { threads: 2, minParallelFlops: 0 });
      const p = problem(8, 8, 8);
      const request = { inputShape: [1, 8, 8, 8] as const, weights: { data: p.weights, shape: [8, 8] }, bias: p.bias };
      const first = prepareConv1x1(request, { backend: 'workers', registry }).then(
        (op) => op,
        (e: unknown) => e,
      );
      await yieldSomehow(r);
      await registry.dispose();
      const outcome = await settlesWithin(first, 30_000);
      expect(outcome instanceof Error ? PointwiseError.isInstance(outcome) : true).toBe(true);
      const op = await prepareConv1x1(request, { backend: 'workers', registry });
      expect(op.backend).toBe('workers');
      const x = seededValues(512, seed);
      expectCorrect(p, x, (await op.run(createTensor(x, [1, 8, 8, 8]))).data);
      await registry.dispose();
    }
  });
});

describe('operators dropped without dispose()', () => {
  async function prepareRunAndDrop(workers: WorkersBackend, p: Problem, count: number): Promise<void> {
    const x = tensorOf(p.geometry.inputShape, seededValues(8 * 64, 1));
    const out = tensorOf(p.geometry.outputShape, new Float32Array(16 * 64));
    for (let i = 0; i < count; i++) {
      const op = await workers.prepare(p);
      await op.run(x, out);
    }
  }

  it.each(['js', 'wasm-simd'] as const)('%s: are unloaded from the pool once collected', async (kernel) => {
    const workers = await startWorkers({ threads: 2, kernel });
    const p = problem(8, 16, 8);
    await prepareRunAndDrop(workers, p, 40);
    expect(workers.stats().pool!.loaded).toBeGreaterThan(0);
    await until(
      () => workers.stats().pool!.loaded === 0,
      async () => {
        gc();
        await new Promise((resolve) => setTimeout(resolve, 10));
      },
    );
    await workers.dispose();
  });

  it('600 prepare/run/dispose cycles keep the loaded operators, heap and shared memory flat', async () => {
    const workers = await startWorkers({ threads: 2, kernel: 'js' });
    const p = problem(8, 16, 8);
    const x = seededValues(8 * 64, 1);
    const cycle = async (): Promise<void> => {
      const op = await workers.prepare(p);
      const out = new Float32Array(16 * 64);
      await op.run(tensorOf(p.geometry.inputShape, x), tensorOf(p.geometry.outputShape, out));
      op.dispose();
      expectCorrect(p, x, out);
    };
    for (let i = 0; i < 50; i++) await cycle();
    gc();
    const before = process.memoryUsage();
    for (let i = 0; i < 600; i++) await cycle();
    gc();
    const after = process.memoryUsage();
    expect(workers.stats().pool!.loaded).toBe(0);
    expect(after.heapUsed - before.heapUsed).toBeLessThan(4 * 1024 * 1024);
    // Shared buffers the pool threads saw are freed by their own (lazy) garbage collection: a bounded sawtooth.
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(32 * 1024 * 1024);
    await workers.dispose();
  });
});

describe('32-bit quantities', () => {
  it('a batch of more images than MAX_POOLED_TILES (int32 tile counters) computes on the calling thread, correctly', async () => {
    const workers = await startWorkers({ threads: 2, kernel: 'js' });
    const weights = seededValues(3 * 2, 2);
    const { geometry } = normalizeConv1x1({ inputShape: [70_000, 2, 1, 1], weights: { data: weights, shape: [3, 2] } });
    const op = await workers.prepare({ geometry, weights, bias: null });
    expect(op.info.details).toMatchObject({ dispatch: 'calling-thread' });
    expect(workers.stats().pool!.loaded).toBe(0);
    const x = seededValues(140_000, 3);
    const out = new Float32Array(210_000);
    await op.run(tensorOf(geometry.inputShape, x), tensorOf(geometry.outputShape, out));
    expectCorrect({ geometry, weights, bias: null as unknown as Float32Array }, x, out);
    await workers.dispose();
  });
});

describe('capacity limits fall back instead of surfacing as bad input', () => {
  const HUGE = { inputShape: [1, 1, 32768, 16384] as const, weights: { data: new Float32Array([1]), shape: [1, 1] } };

  it('[1, 1, 32768, 16384] (2 GiB in, 2 GiB out: past one WebAssembly memory) prepares with workers registered', async () => {
    const registry = new BackendRegistry();
    registerReferenceBackend(registry);
    registerCpuTiledBackend(registry);
    registerWorkersBackend(registry, { threads: 2 });
    const op = await prepareConv1x1(HUGE, { registry });
    expect(op.backend).not.toBe('reference');
    if (op.backend === 'workers') {
      expect(op.info.details).toMatchObject({ kernel: 'js', kernelFallback: expect.stringMatching(/wasm-simd kernel cannot hold this problem.*4294967296 bytes/) });
    }
    op.dispose();
    const explicit = await prepareConv1x1(HUGE, { backend: 'workers', strict: true, registry });
    expect(explicit.info.details).toMatchObject({ kernel: 'js' });
    explicit.dispose();
    await registry.dispose();
  });

  /** Runs `body` with `WebAssembly.Memory` (and, with `sab`, `SharedArrayBuffer`) refusing to allocate, as an exhausted engine does. */
  async function withRefusedAllocations<T>(sab: boolean, body: () => Promise<T>): Promise<T> {
    const memory = WebAssembly.Memory;
    const shared = globalThis.SharedArrayBuffer;
    (WebAssembly as { Memory: unknown }).Memory = function () {
      throw new RangeError('WebAssembly.Memory(): could not allocate memory');
    };
    if (sab) {
      (globalThis as { SharedArrayBuffer: unknown }).SharedArrayBuffer = function () {
        throw new RangeError('Array buffer allocation failed');
      };
    }
    try {
      return await body();
    } finally {
      (WebAssembly as { Memory: unknown }).Memory = memory;
      (globalThis as { SharedArrayBuffer: unknown }).SharedArrayBuffer = shared;
    }
  }

  it('a WebAssembly memory the engine refuses (thousands of live operators) runs the js kernel, correctly', async () => {
    const workers = await startWorkers({ threads: 2 });
    const p = problem(8, 16, 8);
    // Outside the patch first: cpu-tiled detects (and caches) WebAssembly support on first use.
    const normal = await workers.prepare(p);
    expect(normal.info.details).toMatchObject({ kernel: 'wasm-simd' });
    normal.dispose();
    const op = await withRefusedAllocations(false, () => workers.prepare(p));
    expect(op.info.details).toMatchObject({ kernel: 'js', kernelFallback: expect.stringMatching(/WebAssembly memory could not be allocated/) });
    const x = seededValues(8 * 64, 3);
    const out = new Float32Array(16 * 64);
    await op.run(tensorOf(p.geometry.inputShape, x), tensorOf(p.geometry.outputShape, out));
    expectCorrect(p, x, out);
    await workers.dispose();
  });

  it('shared memory the engine refuses is BackendCapacityError (never InvalidArgumentError); selection falls back', async () => {
    const workers = await startWorkers({ threads: 2 });
    const p = problem(8, 16, 8);
    (await workers.prepare(p)).dispose();
    const failure = await withRefusedAllocations(true, () => workers.prepare(p)).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'BACKEND_CAPACITY', backend: 'workers' });
    const registry = registryWith(workers, { kernel: 'js' });
    const request = { inputShape: [1, 8, 8, 8] as const, weights: { data: p.weights, shape: [16, 8] }, bias: p.bias };
    const op = await withRefusedAllocations(true, () => prepareConv1x1(request, { backend: ['workers', 'cpu-tiled'], registry }));
    expect(op.backend).toBe('cpu-tiled');
    const x = seededValues(8 * 64, 3);
    expectCorrect(p, x, (await op.run(createTensor(x, [1, 8, 8, 8]))).data);
    await workers.dispose();
  });

  it.runIf(LARGE)('[1, 1, 32768, 16384], weights [[1]], input all ones (shared): every output is 1 (POINTWISE_LARGE_TESTS)', async () => {
    const workers = await startWorkers({ threads: 2 });
    const { geometry } = normalizeConv1x1(HUGE);
    const op = await workers.prepare({ geometry, weights: new Float32Array([1]), bias: null });
    const x = alloc(2 ** 29, true).fill(1);
    const out = alloc(2 ** 29, true);
    await op.run(tensorOf(geometry.inputShape, x), tensorOf(geometry.outputShape, out));
    expect(out.findIndex((v) => v !== 1)).toBe(-1);
    await workers.dispose();
  }, 600_000);

  it.runIf(LARGE)('[1, 1, 24576, 24576] NHWC stride 2 on wasm-simd (2.25 GiB input): every output is 1 (POINTWISE_LARGE_TESTS)', async () => {
    const workers = await startWorkers({ threads: 2, kernel: 'wasm-simd' });
    const { geometry } = normalizeConv1x1({ inputShape: [1, 1, 24576, 24576], inputLayout: 'NHWC', stride: 2, weights: { data: new Float32Array([1]), shape: [1, 1] } });
    const op = await workers.prepare({ geometry, weights: new Float32Array([1]), bias: null });
    expect(op.info.details).toMatchObject({ kernel: 'wasm-simd' });
    const x = new Float32Array(24576 * 24576).fill(1);
    const out = new Float32Array(12288 * 12288);
    await op.run({ shape: geometry.inputShape, layout: 'NHWC', data: x }, { shape: geometry.outputShape, layout: geometry.outputLayout, data: out });
    let wrong = 0;
    for (let i = 0; i < out.length; i++) if (out[i] !== 1) wrong++;
    expect(wrong).toBe(0);
    await workers.dispose();
  }, 600_000);
});

// Keeps the geometry type import used in declaration-only builds.
export type { Conv1x1Geometry, WorkersBackendOptions };

describe('thread termination has a deadline', () => {
  it('dispose() settles although a thread never finishes terminating (terminateTimeoutMs)', async () => {
    const { ThreadPool } = await import('../dist/thread-pool.js');
    let terminated = 0;
    const pool = new ThreadPool({
      size: 2,
      workerUrl: new URL('file:///fake-worker.mjs'),
      terminateTimeoutMs: 50,
      // A fake thread that reports ready at once and whose terminate() never resolves.
      spawn: (_url, listener) => {
        queueMicrotask(() => listener.onMessage({ type: 'ready' }));
        return { post: () => {}, hold: () => {}, terminate: () => new Promise<void>(() => void terminated++) };
      },
    });
    await pool.ready();
    await settlesWithin(pool.dispose(), 10_000);
    expect(terminated).toBe(2);
  });
});

describe('input staging waits have a deadline', () => {
  it('a pool thread waiting for an input chunk whose claimer died copies it itself instead of spinning for ever', async () => {
    const { gemmKernel } = await import('@pointwise/backend-cpu-tiled/kernel');
    const { planWorkGrid } = await import('../dist/index.js');
    const { acquireTileInput, planSyncLayout, PIECE_COPYING, PIECE_READY } = await import('../dist/run-sync.js');
    const p = problem(8, 16, 96);
    const kernel = gemmKernel('f32-gemm-4x8-minmax-wasmsimd');
    const setup = kernel.prepare({ geometry: p.geometry, weights: p.weights, bias: p.bias, threads: 1, shared: true });
    const memory = kernel.bind(setup, 0).memory!;
    const grid = planWorkGrid({ batch: 1, pixels: 96 * 96, channels: 16, channelUnit: 4, nr: 8, minPixelPiece: 16 }, 2);
    const layout = planSyncLayout(p.geometry, grid, true, 2);
    expect(layout.chunksPerImage).toBe(2);
    const sync = new Int32Array(new SharedArrayBuffer(layout.words * 4));
    // Chunk 1 was claimed by a thread that then died: it stays PIECE_COPYING.
    Atomics.store(sync, layout.inputWord + 1, PIECE_COPYING);
    const x = seededValues(8 * 96 * 96, 9);
    acquireTileInput(memory, { grid, layout, sync, x, out: null }, 0);
    expect([Atomics.load(sync, 2), Atomics.load(sync, 3)]).toEqual([PIECE_READY, PIECE_READY]);
    // What the memory holds now is what the staging copied: read it back through the input region.
    const { memory: wasmMemory, layout: wasmLayout } = setup as unknown as { memory: WebAssembly.Memory; layout: { input: number } };
    const staged = new Float32Array(wasmMemory.buffer, wasmLayout.input, x.length);
    expect(firstDifference(staged, x)).toBe(-1);
  });
});

function firstDifference(a: Float32Array, b: Float32Array): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return a.length === b.length ? -1 : a.length;
}
