/**
 * The in-page half of the browser check (see `run.mjs`): an ES module the
 * served page imports through its import map. `runIsolatedChecks()` runs
 * convolutions on reference, cpu-tiled and workers in this page;
 * `listBackends()` reports what the registry says (for the page served
 * without cross-origin isolation). Both return plain JSON for Node.
 */
import { BackendRegistry, checkAccuracy, createTensor, describeAccuracy, normalizeConv1x1, prepareConv1x1, referenceConv1x1, registerReferenceBackend } from '@pointwise/core';
import { registerCpuTiledBackend } from '@pointwise/backend-cpu-tiled';
import { registerWorkersBackend } from '@pointwise/backend-workers';
import { pseudoRandom } from './pseudo-random.js';

/**
 * The layers checked: the small one (below both small-work thresholds, runs on
 * the calling thread) and larger ones that must be dispatched to the pool.
 */
const CASES = [
  { name: '64→32 @16² NHWC→NCHW s2 p1 g2 relu6', shape: [1, 64, 16, 16], co: 32, inputLayout: 'NHWC', outputLayout: 'NCHW', stride: 2, padding: 1, groups: 2, activation: 'relu6', pooled: false },
  { name: '128→128 @28² NHWC→NCHW s1 p[1,2] g2 relu6', shape: [1, 128, 28, 28], co: 128, inputLayout: 'NHWC', outputLayout: 'NCHW', stride: 1, padding: [1, 2], groups: 2, activation: 'relu6', pooled: true },
  { name: '2×96→192 @24² NCHW s2 bias relu', shape: [2, 96, 24, 24], co: 192, inputLayout: 'NCHW', outputLayout: 'NCHW', stride: 2, padding: 0, groups: 1, activation: 'relu', pooled: true, bias: true },
];

function problemOf(c) {
  const k = c.shape[1] / c.groups;
  return {
    inputShape: c.shape,
    inputLayout: c.inputLayout,
    outputLayout: c.outputLayout,
    weights: { data: pseudoRandom(c.co * k, 7), shape: [c.co, k] },
    bias: c.bias ? pseudoRandom(c.co, 11) : null,
    stride: c.stride,
    padding: c.padding,
    groups: c.groups,
    activation: c.activation,
  };
}

function firstBitDifference(a, b) {
  if (a.length !== b.length) return 0;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return i;
  return -1;
}

/** Runs every case on one workers configuration; returns one result row per case. */
async function checkConfiguration(label, workersOptions) {
  const registry = new BackendRegistry();
  registerReferenceBackend(registry);
  registerCpuTiledBackend(registry, workersOptions.kernel === undefined ? {} : { kernel: workersOptions.kernel });
  registerWorkersBackend(registry, workersOptions);
  const rows = [];
  const listing = await registry.list();
  const workersListing = listing.find((l) => l.name === 'workers');
  if (!workersListing?.available) rows.push({ configuration: label, case: 'probe', failures: [`workers unavailable: ${workersListing?.reason}`] });
  for (const c of CASES) {
    const failures = [];
    const problem = problemOf(c);
    const x = createTensor(pseudoRandom(c.shape.reduce((a, b) => a * b, 1), 3), c.shape, c.inputLayout);
    const workers = await prepareConv1x1(problem, { backend: 'workers', strict: true, registry });
    const tiled = await prepareConv1x1(problem, { backend: 'cpu-tiled', strict: true, registry });
    const reference = await prepareConv1x1(problem, { backend: 'reference', strict: true, registry });
    const actual = await workers.run(x);
    // Twice: the second run finds the pool thread spinning or asleep, the other dispatch path.
    const again = await workers.run(x);
    const expected = await tiled.run(x);
    await reference.run(x);
    const normalized = normalizeConv1x1(problem);
    const ref = referenceConv1x1(normalized.geometry, x.data, normalized.weights, normalized.bias);
    const report = checkAccuracy(actual.data, ref, { k: normalized.geometry.inChannelsPerGroup });
    if (report.failureCount > 0) failures.push(`accuracy: ${describeAccuracy(report)}`);
    const at = firstBitDifference(actual.data, expected.data);
    if (at >= 0) failures.push(`not bit-identical to cpu-tiled at ${at}: ${actual.data[at]} vs ${expected.data[at]}`);
    const atAgain = firstBitDifference(again.data, expected.data);
    if (atAgain >= 0) failures.push(`second run not bit-identical to cpu-tiled at ${atAgain}`);
    if (actual.layout !== c.outputLayout) failures.push(`output layout ${actual.layout}, expected ${c.outputLayout}`);
    const d = workers.info.details;
    // A layer below the small-work threshold runs on the calling thread alone.
    const threads = c.pooled ? 2 : 1;
    const dispatch = c.pooled ? 'pool' : 'calling-thread';
    if (d.threads !== threads) failures.push(`details.threads = ${d.threads}, expected ${threads}`);
    if (d.dispatch !== dispatch) failures.push(`details.dispatch = ${d.dispatch}, expected ${dispatch}`);
    if (workersOptions.kernel !== undefined && d.kernel !== workersOptions.kernel) failures.push(`details.kernel = ${d.kernel}, expected ${workersOptions.kernel}`);
    if (workers.info.backend !== 'workers') failures.push(`ran on ${workers.info.backend}`);
    rows.push({ configuration: label, case: c.name, worstRatio: report.worstRatio, details: d, failures });
    workers.dispose();
    tiled.dispose();
    reference.dispose();
  }
  const backend = await registry.get('workers');
  // A run may complete before the pool thread's reply arrives; the replies must still come.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const stats = backend.stats();
  const statsFailures = [];
  if (stats.pool?.threads !== 1) statsFailures.push(`pool threads ${stats.pool?.threads}, expected 1 (2 threads, the calling one computing)`);
  if (stats.pool?.inFlight !== 0) statsFailures.push(`${stats.pool?.inFlight} runs still in flight 200 ms after the last`);
  if (stats.pooledRuns !== 2 * CASES.filter((c) => c.pooled).length) statsFailures.push(`${stats.pooledRuns} pooled runs`);
  rows.push({ configuration: label, case: 'stats', details: { ...stats, pool: JSON.stringify(stats.pool) }, failures: statsFailures });
  await backend.dispose();
  return rows;
}

/** The cross-origin isolated page: every configuration, every case. */
export async function runIsolatedChecks() {
  const rows = [];
  const environment = { crossOriginIsolated: globalThis.crossOriginIsolated, sharedArrayBuffer: typeof SharedArrayBuffer, hardwareConcurrency: navigator.hardwareConcurrency };
  for (const [label, options] of [
    ['workers threads 2, kernel js', { threads: 2, kernel: 'js' }],
    ['workers threads 2, default kernel', { threads: 2 }],
  ]) {
    try {
      rows.push(...(await checkConfiguration(label, options)));
    } catch (error) {
      rows.push({ configuration: label, case: 'setup', failures: [`threw ${error?.stack ?? error}`] });
    }
  }
  return { environment, rows };
}

/** The page without cross-origin isolation: what the registry reports. */
export async function listBackends() {
  const registry = new BackendRegistry();
  registerReferenceBackend(registry);
  registerCpuTiledBackend(registry);
  registerWorkersBackend(registry, { threads: 2 });
  return { crossOriginIsolated: globalThis.crossOriginIsolated, listing: await registry.list() };
}
