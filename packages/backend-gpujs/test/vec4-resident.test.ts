// Issue 15: the fetch-efficient GL kernel (fetch count from the generated source), one upload per run,
// device-resident results chained without readback, and the renderer policy with injected renderer strings.
import {
  BackendRegistry,
  DisposedError,
  InvalidArgumentError,
  InvalidTensorError,
  ShapeMismatchError,
  checkAccuracy,
  createTensor,
  describeAccuracy,
  normalizeConv1x1,
  prepareConv1x1,
  referenceConv1x1,
  type Conv1x1Operator,
  type Conv1x1Problem,
  type Tensor,
} from '@pointwise/core';
import { seededValues } from '@pointwise/testing';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { GpujsBackend, conv1x1KernelSource, conv1x1Vec4KernelSource, countFetches, type GpujsMode } from '../src/index.js';
import { fakeGpujs } from './fake-gpujs.js';
import { gpujsRegistry, makeProblem } from './helpers.js';

const glProbe = await new GpujsBackend({ mode: 'headlessgl' }).probe();
const glSkipReason = glProbe.available ? '' : glProbe.reason;

/** Geometries that cover every branch of the kernel generators. */
const GEOMETRIES: [string, Conv1x1Problem][] = [
  ['plain NCHW', makeProblem([1, 16, 5, 7], 12, {}, 1)],
  ['NHWC, Ci and Co not multiples of 4', makeProblem([1, 70, 6, 10], 5, { inputLayout: 'NHWC', outputLayout: 'NHWC' }, 2)],
  ['stride 2, padding, bias, relu6', makeProblem([1, 8, 9, 7], 8, { stride: 2, padding: [1, 0, 2, 3], bias: true, activation: 'relu6' }, 3)],
  ['groups 2, K = 8, clamp', makeProblem([1, 16, 7, 6], 8, { groups: 2, padding: 1, bias: true, activation: { type: 'clamp', min: -0.5, max: 0.25 } }, 4)],
];

/** Grouped layers whose K or Co/g is not a multiple of 4: packed per group (blocks padded within each group). */
const PER_GROUP_GEOMETRIES: [string, Conv1x1Problem][] = [
  ['groups 2, K = 6, Co/g = 4', makeProblem([2, 12, 5, 5], 8, { groups: 2 }, 5)],
  ['groups 2, K = 8, Co/g = 6, bias, padding', makeProblem([1, 16, 4, 6], 12, { groups: 2, bias: true, padding: [1, 2, 0, 1] }, 6)],
  ['groups 3, K = 5, Co/g = 3, NHWC, stride 2, relu6', makeProblem([1, 15, 7, 5], 9, { groups: 3, inputLayout: 'NHWC', outputLayout: 'NHWC', stride: 2, bias: true, activation: 'relu6' }, 7)],
];

describe('fetches per multiply-add, counted from the generated kernel source', () => {
  for (const [name, problem] of [...GEOMETRIES, ...PER_GROUP_GEOMETRIES]) {
    it(`${name}: scalar kernel 2, vec4 kernel 5/16 ≤ 0.5`, () => {
      const { geometry } = normalizeConv1x1(problem);
      const scalar = countFetches(conv1x1KernelSource(geometry));
      expect(scalar).toMatchObject({ fetches: 2, multiplyAdds: 1, fetchesPerMultiplyAdd: 2 });
      const vec4 = countFetches(conv1x1Vec4KernelSource(geometry));
      expect(vec4).toMatchObject({ fetches: 5, multiplyAdds: 16 });
      expect(vec4.fetchesPerMultiplyAdd).toBeLessThanOrEqual(0.5);
    });
  }
});

/** Texture reads (gpu.js's sampler helpers) in the `for` loop of a compiled fragment shader. */
function shaderLoopFetches(shader: string): number {
  const start = shader.indexOf('for (int user_k');
  let depth = 0;
  let end = shader.indexOf('{', start);
  for (; end < shader.length; end++) {
    if (shader[end] === '{') depth++;
    else if (shader[end] === '}' && --depth === 0) break;
  }
  return shader.slice(start, end).match(/FromSampler2D\(|getMemoryOptimized32\(|getMemoryOptimizedVec4\(/g)?.length ?? 0;
}

/**
 * Counts `texImage2D` uploads of float data on headless-gl contexts while `counting` is set. Headless-gl binds
 * a context's methods when the context is created, so this must be installed before the backend exists.
 */
function floatUploadCounter(): { counting: boolean; uploads: number; restore(): void } {
  const requireFromGpujs = createRequire(createRequire(import.meta.url).resolve('gpu.js'));
  const createContext = requireFromGpujs('gl') as (w: number, h: number) => object;
  const prototype = Object.getPrototypeOf(createContext(1, 1)) as { texImage2D: (...args: unknown[]) => unknown };
  const original = prototype.texImage2D;
  const counter = {
    counting: false,
    uploads: 0,
    restore: () => {
      prototype.texImage2D = original;
    },
  };
  prototype.texImage2D = function (this: unknown, ...args: unknown[]) {
    if (counter.counting && args.at(-1) instanceof Float32Array) counter.uploads++;
    return original.apply(this, args);
  };
  return counter;
}

function randomInput(problem: Conv1x1Problem, seed: number): Tensor {
  const [n, c, h, w] = problem.inputShape;
  return createTensor(seededValues(n * c * h * w, seed), problem.inputShape, problem.inputLayout ?? 'NCHW');
}

function expectWithinBound(operator: Conv1x1Operator, problem: Conv1x1Problem, input: Float32Array, output: Float32Array, what: string): void {
  const { geometry, weights, bias } = normalizeConv1x1(problem);
  const report = checkAccuracy(output, referenceConv1x1(geometry, input, weights, bias), {
    k: geometry.inChannelsPerGroup,
    precisionFactor: operator.capabilities.precisionFactor,
  });
  expect(report.failureCount, `${what}: ${describeAccuracy(report)}`).toBe(0);
}

describe.skipIf(glSkipReason !== '')(`gpujs headlessgl: vec4 kernel and resident results${glSkipReason ? ` (skipped: ${glSkipReason})` : ''}`, () => {
  it('compiles to a shader whose loop reads 5 textures per step (16 multiply-adds); the scalar one 2 (1)', async () => {
    const requireFromHere = createRequire(import.meta.url);
    const { GPU } = requireFromHere('gpu.js') as { GPU: new (s: object) => { createKernel: (...a: unknown[]) => { kernel: { compiledFragmentShader: string }; build: (...a: unknown[]) => void }; destroy(): void } };
    const gpu = new GPU({ mode: 'headlessgl' });
    const { geometry } = normalizeConv1x1(GEOMETRIES[3][1]);
    const scalar = gpu.createKernel(conv1x1KernelSource(geometry), {
      output: [6, 7, 8],
      precision: 'single',
      argumentTypes: { x: 'Array', ox: 'Integer', oy: 'Integer', oz: 'Integer', lo: 'Float', hi: 'Float' },
      constants: { w: new Float32Array(64), p: new Float32Array(8), b: new Float32Array(8) },
      loopMaxIterations: 9,
    });
    scalar.build(new Float32Array(16 * 7 * 6), 0, 0, 0, 0, 0);
    expect(shaderLoopFetches(scalar.kernel.compiledFragmentShader)).toBe(2);
    const pack = gpu.createKernel('function f() { return [1, 2, 3, 4]; }', { output: [6, 7, 4], precision: 'single', returnType: 'Array(4)', pipeline: true });
    const x = (pack as unknown as () => unknown)();
    const packW = gpu.createKernel('function f() { return [1, 2, 3, 4]; }', { output: [2, 4, 2], precision: 'single', returnType: 'Array(4)', pipeline: true });
    const w = (packW as unknown as () => unknown)();
    const vec4 = gpu.createKernel(conv1x1Vec4KernelSource(geometry), {
      output: [6, 7, 2],
      precision: 'single',
      returnType: 'Array(4)',
      argumentTypes: { x: 'ArrayTexture(4)', w: 'ArrayTexture(4)', ox: 'Integer', oy: 'Integer', oz: 'Integer', lo: 'Float', hi: 'Float' },
      constants: { p: new Float32Array(8), b: new Float32Array(8) },
      loopMaxIterations: 3,
    });
    vec4.build(x, w, 0, 0, 0, 0, 0);
    expect(shaderLoopFetches(vec4.kernel.compiledFragmentShader)).toBe(5);
    gpu.destroy();
  });

  it('runs the vec4 kernel on every layout (grouped K or Co/g not multiples of 4 packed per group, host runs only) and matches the reference', async () => {
    const registry = gpujsRegistry({ mode: 'headlessgl', maxTextureSize: 8, maxChunkElements: 64 });
    for (const [name, problem] of [...GEOMETRIES, ...PER_GROUP_GEOMETRIES]) {
      const operator = await prepareConv1x1(problem, { backend: 'gpujs', strict: true, registry });
      expect(operator.info.details.variant, name).toBe('vec4');
      expect(operator.canRunResident, name).toBe(!PER_GROUP_GEOMETRIES.some(([n]) => n === name));
      expect(operator.info.details.chunks as number, name).toBeGreaterThan(1);
      const x = randomInput(problem, 9);
      expectWithinBound(operator, problem, x.data, (await operator.run(x)).data, name);
      expect([...operator.runSync(x).data], `${name}: runSync`).toEqual([...(await operator.run(x)).data]);
      operator.dispose();
    }
    await registry.dispose();
  });

  it('uploads the input once per image, whatever the number of output chunks (the scalar kernel: once per chunk)', async () => {
    const problem = makeProblem([2, 8, 12, 12], 16, { bias: true }, 6);
    const x = randomInput(problem, 7);
    const uploads: Record<string, number> = {};
    for (const kernel of ['auto', 'scalar'] as const) {
      const counter = floatUploadCounter();
      const registry = gpujsRegistry({ mode: 'headlessgl', maxChunkElements: 256, kernel });
      const operator = await prepareConv1x1(problem, { backend: 'gpujs', strict: true, registry });
      await operator.run(x); // warm: textures allocated
      counter.counting = true;
      await operator.run(x);
      counter.restore();
      uploads[kernel] = counter.uploads;
      expect(operator.info.details.chunks as number).toBeGreaterThanOrEqual(4);
      uploads[`${kernel} chunks`] = operator.info.details.chunks as number;
      await registry.dispose();
    }
    expect(uploads.auto).toBe(2);
    expect(uploads.scalar).toBe(2 * uploads['scalar chunks']);
  });

  it('chains 3 layers on the device (no readback between them) within the bound of each layer, equal to host runs', async () => {
    const registry = gpujsRegistry({ mode: 'headlessgl' });
    const layers: Conv1x1Problem[] = [
      makeProblem([2, 24, 9, 7], 40, { inputLayout: 'NCHW', outputLayout: 'NHWC', bias: true, activation: 'relu6' }, 21),
      makeProblem([2, 40, 9, 7], 18, { inputLayout: 'NHWC', outputLayout: 'NHWC', bias: true, padding: 1 }, 22),
      makeProblem([2, 18, 11, 9], 20, { inputLayout: 'NHWC', outputLayout: 'NCHW', stride: 2, activation: { type: 'clamp', min: -1, max: 1 } }, 23),
    ];
    const operators = await Promise.all(layers.map((p) => prepareConv1x1(p, { backend: 'gpujs', strict: true, registry })));
    const x = randomInput(layers[0], 24);
    let current: Tensor | Awaited<ReturnType<Conv1x1Operator['runResident']>> = x;
    let hostInput = x;
    const residents = [];
    for (const [i, operator] of operators.entries()) {
      const resident = await operator.runResident(current);
      expect(resident).toMatchObject({ shape: operator.geometry.outputShape, layout: operator.geometry.outputLayout, backend: 'gpujs', disposed: false });
      const seen = await resident.read();
      expectWithinBound(operator, layers[i], hostInput.data, seen.data, `layer ${i + 1}`);
      // The host path computes the same values from the same input.
      expect([...(await operator.run(hostInput)).data], `layer ${i + 1} host run`).toEqual([...seen.data]);
      residents.push(resident);
      current = resident;
      hostInput = seen;
    }
    // read into a caller's tensor
    const out = createTensor(new Float32Array(hostInput.data.length), operators[2].geometry.outputShape, 'NCHW');
    expect([...(await residents[2].read(out)).data]).toEqual([...hostInput.data]);
    for (const resident of residents) resident.dispose();
    await expect(residents[0].read()).rejects.toBeInstanceOf(DisposedError);
    residents[0].dispose(); // idempotent
    await expect(operators[1].runResident(residents[0])).rejects.toBeInstanceOf(DisposedError);
    await registry.dispose();
  });

  it('rejects a resident tensor of another shape, layout or backend instance; disposing the operator disposes its outputs', async () => {
    const registry = gpujsRegistry({ mode: 'headlessgl' });
    const first = await prepareConv1x1(makeProblem([1, 8, 4, 4], 16, {}, 31), { backend: 'gpujs', strict: true, registry });
    const wrongShape = await prepareConv1x1(makeProblem([1, 12, 4, 4], 4, {}, 32), { backend: 'gpujs', strict: true, registry });
    const wrongLayout = await prepareConv1x1(makeProblem([1, 16, 4, 4], 4, { inputLayout: 'NHWC' }, 33), { backend: 'gpujs', strict: true, registry });
    const resident = await first.runResident(randomInput(makeProblem([1, 8, 4, 4], 16), 34));
    await expect(wrongShape.runResident(resident)).rejects.toBeInstanceOf(ShapeMismatchError);
    await expect(wrongLayout.runResident(resident)).rejects.toBeInstanceOf(InvalidTensorError);
    await expect(resident.read(createTensor(new Float32Array(16 * 16), [1, 16, 4, 4], 'NHWC'))).rejects.toBeInstanceOf(InvalidTensorError);
    const other = gpujsRegistry({ mode: 'headlessgl' });
    const foreign = await prepareConv1x1(makeProblem([1, 16, 4, 4], 4, {}, 35), { backend: 'gpujs', strict: true, registry: other });
    await expect(foreign.runResident(resident)).rejects.toBeInstanceOf(InvalidArgumentError);
    await other.dispose();
    first.dispose();
    expect(resident.disposed).toBe(true);
    await expect(resident.read()).rejects.toBeInstanceOf(DisposedError);
    await registry.dispose();
  });

  it('frees every kernel and resident texture: resources return to their start after prepare → runResident → dispose', async () => {
    const backend = new GpujsBackend({ mode: 'headlessgl' });
    await backend.init();
    const start = backend.resources.gpujsKernels;
    const registry = new BackendRegistry();
    registry.register('gpujs', () => backend);
    for (let i = 0; i < 5; i++) {
      const op = await prepareConv1x1(makeProblem([1, 8, 40, 40], 12, {}, 41), { backend: 'gpujs', strict: true, registry, });
      const r = await op.runResident(randomInput(makeProblem([1, 8, 40, 40], 12), 42));
      await r.read();
      op.dispose();
    }
    expect(backend.resources).toEqual({ operators: 0, gpujsKernels: start });
    await registry.dispose();
  });
});

describe('resident results outside the GL modes', () => {
  for (const mode of ['cpu', 'webasm'] as GpujsMode[]) {
    it(`${mode}: no runResident (results are in host memory already); core says so`, async () => {
      const registry = gpujsRegistry({ mode });
      const problem = makeProblem([1, 8, 3, 3], 4, {}, 51);
      const operator = await prepareConv1x1(problem, { backend: 'gpujs', strict: true, registry });
      expect(operator.canRunResident).toBe(false);
      expect(operator.info.details.variant).toBe('scalar');
      await expect(operator.runResident(randomInput(problem, 52))).rejects.toBeInstanceOf(InvalidArgumentError);
      await registry.dispose();
    });
  }
});

describe('renderer policy of auto mode (renderer string injected)', () => {
  for (const renderer of ['llvmpipe (LLVM 15.0.7, 256 bits)', 'Mesa swrast', 'Google SwiftShader', 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)']) {
    it(`declines a software renderer and names it: ${renderer}`, async () => {
      const backend = new GpujsBackend({}, { load: async () => ({ ok: true, gpujs: fakeGpujs(renderer) }) });
      const availability = await backend.probe();
      expect(availability.available).toBe(false);
      if (!availability.available) {
        expect(availability.reason).toContain(renderer);
        expect(availability.reason).toMatch(/software rasteriser/);
      }
      // Asked for by name, the same renderer runs (and says what it is).
      const named = new GpujsBackend({ mode: 'headlessgl' }, { load: async () => ({ ok: true, gpujs: fakeGpujs(renderer) }) });
      await named.init();
      expect(named.renderer).toEqual({ renderer, software: true, source: 'WEBGL_debug_renderer_info' });
    });
  }

  for (const renderer of ['NVIDIA GeForce RTX 4090/PCIe/SSE2', 'AMD Radeon Pro 5500M OpenGL Engine', 'ANGLE (Apple, Apple M2, OpenGL 4.1)']) {
    it(`is available on a hardware renderer and reports it: ${renderer}`, async () => {
      const backend = new GpujsBackend({}, { load: async () => ({ ok: true, gpujs: fakeGpujs(renderer) }) });
      expect(await backend.probe()).toEqual({ available: true });
      await backend.init();
      expect(backend.mode).toBe('headlessgl');
      expect(backend.renderer).toEqual({ renderer, software: false, source: 'WEBGL_debug_renderer_info' });
    });
  }

  it.skipIf(glSkipReason !== '')('on this machine: headlessgl asked for by name reports the software renderer in info.details', async () => {
    const registry = gpujsRegistry({ mode: 'headlessgl' });
    const operator = await prepareConv1x1(makeProblem([1, 4, 2, 2], 4), { backend: 'gpujs', strict: true, registry });
    expect(operator.info.details).toMatchObject({ softwareRenderer: true });
    expect(String(operator.info.details.renderer)).toMatch(/swrast|llvmpipe/);
    await registry.dispose();
  });
});
