// Memory curve of pooled runs and of operator churn (issue: memory released only on an
// event-loop turn; operators dropped without dispose()). Run after `npx tsc -b`:
//
//   node --expose-gc bench/memory-curve.mjs runs [runs=20000] [kernel=js] [loop=tight|all|immediate] [shared=0|1] [callerComputes=1|0]
//   node --expose-gc bench/memory-curve.mjs churn [cycles=600] [mode=dispose|drop] [kernel=js] [channels=8]
//   (WORKERS_DIST=path/to/index.js measures another build of this package)
//
// Prints RSS / heap (MiB) and the pool's in-flight count at 10 checkpoints, one JSON line each.
import { normalizeConv1x1 } from '@pointwise/core';
const { WorkersBackend } = await import(process.env.WORKERS_DIST ?? '../dist/index.js');

const gc = globalThis.gc ?? (() => {});
const [what = 'runs', countArg, a2, a3, a4, a5] = process.argv.slice(2);
const mib = (bytes) => Math.round((bytes / 1048576) * 10) / 10;

function sample(label, backend, extra = {}) {
  gc();
  const m = process.memoryUsage();
  const pool = backend.stats().pool;
  console.log(JSON.stringify({ label, rssMiB: mib(m.rss), heapMiB: mib(m.heapUsed), externalMiB: mib(m.external + m.arrayBuffers), inFlight: pool?.inFlight ?? null, ...extra }));
}

function problem(ci, co, hw) {
  const weights = new Float32Array(co * ci).map((_, i) => ((i * 7919) % 13) / 13 - 0.5);
  const { geometry } = normalizeConv1x1({ inputShape: [1, ci, hw, hw], weights: { data: weights, shape: [co, ci] } });
  return { geometry, weights, bias: null };
}

function tensor(shape, length, shared) {
  const data = shared ? new Float32Array(new SharedArrayBuffer(length * 4)) : new Float32Array(length);
  for (let i = 0; i < length; i++) data[i] = ((i * 31) % 17) / 17;
  return { shape, layout: 'NCHW', data };
}

if (what === 'runs') {
  const runs = Number(countArg ?? 20000);
  const kernel = a2 ?? 'js';
  const loop = a3 ?? 'tight';
  const shared = a4 === '1';
  const callerComputes = a5 !== '0';
  const backend = new WorkersBackend({ threads: 2, kernel, callerComputes });
  await backend.init();
  const request = problem(64, 64, 32);
  const op = await backend.prepare(request);
  const x = tensor(request.geometry.inputShape, 64 * 1024, shared);
  const out = tensor(request.geometry.outputShape, 64 * 1024, shared);
  const t0 = performance.now();
  sample('start', backend, { kernel, loop, shared, callerComputes, dispatch: op.info.details.dispatch });
  const step = runs / 10;
  for (let done = 0; done < runs; ) {
    if (loop === 'all') {
      const batch = [];
      for (let i = 0; i < 100 && done < runs; i++, done++) batch.push(op.run(x, out));
      await Promise.all(batch);
    } else {
      await op.run(x, out);
      done++;
      if (loop === 'immediate') await new Promise((r) => setImmediate(r));
    }
    if (done % step === 0) sample(`after ${done} runs`, backend);
  }
  op.dispose();
  sample('after op.dispose()', backend, { ms: Math.round(performance.now() - t0) });
  await backend.dispose();
} else {
  const cycles = Number(countArg ?? 600);
  const mode = a2 ?? 'dispose';
  const kernel = a3 ?? 'js';
  const backend = new WorkersBackend({ threads: 2, kernel, minParallelFlops: 0 });
  await backend.init();
  const ci = Number(a4 ?? 8);
  const request = problem(ci, 2 * ci, 8);
  const x = tensor(request.geometry.inputShape, ci * 64, false);
  const out = tensor(request.geometry.outputShape, 2 * ci * 64, false);
  sample('start', backend, { mode, kernel, channels: `${ci}->${2 * ci} @8x8` });
  for (let i = 1; i <= cycles; i++) {
    const op = await backend.prepare(request);
    await op.run(x, out);
    if (mode === 'dispose') op.dispose();
    if (i % (cycles / 10) === 0) {
      // Finalizers run on a later turn of the event loop.
      gc();
      await new Promise((r) => setTimeout(r, 10));
      sample(`after ${i} cycles`, backend, { loaded: backend.stats().pool?.loaded });
    }
  }
  await backend.dispose();
}
