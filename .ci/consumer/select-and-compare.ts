// A library user's program, type-checked with `tsc --strict` against the installed tarballs and run by
// .ci/consumer-check.sh: selects backends at run time three ways (by name, by a preference list with
// per-entry options, by POINTWISE_BACKEND), runs the 56×56×512 → 56×56×1024 example on each, and holds
// every output to the float64 reference under the README's accuracy bound and the outputs of two
// different backends to each other.
import {
  BACKEND_ENV_VARIABLE,
  PointwiseError,
  checkAccuracy,
  createTensor,
  describeAccuracy,
  gamma,
  getDefaultRegistry,
  layoutStrides,
  normalizeConv1x1,
  prepareConv1x1,
  referenceConv1x1,
  type BackendEntry,
  type Conv1x1Problem,
  type PrepareOptions,
  type Tensor,
} from '@pointwise/core';
import { registerCpuTiledBackend } from '@pointwise/backend-cpu-tiled';
import { registerGpujsBackend } from '@pointwise/backend-gpujs';
import { registerWorkersBackend } from '@pointwise/backend-workers';

const registry = getDefaultRegistry();
registerCpuTiledBackend(registry);
registerWorkersBackend(registry);
registerGpujsBackend(registry);

// Backend names and options are typed: a misspelling is a compile error, not a run-time surprise.
// @ts-expect-error 'cpu-tild' is not a registered backend name
const misspelledName: BackendEntry = 'cpu-tild';
// @ts-expect-error 'therads' is not an option of the workers backend
const misspelledOption: BackendEntry = { name: 'workers', therads: 4 };
void misspelledName;
void misspelledOption;

for (const listing of await registry.list()) {
  console.log(`backend ${listing.name} (priority ${listing.priority}): ${listing.available ? 'available' : `unavailable: ${listing.reason}`}`);
}

/** Deterministic data in [-1, 1) (a 32-bit LCG), so every run checks the same numbers. */
function seeded(length: number, seed: number): Float32Array {
  const out = new Float32Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

const [N, Ci, H, W, Co] = [1, 512, 56, 56, 1024];
const problem: Conv1x1Problem = {
  inputShape: [N, Ci, H, W],
  inputLayout: 'NHWC',
  weights: { data: seeded(Co * Ci, 1), shape: [Co, Ci] },
  bias: seeded(Co, 2),
  activation: 'relu6',
};
const x: Tensor = createTensor(seeded(N * Ci * H * W, 3), [N, Ci, H, W], 'NHWC');

/**
 * The selections to exercise, as data: a new form (another list entry, another option) is one more line.
 * The environment selection reads POINTWISE_BACKEND as the process got it (the check sets it).
 */
const envSelection = process.env[BACKEND_ENV_VARIABLE];
if (!envSelection) throw new Error(`set ${BACKEND_ENV_VARIABLE} (e.g. 'gpujs[cpu],cpu-tiled[wasm-simd]') to run this check`);
const selections: ReadonlyArray<{ readonly label: string; readonly options: PrepareOptions }> = [
  { label: 'by name', options: { backend: 'cpu-tiled', strict: true } },
  { label: 'by preference list', options: { backend: ['gpujs[webgl2]', { name: 'workers', threads: 2 }, 'cpu-tiled'] } },
  { label: `by ${BACKEND_ENV_VARIABLE}=${envSelection}`, options: {} },
];

/** The first `count` output channels of `y`, packed in `y`'s layout (as the reference of a `count`-channel problem). */
function firstChannels(y: Tensor, count: number): Float32Array {
  const [n, , h, w] = y.shape;
  const from = layoutStrides(y.shape, y.layout);
  const to = layoutStrides([n, count, h, w], y.layout);
  const out = new Float32Array(n * count * h * w);
  for (let b = 0; b < n; b++)
    for (let c = 0; c < count; c++)
      for (let i = 0; i < h; i++)
        for (let j = 0; j < w; j++) out[b * to.n + c * to.c + i * to.h + j * to.w] = y.data[b * from.n + c * from.c + i * from.h + j * from.w];
  return out;
}

// The float64 reference of the full problem costs seconds; that of its first 32 output channels (every
// input channel and pixel) holds each backend to the README's bound at a thirty-second of the cost.
const CHECKED = 32;
const normalized = normalizeConv1x1(problem);
let started = performance.now();
const reference = referenceConv1x1(
  normalizeConv1x1({ ...problem, weights: { data: normalized.weights.subarray(0, CHECKED * Ci), shape: [CHECKED, Ci] }, bias: normalized.bias?.subarray(0, CHECKED) ?? null }).geometry,
  x.data,
  normalized.weights.subarray(0, CHECKED * Ci),
  normalized.bias?.subarray(0, CHECKED) ?? null,
);
console.log(`float64 reference of output channels 0-${CHECKED - 1}: ${(performance.now() - started).toFixed(0)} ms`);

const outputs: { readonly label: string; readonly backend: string; readonly y: Tensor; readonly precisionFactor: number }[] = [];
let failed = false;
for (const { label, options } of selections) {
  const fallbacks: string[] = [];
  const op = await prepareConv1x1(problem, { ...options, onFallback: (a) => fallbacks.push(`${a.backend}: ${a.reason}`) });
  try {
    const t0 = performance.now();
    const y = await op.run(x);
    const ms = performance.now() - t0;
    const report = checkAccuracy(firstChannels(y, CHECKED), reference, { k: Ci, precisionFactor: op.capabilities.precisionFactor });
    console.log(`${label}: ran on ${op.info.configuration ?? op.backend} in ${ms.toFixed(0)} ms, y.shape [${y.shape.join(', ')}]; channels 0-${CHECKED - 1}: ${describeAccuracy(report)}`);
    for (const line of fallbacks) console.log(`  skipped ${line}`);
    if (report.failureCount > 0) failed = true;
    outputs.push({ label, backend: op.backend, y, precisionFactor: op.capabilities.precisionFactor });
  } finally {
    op.dispose();
  }
}

// Two different backends agree on every element: each lies within the bound of the exact result, so
// they differ by at most the sum of both bounds. The magnitudes |b| + Σ|w·x| come from a convolution of
// |x| with |w| and |b| (no activation) on cpu-tiled, raised by γ(K+1) for its own float32 rounding.
const first = outputs[0];
const others = outputs.filter((o, i) => o.backend !== first.backend && outputs.findIndex((p) => p.backend === o.backend) === i);
if (others.length === 0) {
  console.error('FAIL: every selection ran on the same backend; nothing to compare');
  failed = true;
} else {
  const abs = (a: Float32Array): Float32Array => {
    const out = new Float32Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = Math.abs(a[i]);
    return out;
  };
  const magnitudeOp = await prepareConv1x1(
    { ...problem, weights: { data: abs(normalized.weights), shape: [Co, Ci] }, bias: normalized.bias && abs(normalized.bias), activation: 'none' },
    { backend: 'cpu-tiled', strict: true },
  );
  const magnitude32 = (await magnitudeOp.run(createTensor(abs(x.data), x.shape, x.layout))).data;
  magnitudeOp.dispose();
  const magnitudes = new Float64Array(magnitude32.length);
  const raise = 1 + gamma(Ci + 1);
  for (let i = 0; i < magnitudes.length; i++) magnitudes[i] = magnitude32[i] * raise;
  const values = new Float64Array(first.y.data);
  for (const other of others) {
    started = performance.now();
    const report = checkAccuracy(other.y.data, { values, magnitudes }, { k: Ci, precisionFactor: first.precisionFactor + other.precisionFactor });
    let maxDiff = 0;
    for (let i = 0; i < values.length; i++) maxDiff = Math.max(maxDiff, Math.abs(values[i] - other.y.data[i]));
    console.log(`${other.backend} vs ${first.backend}, every element: max |difference| ${maxDiff.toExponential(2)}; ${describeAccuracy(report)} (${(performance.now() - started).toFixed(0)} ms)`);
    if (report.failureCount > 0) failed = true;
  }
}

// Errors carry a stable `code` (names may be minified in a bundle).
try {
  await prepareConv1x1({ ...problem, weights: { data: new Float32Array(4), shape: [Co, Ci] } }, { backend: 'cpu-tiled' });
  console.error('FAIL: a wrong weights length was accepted');
  failed = true;
} catch (error) {
  if (!PointwiseError.isInstance(error)) throw error;
  console.log(`bad weights: ${error.code}`);
}

await registry.dispose();
if (failed) process.exit(1);
console.log('consumer check (TypeScript): ok');
