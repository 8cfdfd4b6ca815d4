/**
 * A test page for gpu.js's `webgpu` mode (built and opened by gpujs-webgpu-session.mjs): the packed WGSL
 * kernel against the float64 reference, device-resident chains, the resident lifecycle, and the kernel
 * comparison that gpujs-webgpu-bench.mjs prints. Every function returns plain JSON for `page.evaluate`.
 */
import {
  BackendRegistry,
  DisposedError,
  InvalidArgumentError,
  checkAccuracy,
  createTensor,
  normalizeConv1x1,
  prepareConv1x1,
  referenceConv1x1,
  type Conv1x1Operator,
  type Conv1x1Problem,
  type ResidentTensor,
  type Shape4D,
  type Tensor,
} from '@pointwise/core';
import { GpujsBackend, type GpujsKernelOption } from '@pointwise/backend-gpujs';
import { registerAllBackends } from '@pointwise/backends';

/** Uniform values in [−1, 1) from a 32-bit linear congruential sequence (deterministic test data). */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}

function problem(inputShape: Shape4D, co: number, seed: number, options: Partial<Conv1x1Problem> & { withBias?: boolean } = {}): Conv1x1Problem {
  const { withBias, ...rest } = options;
  const k = inputShape[1] / (rest.groups ?? 1);
  return { ...rest, inputShape, weights: { data: values(co * k, seed), shape: [co, k] }, bias: withBias ? values(co, seed + 1) : null };
}

function input(p: Conv1x1Problem, seed: number): Tensor {
  const [n, c, h, w] = p.inputShape;
  return createTensor(values(n * c * h * w, seed), p.inputShape, p.inputLayout ?? 'NCHW');
}

/** A registry with one gpujs backend in webgpu mode (a fresh gpu.js instance per registry). */
function registry(kernel: GpujsKernelOption = 'auto'): BackendRegistry {
  const r = new BackendRegistry();
  r.register('gpujs', () => new GpujsBackend({ mode: 'webgpu', kernel }));
  return r;
}

/** Worst error / bound of `out` against the float64 reference for input `x` (bound: core's model, the op's precision factor). */
function worst(op: Conv1x1Operator, p: Conv1x1Problem, x: Float32Array, out: Float32Array): { worstRatio: number; failures: number } {
  const { geometry, weights, bias } = normalizeConv1x1(p);
  const report = checkAccuracy(out, referenceConv1x1(geometry, x, weights, bias), { k: geometry.inChannelsPerGroup, precisionFactor: op.capabilities.precisionFactor });
  return { worstRatio: report.worstRatio, failures: report.failureCount };
}

/** Geometries covering each branch of the WGSL generator; the last two packed per group (host runs only). */
const GEOMETRIES: [string, Conv1x1Problem][] = [
  ['plain NCHW', problem([1, 16, 5, 7], 12, 1)],
  ['NHWC, Ci and Co not multiples of 4, batch 2', problem([2, 70, 6, 10], 5, 2, { inputLayout: 'NHWC', outputLayout: 'NHWC' })],
  ['stride 2, padding, bias, relu6', problem([1, 8, 9, 7], 8, 3, { stride: 2, padding: [1, 0, 2, 3], withBias: true, activation: 'relu6' })],
  ['groups 2, K = 8, clamp, NCHW → NHWC', problem([1, 16, 7, 6], 8, 4, { groups: 2, padding: 1, withBias: true, activation: { type: 'clamp', min: -0.5, max: 0.25 }, outputLayout: 'NHWC' })],
  ['MobileNetV2 96→576 @ 14×14, bias, relu6', problem([1, 96, 14, 14], 576, 6, { withBias: true, activation: 'relu6' })],
  ['groups 2, K = 6, Co/g = 4 (packed per group)', problem([1, 12, 5, 5], 8, 5, { groups: 2 })],
  ['groups 3, K = 5, Co/g = 3, NHWC, padding, bias, relu6 (packed per group)', problem([2, 15, 7, 5], 9, 8, { groups: 3, inputLayout: 'NHWC', outputLayout: 'NHWC', padding: 1, withBias: true, activation: 'relu6' })],
];

/** Per geometry: the kernel that ran, and host-run and resident-run results against the reference. */
async function conformance(): Promise<object[]> {
  const r = registry();
  const rows: object[] = [];
  try {
    for (const [name, p] of GEOMETRIES) {
      const op = await prepareConv1x1(p, { backend: 'gpujs', strict: true, registry: r });
      const x = input(p, 9);
      const host = await op.run(x);
      const row: Record<string, unknown> = { name, variant: op.info.details.variant, kernel: op.info.details.kernel, canRunResident: op.canRunResident, ...worst(op, p, x.data, host.data) };
      if (op.canRunResident) {
        const resident = await op.runResident(x);
        const read = await resident.read();
        row.residentEqualsHost = read.data.every((v, i) => Object.is(v, host.data[i]));
        resident.dispose();
      }
      rows.push(row);
      op.dispose();
    }
  } finally {
    await r.dispose();
  }
  return rows;
}

/**
 * What the conformance matrix's `gpujs[webgpu]` row runs: the configuration resolved by name on a registry
 * filled by `registerAllBackends` (as the app page does), and `gpujs[webgpu]` with `kernel: 'scalar'` for contrast.
 */
async function configurations(): Promise<object[]> {
  const all = new BackendRegistry();
  await registerAllBackends(all);
  const scalar = registry('scalar');
  const p = GEOMETRIES[2]![1];
  const x = input(p, 31);
  const rows: object[] = [];
  try {
    for (const [name, options] of [
      ['gpujs[webgpu] (registerAllBackends)', { backend: 'gpujs[webgpu]', strict: true, registry: all }],
      ["gpujs webgpu, kernel: 'scalar'", { backend: 'gpujs', strict: true, registry: scalar }],
    ] as const) {
      const op = await prepareConv1x1(p, options);
      rows.push({ name, variant: op.info.details.variant, kernel: op.info.details.kernel, ...worst(op, p, x.data, (await op.run(x)).data) });
      op.dispose();
    }
  } finally {
    await all.dispose();
    await scalar.dispose();
  }
  return rows;
}

/**
 * Three layers chained on the device (NHWC, 14×14: 24 → 144 relu6 → 24 → 96 bias), one read at the end,
 * against the same operators run with host tensors between layers; and each layer's host output within the
 * bound of the reference of its own input.
 */
async function chain(): Promise<object> {
  const r = registry();
  try {
    const layers = [
      problem([1, 24, 14, 14], 144, 11, { inputLayout: 'NHWC', outputLayout: 'NHWC', activation: 'relu6' }),
      problem([1, 144, 14, 14], 24, 12, { inputLayout: 'NHWC', outputLayout: 'NHWC' }),
      problem([1, 24, 14, 14], 96, 13, { inputLayout: 'NHWC', outputLayout: 'NHWC', withBias: true }),
    ];
    const ops: Conv1x1Operator[] = [];
    for (const p of layers) ops.push(await prepareConv1x1(p, { backend: 'gpujs', strict: true, registry: r }));
    const x = input(layers[0]!, 14);
    const perLayer: { worstRatio: number; failures: number }[] = [];
    let host = x;
    for (const [i, op] of ops.entries()) {
      const next = await op.run(host);
      perLayer.push(worst(op, layers[i]!, host.data, next.data));
      host = next;
    }
    const held: ResidentTensor[] = [];
    let t: Tensor | ResidentTensor = x;
    for (const op of ops) {
      t = await op.runResident(t);
      held.push(t);
    }
    const resident = await (t as ResidentTensor).read();
    for (const h of held) h.dispose();
    const differing = resident.data.reduce((n, v, i) => n + (Object.is(v, host.data[i]) ? 0 : 1), 0);
    return { perLayer, differing, values: resident.data.length, variants: ops.map((o) => o.info.details.variant) };
  } finally {
    await r.dispose();
  }
}

/** The resident lifecycle: read twice / into `out`, dispose, operator dispose, another instance's tensor. */
async function lifecycle(): Promise<Record<string, unknown>> {
  const a = registry();
  const b = registry();
  const p = problem([1, 8, 4, 4], 8, 21, { withBias: true });
  const q = problem([1, 8, 4, 4], 4, 22);
  try {
    const op = await prepareConv1x1(p, { backend: 'gpujs', strict: true, registry: a });
    const next = await prepareConv1x1(q, { backend: 'gpujs', strict: true, registry: a });
    const other = await prepareConv1x1(q, { backend: 'gpujs', strict: true, registry: b });
    const x = input(p, 23);
    const expected = await op.run(x);
    const r = await op.runResident(x);
    const first = await r.read();
    const out = createTensor(new Float32Array(expected.data.length), expected.shape, expected.layout);
    await r.read(out);
    const name = (e: unknown) => (e instanceof DisposedError ? 'DisposedError' : e instanceof InvalidArgumentError ? 'InvalidArgumentError' : String(e));
    const otherInstance = await other.runResident(r).then(() => 'accepted', name);
    const chained = await (await next.runResident(r)).read();
    const chainedExpected = await next.run(expected);
    r.dispose();
    const afterDispose = await r.read().then(() => 'read', name);
    const kept = await op.runResident(x);
    op.dispose();
    const afterOperatorDispose = { disposed: kept.disposed, read: await kept.read().then(() => 'read', name) };
    return {
      readEqualsRun: first.data.every((v, i) => Object.is(v, expected.data[i])),
      readIntoOut: out.data.every((v, i) => Object.is(v, expected.data[i])),
      otherInstance,
      chainedEqualsHost: chained.data.every((v, i) => Object.is(v, chainedExpected.data[i])),
      afterDispose,
      afterOperatorDispose,
    };
  } finally {
    await a.dispose();
    await b.dispose();
  }
}

/**
 * The kernel comparison on this browser's WebGPU adapter: per layer (NCHW, bias, relu6) the packed WGSL kernel
 * against gpu.js's scalar kernel (`kernel: 'scalar'`), both checked against the reference first, then timed
 * with readback (`run`), reps interleaved (the order alternates), median; then a 6-layer stack chained on
 * the device with one read at the end against the same operators with readback after every layer.
 */
async function bench(reps: number): Promise<object> {
  const layers: [string, number, number, number, number][] = [
    ['MobileNetV2 96→576 @14²', 14, 14, 96, 576],
    ['MobileNetV2 160→960 @7²', 7, 7, 160, 960],
    ['ResNet-50 64→64 @56²', 56, 56, 64, 64],
    ['ResNet-50 128→512 @28²', 28, 28, 128, 512],
  ];
  const rows: object[] = [];
  for (const [name, h, w, ci, co] of layers) {
    const p = problem([1, ci, h, w], co, 7, { withBias: true, activation: 'relu6' });
    const x = input(p, 9);
    const registries = { scalar: registry('scalar'), packed: registry('auto') };
    const ops = {
      scalar: await prepareConv1x1(p, { backend: 'gpujs', strict: true, registry: registries.scalar }),
      packed: await prepareConv1x1(p, { backend: 'gpujs', strict: true, registry: registries.packed }),
    };
    const checks: Record<string, number> = {};
    for (const [k, op] of Object.entries(ops)) {
      const { worstRatio, failures } = worst(op, p, x.data, (await op.run(x)).data);
      if (failures > 0) throw new Error(`${name} ${k}: ${failures} values outside the bound`);
      checks[k] = worstRatio;
      await op.run(x);
    }
    const times: Record<'scalar' | 'packed', number[]> = { scalar: [], packed: [] };
    for (let rep = 0; rep < reps; rep++) {
      for (const k of rep % 2 === 0 ? (['scalar', 'packed'] as const) : (['packed', 'scalar'] as const)) {
        const t = performance.now();
        await ops[k].run(x);
        times[k].push(performance.now() - t);
      }
    }
    rows.push({ name, mflop: (2 * co * ci * h * w) / 1e6, variants: [ops.scalar.info.details.variant, ops.packed.info.details.variant], worstRatio: checks, times });
    await registries.scalar.dispose();
    await registries.packed.dispose();
  }
  // MobileNetV2-style stack at 14×14: 3 × (64 → 384 relu6, 384 → 64), NCHW.
  const stack: Conv1x1Problem[] = [];
  for (let b = 0; b < 3; b++) stack.push(problem([1, 64, 14, 14], 384, 20 + 2 * b, { activation: 'relu6' }), problem([1, 384, 14, 14], 64, 21 + 2 * b));
  const r = registry();
  const ops: Conv1x1Operator[] = [];
  for (const p of stack) ops.push(await prepareConv1x1(p, { backend: 'gpujs', strict: true, registry: r }));
  const x0 = input(stack[0]!, 30);
  const hostChain = async () => {
    let t = x0;
    for (const op of ops) t = await op.run(t);
    return t;
  };
  const residentChain = async () => {
    let t: Tensor | ResidentTensor = x0;
    const held: ResidentTensor[] = [];
    for (const op of ops) {
      t = await op.runResident(t);
      held.push(t);
    }
    const out = await (t as ResidentTensor).read();
    for (const h of held) h.dispose();
    return out;
  };
  const a = await hostChain();
  const b = await residentChain();
  if (a.data.some((v, i) => !Object.is(v, b.data[i]))) throw new Error('the resident chain differs from the host chain');
  const chainTimes: Record<'host' | 'resident', number[]> = { host: [], resident: [] };
  for (let rep = 0; rep < reps; rep++) {
    for (const k of rep % 2 === 0 ? (['host', 'resident'] as const) : (['resident', 'host'] as const)) {
      const t = performance.now();
      await (k === 'host' ? hostChain() : residentChain());
      chainTimes[k].push(performance.now() - t);
    }
  }
  await r.dispose();
  const stackMflop = stack.reduce((s, p) => s + (2 * p.weights.shape[0] * p.weights.shape[1] * 14 * 14) / 1e6, 0);
  return { rows, chain: { layers: stack.length, mflop: stackMflop, times: chainTimes } };
}

/** The WebGPU adapter this page sees (SwiftShader in headless Chromium with --enable-unsafe-webgpu), or why none. */
async function adapter(): Promise<string> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: Record<string, string> } | null> } }).gpu;
  if (gpu === undefined) return 'no navigator.gpu';
  const a = await gpu.requestAdapter();
  if (a === null) return 'no adapter';
  const info = a.info ?? {};
  return [info.vendor, info.architecture, info.device, info.description].filter((s) => s).join(' / ') || 'adapter (no info)';
}

Object.assign(window, { gpujsWebgpu: { adapter, conformance, configurations, chain, lifecycle, bench } });
document.body.dataset.ready = 'true';
