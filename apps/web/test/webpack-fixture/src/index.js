/**
 * A page as a webpack user writes it: @pointwise/core and @pointwise/backends (every engine package)
 * imported by package name, bundled by `webpack --mode production` with no configuration file. It exposes one probe for
 * the browser test (test/browser-webpack.test.ts): the registry's listing, and one layer run by
 * automatic selection and checked against the float64 reference.
 */
import { checkAccuracy, createTensor, getDefaultRegistry, normalizeConv1x1, prepareConv1x1, referenceConv1x1 } from '@pointwise/core';
import { registerAllBackends } from '@pointwise/backends';

/** Deterministic data in [-1, 1) (a linear congruential sequence; the test checks against the reference, not against stored values). */
function seeded(length, seed) {
  const out = new Float32Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

const registry = getDefaultRegistry();
// Every engine package (cpu-tiled, workers, gpujs), each loaded by a dynamic import webpack splits into its own chunk.
await registerAllBackends(registry);

/** Runs `ci→co @hw²` through automatic selection (or `backend` when given) and checks it against the reference. */
async function run(ci, co, hw, backend) {
  const problem = { inputShape: [1, ci, hw, hw], weights: { data: seeded(co * ci, 7), shape: [co, ci] }, bias: seeded(co, 11), activation: 'relu' };
  const x = seeded(ci * hw * hw, 3);
  const skipped = [];
  const op = await prepareConv1x1(problem, { registry, ...(backend ? { backend } : {}), onFallback: (a) => skipped.push({ backend: String(a.backend), reason: String(a.reason) }) });
  try {
    const y = await op.run(createTensor(x, [1, ci, hw, hw]));
    const { geometry, weights, bias } = normalizeConv1x1(problem);
    const report = checkAccuracy(y.data, referenceConv1x1(geometry, x, weights, bias), { k: ci, precisionFactor: op.capabilities.precisionFactor });
    return { backend: op.backend, details: { ...op.info.details }, skipped, elements: report.elements, failureCount: report.failureCount, worstRatio: report.worstRatio, positive: y.data.filter((v) => v > 0).length };
  } finally {
    op.dispose();
  }
}

window.fixture = {
  isolated: crossOriginIsolated,
  list: async () => (await registry.list()).map(({ name, available, reason }) => ({ name, available, ...(reason === undefined ? {} : { reason }) })),
  run,
};
document.body.dataset.ready = 'true';
