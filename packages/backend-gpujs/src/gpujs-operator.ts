import {
  BackendFailureError,
  DisposedError,
  type BackendOperator,
  type Conv1x1Geometry,
  type ExecutionInfo,
  type PrepareRequest,
  type Tensor,
} from '@pointwise/core';
import { outputGrid, planChunks, type Chunk, type ChunkLimits, type OutputGrid } from './chunk-plan.js';
import type { GpuJsInstance, GpuJsKernelClass, GpuJsKernelShortcut, GpuJsModule, GpuJsOutput } from './gpujs-api.js';
import { conv1x1KernelSource, inputDimensions } from './kernel-source.js';
import type { GpujsMode } from './options.js';

/** Registry name of this backend (also the `backend` of every error it raises). */
export const GPUJS_BACKEND_NAME = 'gpujs';

/** What an operator needs from an initialised backend. */
export interface GpujsContext {
  readonly gpujs: GpuJsModule;
  readonly gpu: GpuJsInstance;
  readonly mode: GpujsMode;
  readonly kernelClass: GpuJsKernelClass;
  readonly limits: ChunkLimits;
  /** Engine details every operator reports (renderer, …). */
  readonly details: Readonly<Record<string, string | number | boolean>>;
}

interface ChunkKernel {
  readonly chunk: Chunk;
  readonly kernel: GpuJsKernelShortcut;
}

function shapeKey(size: readonly number[]): string {
  return size.join('x');
}

/**
 * Copies one chunk's result (`[z][y]` rows of `x` values, or the flat
 * x-fastest array some modes return) into the output tensor: each row is a
 * contiguous run of the output in its layout, so this is a readback, not a
 * pass over the tensor.
 */
function storeChunk(result: GpuJsOutput, out: Float32Array, base: number, grid: OutputGrid, chunk: Chunk): void {
  const [cx, cy, cz] = chunk.size;
  const [ox, oy, oz] = chunk.origin;
  for (let z = 0; z < cz; z++) {
    const plane = result instanceof Float32Array ? null : (result[z] as GpuJsOutput);
    for (let y = 0; y < cy; y++) {
      const row =
        plane === null
          ? (result as Float32Array).subarray((z * cy + y) * cx, (z * cy + y + 1) * cx)
          : plane instanceof Float32Array
            ? plane.subarray(y * cx, (y + 1) * cx)
            : (plane[y] as Float32Array);
      out.set(row, base + (oz + z) * grid.strideZ + (oy + y) * grid.strideY + ox);
    }
  }
}

/**
 * A prepared convolution on gpu.js: one compiled kernel per distinct chunk
 * shape (one kernel when the output fits a single chunk), the weights and
 * bias held as kernel constants — uploaded once when the kernel is built
 * (a texture on GL, module memory on webasm), never per run.
 *
 * Each run uploads `x` (a gpu.js `Input` over the caller's array, not a
 * copy), calls the kernel once per image and chunk, and copies each
 * chunk's rows into `out`. After every call it checks that gpu.js still
 * runs the kernel class it was asked for: gpu.js replaces a kernel that
 * fails with its CPU kernel and only warns on the console, which this
 * backend turns into a `BackendFailureError`.
 */
export class GpujsOperator implements BackendOperator {
  readonly geometry: Conv1x1Geometry;
  readonly info: ExecutionInfo;
  readonly #context: GpujsContext;
  readonly #grid: OutputGrid;
  readonly #chunks: readonly ChunkKernel[];
  readonly #kernels: readonly GpuJsKernelShortcut[];
  readonly #inputDims: [number, number, number];
  #disposed = false;

  private constructor(context: GpujsContext, geometry: Conv1x1Geometry, grid: OutputGrid, chunks: ChunkKernel[], kernels: GpuJsKernelShortcut[]) {
    this.#context = context;
    this.geometry = geometry;
    this.#grid = grid;
    this.#chunks = chunks;
    this.#kernels = kernels;
    this.#inputDims = inputDimensions(geometry);
    this.info = {
      backend: GPUJS_BACKEND_NAME,
      details: { ...context.details, mode: context.mode, kernel: context.kernelClass.name, chunks: chunks.length, kernels: kernels.length },
    };
  }

  /**
   * Plans the chunks, creates and builds (compiles) one kernel per chunk
   * shape. Copies the weights and bias first: the caller may change its
   * arrays after `prepare`, and gpu.js may re-read constants on a rebuild.
   * @throws {BackendFailureError} when gpu.js cannot build a kernel, or builds it on another kernel class.
   */
  static create(context: GpujsContext, request: PrepareRequest): GpujsOperator {
    const { geometry } = request;
    const grid = outputGrid(geometry);
    const rule = (size: readonly [number, number, number]) => {
      const [w, h] = context.gpujs.utils.getKernelTextureSize({ precision: 'single' }, size);
      return [w, h] as const;
    };
    // N = 0: nothing to compute, nothing to compile (core never calls run for an empty output).
    const plan = geometry.batch === 0 ? { chunks: [] } : planChunks(grid.size, context.limits, rule);
    const weights = context.gpujs.input(request.weights.slice(), [geometry.inChannelsPerGroup, geometry.outChannels]);
    const constants: Record<string, unknown> = { w: weights };
    if (request.bias !== null) constants.b = request.bias.slice();
    const source = conv1x1KernelSource(geometry);
    const byShape = new Map<string, GpuJsKernelShortcut>();
    const chunks: ChunkKernel[] = [];
    // Built only when there is a kernel to build: with N = 0 the input is empty and gpu.js rejects it.
    const probeInput =
      plan.chunks.length === 0
        ? null
        : context.gpujs.input(new Float32Array(geometry.inputShape.reduce((a, b) => a * b, 1)), inputDimensions(geometry));
    try {
      for (const chunk of plan.chunks) {
        const key = shapeKey(chunk.size);
        let kernel = byShape.get(key);
        if (kernel === undefined) {
          const [w, h] = rule(chunk.size);
          if (w > context.limits.maxTextureSize || h > context.limits.maxTextureSize) {
            throw new BackendFailureError(GPUJS_BACKEND_NAME, `chunk ${key} needs a ${w}×${h} texture, over the limit ${context.limits.maxTextureSize}`);
          }
          kernel = context.gpu.createKernel(source, {
            output: [chunk.size[0], chunk.size[1], chunk.size[2]],
            precision: 'single',
            tactic: 'precision',
            constants,
            loopMaxIterations: geometry.inChannelsPerGroup + 1,
            asyncMode: context.mode === 'webgpu',
          });
          byShape.set(key, kernel);
          kernel.build(probeInput!, 0, 0, 0, 0);
          checkKernelClass(context, kernel);
        }
        chunks.push({ chunk, kernel });
      }
    } catch (error) {
      for (const kernel of byShape.values()) kernel.destroy();
      if (error instanceof BackendFailureError) throw error;
      throw new BackendFailureError(GPUJS_BACKEND_NAME, `gpu.js could not build the ${context.mode} kernel: ${reasonOf(error)}`, { cause: error });
    }
    return new GpujsOperator(context, geometry, grid, chunks, [...byShape.values()]);
  }

  async run(x: Tensor, out: Tensor): Promise<void> {
    const input = this.#begin(x);
    for (let n = 0; n < this.geometry.batch; n++) {
      for (const { chunk, kernel } of this.#chunks) {
        const result = await kernel(input, n, chunk.origin[0], chunk.origin[1], chunk.origin[2]);
        this.#store(kernel, result, out, n, chunk);
      }
    }
  }

  runSync(x: Tensor, out: Tensor): void {
    if (this.#context.mode === 'webgpu') {
      throw new BackendFailureError(GPUJS_BACKEND_NAME, 'webgpu kernels only run asynchronously (use run)');
    }
    const input = this.#begin(x);
    for (let n = 0; n < this.geometry.batch; n++) {
      for (const { chunk, kernel } of this.#chunks) {
        const result = kernel(input, n, chunk.origin[0], chunk.origin[1], chunk.origin[2]) as GpuJsOutput;
        this.#store(kernel, result, out, n, chunk);
      }
    }
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const kernel of this.#kernels) kernel.destroy();
  }

  #begin(x: Tensor) {
    if (this.#disposed) throw new DisposedError('gpujs operator');
    return this.#context.gpujs.input(x.data, this.#inputDims);
  }

  #store(kernel: GpuJsKernelShortcut, result: GpuJsOutput, out: Tensor, n: number, chunk: Chunk): void {
    checkKernelClass(this.#context, kernel);
    storeChunk(result, out.data, n * this.#grid.strideN, this.#grid, chunk);
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Throws when gpu.js swapped the kernel for another class (its silent CPU fallback). */
function checkKernelClass(context: GpujsContext, kernel: GpuJsKernelShortcut): void {
  const actual = kernel.kernel.constructor;
  if (actual !== context.kernelClass) {
    const why = kernel.kernel.fallbackReason ? `: ${kernel.kernel.fallbackReason}` : '';
    throw new BackendFailureError(GPUJS_BACKEND_NAME, `gpu.js ran the kernel as ${actual.name} instead of ${context.kernelClass.name}${why}`);
  }
}
