/**
 * The in-page half of the browser bench (see `bench.mjs`; with `--node` it runs
 * in Node instead, for the same measurement there): cpu-tiled on one
 * thread and workers on the page's main thread plus pool Web Workers, on the
 * same layers, interleaved round by round so load from other processes hits
 * every contender alike. A sample times a batch of runs (`await op.run(x,
 * out)` on shared tensors, as the bench app does), long enough that the
 * browser's coarsened `performance.now()` (5 µs when cross-origin isolated)
 * does not matter. Every contender's output is checked against the float64
 * reference before timing, and workers bit for bit against cpu-tiled of the
 * same kernel.
 */
import { BackendRegistry, checkAccuracy, describeAccuracy, normalizeConv1x1, prepareConv1x1, referenceConv1x1, zerosTensor } from '@pointwise/core';
import { registerCpuTiledBackend } from '@pointwise/backend-cpu-tiled';
import { registerWorkersBackend } from '@pointwise/backend-workers';
import { pseudoRandom } from './pseudo-random.js';

function sameBits(a, b) {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return false;
  return true;
}

const median = (values) => values.slice().sort((a, b) => a - b)[values.length >> 1];

/**
 * Times each contender on each layer.
 * @param layers `{ ci, co, hw, layout? }` (NCHW by default; batch 1, stride 1, no bias).
 * @param contenders `{ label, backend: 'cpu-tiled' | 'workers', options, module? }` (backend options; `module`: the URL of another build of this package's `index.js` to register workers from).
 * @param settings `{ rounds, sampleMs }`: rounds of one sample per contender, each sample ≈ `sampleMs` of runs.
 * @returns rows `{ layer, mflop, label, medianUs, samples, details, ok, problem? }`.
 */
export async function runBench(layers, contenders, { rounds = 9, sampleMs = 40 } = {}) {
  const rows = [];
  const registries = [];
  for (const c of contenders) {
    const registry = new BackendRegistry();
    if (c.backend === 'cpu-tiled') registerCpuTiledBackend(registry, c.options);
    // `module`: another build of this package (a before/after comparison), else this one.
    else (c.module === undefined ? registerWorkersBackend : (await import(c.module)).registerWorkersBackend)(registry, c.options);
    registries.push(registry);
  }
  for (const layer of layers) {
    const layout = layer.layout ?? 'NCHW';
    const shape = [1, layer.ci, layer.hw, layer.hw];
    const problem = { inputShape: shape, inputLayout: layout, weights: { data: pseudoRandom(layer.co * layer.ci, 7), shape: [layer.co, layer.ci] } };
    const normalized = normalizeConv1x1(problem);
    const x = zerosTensor(shape, layout, true);
    x.data.set(pseudoRandom(x.data.length, 3));
    const reference = referenceConv1x1(normalized.geometry, x.data, normalized.weights, normalized.bias);
    const name = `${layer.ci}→${layer.co} @${layer.hw}² ${layout}`;
    const prepared = [];
    for (let i = 0; i < contenders.length; i++) {
      const op = await prepareConv1x1(problem, { backend: contenders[i].backend, strict: true, registry: registries[i] });
      const out = zerosTensor(op.geometry.outputShape, op.geometry.outputLayout, true);
      await op.run(x, out);
      const report = checkAccuracy(out.data, reference, { k: normalized.geometry.inChannelsPerGroup });
      prepared.push({ op, out, problem: report.failureCount > 0 ? describeAccuracy(report) : undefined, samples: [], batch: 1 });
    }
    // Workers must give cpu-tiled's bits for the same microkernel.
    for (const p of prepared) {
      const twin = prepared.find((q) => q.op.info.backend === 'cpu-tiled' && q.op.info.details.microkernel === p.op.info.details.microkernel);
      if (twin !== undefined && !sameBits(twin.out.data, p.out.data)) p.problem = `${p.problem ?? ''} not bit-identical to cpu-tiled`.trim();
    }
    // Batch sizes: enough runs for ≈ sampleMs per sample.
    for (const p of prepared) {
      let n = 1;
      for (;;) {
        const start = performance.now();
        for (let i = 0; i < n; i++) await p.op.run(x, p.out);
        const ms = performance.now() - start;
        if (ms >= sampleMs / 4 || n >= 1 << 20) {
          p.batch = Math.max(1, Math.round((n * sampleMs) / Math.max(ms, 0.001)));
          break;
        }
        n *= 4;
      }
    }
    for (let r = 0; r < rounds; r++) {
      for (const p of prepared) {
        const start = performance.now();
        for (let i = 0; i < p.batch; i++) await p.op.run(x, p.out);
        p.samples.push(((performance.now() - start) * 1000) / p.batch);
      }
    }
    prepared.forEach((p, i) => {
      rows.push({
        layer: name,
        mflop: normalized.geometry.flops / 1e6,
        label: contenders[i].label,
        medianUs: median(p.samples),
        samples: p.samples,
        batch: p.batch,
        details: p.op.info.details,
        ok: p.problem === undefined,
        ...(p.problem === undefined ? {} : { problem: p.problem }),
      });
      p.op.dispose();
    });
  }
  for (const registry of registries) await registry.dispose();
  const agent = globalThis.navigator?.userAgent ?? `Node ${globalThis.process?.version}`;
  return { environment: { userAgent: agent, crossOriginIsolated: globalThis.crossOriginIsolated, hardwareConcurrency: globalThis.navigator?.hardwareConcurrency }, rows };
}
