/**
 * Dispatch costs, on this machine:
 *
 * A. per-call overhead of splitting a no-op call over 2 threads with piscina,
 *    tinypool, hand-written postMessage and hand-written Atomics.wait/notify
 *    (the measurement behind the pool choice; see README);
 * B. this backend's per-call dispatch overhead: a tiny pooled run minus the
 *    same run on the calling thread, per microkernel;
 * C. the small-work threshold: cpu-tiled vs workers (2 threads, every run
 *    pooled) on 64→64 convolutions of growing pixel counts.
 *
 * Run: flock /tmp/bench.lock pnpm --filter @pointwise/backend-workers bench:dispatch
 */
import { Worker } from 'node:worker_threads';
import { CpuTiledBackend, type MicrokernelKind } from '@pointwise/backend-cpu-tiled';
import { normalizeConv1x1, zerosTensor } from '@pointwise/core';
import { WorkersBackend } from '@pointwise/backend-workers';
import { markdownTable } from 'markdown-table';
import { Piscina } from 'piscina';
import Tinypool from 'tinypool';
import { seededValues as seeded } from '@pointwise/testing';
import { summarize, timePair } from './timing.js';

const THREADS = 2;
const fixture = (name: string) => new URL(`../../bench/fixtures/${name}`, import.meta.url);

/** Median µs per call of `call` over `calls` calls, after a warm-up, best-of-5 blocks reported as median. */
async function perCall(call: () => Promise<unknown>, calls = 3000): Promise<{ median: number; min: number }> {
  for (let i = 0; i < 500; i++) await call();
  const blocks: number[] = [];
  for (let b = 0; b < 5; b++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) await call();
    blocks.push(((performance.now() - t0) * 1000) / calls);
  }
  const t = summarize(blocks);
  return { median: t.median, min: t.min };
}

async function libraries(): Promise<string[][]> {
  const counter = new Int32Array(new SharedArrayBuffer(16));
  const split = (run: (index: number) => Promise<unknown>) => () => Promise.all([run(0), run(1)]);
  const rows: string[][] = [];
  const add = (name: string, r: { median: number; min: number }) => rows.push([name, r.median.toFixed(1), r.min.toFixed(1)]);

  for (const atomics of ['sync', 'disabled'] as const) {
    const pool = new Piscina({ filename: fixture('noop-task.mjs').href, minThreads: THREADS, maxThreads: THREADS, atomics });
    add(`piscina 5.3.2 (atomics: '${atomics}')`, await perCall(split((index) => pool.run({ counter, index }))));
    await pool.destroy();
  }
  {
    const pool = new Tinypool({ filename: fixture('noop-task.mjs').href, minThreads: THREADS, maxThreads: THREADS });
    add('tinypool 2.2.0', await perCall(split((index) => pool.run({ counter, index }))));
    await pool.destroy();
  }
  {
    const threads = Array.from({ length: THREADS }, () => new Worker(fixture('message-thread.mjs')));
    const reply = (w: Worker) => new Promise((resolve) => w.once('message', resolve));
    add('hand-written postMessage', await perCall(split((index) => {
      const done = reply(threads[index]);
      threads[index].postMessage({ counter, index });
      return done;
    })));
    await Promise.all(threads.map((w) => w.terminate()));
  }
  {
    const PENDING = THREADS;
    const WORK = THREADS + 1;
    const control = new Int32Array(new SharedArrayBuffer(4 * (THREADS + 2)));
    const threads = Array.from({ length: THREADS }, (_, thread) => new Worker(fixture('atomics-thread.mjs'), { workerData: { control, thread, PENDING, WORK } }));
    await new Promise((r) => setTimeout(r, 200));
    const wake = () => {
      Atomics.store(control, PENDING, THREADS);
      for (let t = 0; t < THREADS; t++) {
        Atomics.add(control, t, 1);
        Atomics.notify(control, t);
      }
    };
    add('hand-written Atomics.notify + waitAsync', await perCall(async () => {
      wake();
      for (let v = Atomics.load(control, PENDING); v !== 0; v = Atomics.load(control, PENDING)) {
        await (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { value: Promise<string> | string } }).waitAsync(control, PENDING, v).value;
      }
    }));
    add('hand-written Atomics.notify + wait (blocking caller)', await perCall(async () => {
      wake();
      for (let v = Atomics.load(control, PENDING); v !== 0; v = Atomics.load(control, PENDING)) Atomics.wait(control, PENDING, v);
    }));
    for (let t = 0; t < THREADS; t++) {
      Atomics.store(control, t, -1);
      Atomics.notify(control, t);
    }
    await Promise.all(threads.map((w) => w.terminate()));
  }
  return rows;
}

function conv(ci: number, co: number, h: number, w: number) {
  return normalizeConv1x1({ inputShape: [1, ci, h, w], weights: { data: seeded(co * ci, 2), shape: [co, ci] }, bias: seeded(co, 3) });
}

async function backendOverhead(kernel: MicrokernelKind, callerComputes: boolean): Promise<string[]> {
  const request = conv(8, 8, 4, 4);
  const pooled = new WorkersBackend({ threads: THREADS, kernel, callerComputes, minParallelFlops: 0 });
  const direct = new WorkersBackend({ threads: THREADS, kernel, callerComputes, minParallelFlops: Number.MAX_SAFE_INTEGER });
  await Promise.all([pooled.init(), direct.init()]);
  const [a, b] = await Promise.all([pooled.prepare(request), direct.prepare(request)]);
  const x = zerosTensor(request.geometry.inputShape);
  const out = zerosTensor(request.geometry.outputShape);
  const p = await perCall(() => a.run(x, out));
  const d = await perCall(() => b.run(x, out));
  await Promise.all([pooled.dispose(), direct.dispose()]);
  return [kernel, String(callerComputes), p.median.toFixed(1), d.median.toFixed(1), (p.median - d.median).toFixed(1)];
}

async function threshold(kernel: MicrokernelKind): Promise<string[][]> {
  const single = new CpuTiledBackend({ kernel });
  const workers = new WorkersBackend({ threads: THREADS, kernel, minParallelFlops: 0 });
  await Promise.all([single.init(), workers.init()]);
  const rows: string[][] = [];
  for (const pixels of [16, 64, 128, 256, 512, 768, 1024, 1536, 2048, 4096]) {
    const request = conv(64, 64, pixels / 16, 16);
    const [a, b] = await Promise.all([single.prepare(request), workers.prepare(request)]);
    const x = zerosTensor(request.geometry.inputShape);
    x.data.set(seeded(x.data.length, 1));
    const out = zerosTensor(request.geometry.outputShape);
    const [ta, tb] = await timePair(() => a.run(x, out), () => b.run(x, out), 200, 0.4, 50);
    rows.push([kernel, (request.geometry.flops / 1e6).toFixed(2), (ta.median * 1000).toFixed(0), (tb.median * 1000).toFixed(0), `${(ta.median / tb.median).toFixed(2)}×`]);
    a.dispose();
    b.dispose();
  }
  await Promise.all([single.dispose(), workers.dispose()]);
  return rows;
}

console.log(`Node ${process.version}, ${THREADS} threads\n\nA. no-op call split over ${THREADS} threads (µs per call)\n`);
console.log(markdownTable([['dispatch', 'median µs', 'min µs'], ...(await libraries())]));
console.log('\nB. this backend: tiny run (8→8 @4×4) pooled vs on the calling thread (µs per call)\n');
const overhead = [['kernel', 'callerComputes', 'pooled µs', 'calling thread µs', 'dispatch overhead µs']];
for (const kernel of ['js', 'wasm-simd'] as const) for (const caller of [true, false]) overhead.push(await backendOverhead(kernel, caller));
console.log(markdownTable(overhead));
console.log('\nC. small-work threshold: 64→64 convolutions, cpu-tiled vs workers (every run pooled)\n');
console.log(markdownTable([['kernel', 'MFLOP', 'cpu-tiled µs', 'workers µs', 'speedup'], ...(await threshold('js')), ...(await threshold('wasm-simd'))]));
