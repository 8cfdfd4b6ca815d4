import {
  BackendCapacityError,
  BackendFailureError,
  DisposedError,
  InvalidArgumentError,
  PointwiseError,
  paddedCellValues,
  type BackendOperator,
  type Conv1x1Geometry,
  type ExecutionInfo,
  type PrepareRequest,
  type ResidentTensor,
  type Tensor,
} from '@pointwise/core';
import { outputGrid, planChunks, type Chunk, type ChunkLimits, type OutputGrid } from './chunk-plan.js';
import type { GpuJsInstance, GpuJsKernelClass, GpuJsKernelShortcut, GpuJsModule, GpuJsOutput, GpuJsTexture } from './gpujs-api.js';
import { isGlMode } from './capabilities.js';
import { channelPacking } from './channel-packing.js';
import { KERNEL_ARGUMENT_TYPES, conv1x1KernelSource, inputDimensions, kernelClampBounds } from './kernel-source.js';
import type { GpujsKernelOption, GpujsMode } from './options.js';
import { ResidentOutputs, residentInput } from './resident.js';
import { Vec4Program } from './vec4-program.js';

/** Registry name of this backend (also the `backend` of every error it raises). */
export const GPUJS_BACKEND_NAME = 'gpujs';

/** What an operator needs from an initialised backend. */
export interface GpujsContext {
  readonly gpujs: GpuJsModule;
  readonly gpu: GpuJsInstance;
  readonly mode: GpujsMode;
  readonly kernelClass: GpuJsKernelClass;
  readonly limits: ChunkLimits;
  /** Largest texture side the context allows for inputs and constants (GL modes; `Infinity` in the others). */
  readonly contextTextureSize: number;
  /** Engine details every operator reports (renderer, …). */
  readonly details: Readonly<Record<string, string | number | boolean>>;
  /** The backend's `kernel` option (GL modes: `'auto'` runs the `vec4` kernel where it applies). */
  readonly kernelOption?: GpujsKernelOption;
}

/**
 * Which kernel a geometry runs in a context: the channel-packed `vec4` kernel (GL modes: {@link Vec4Program},
 * where its textures fit the context; `webgpu`: the WGSL program of `webgpu-program.ts`, which may still
 * decline a geometry over the device's limits) or the scalar one (`cpu`, `webasm`, `kernel: 'scalar'`).
 */
export function kernelVariantOf(context: GpujsContext, geometry: Conv1x1Geometry): 'vec4' | 'scalar' {
  if ((context.kernelOption ?? 'auto') !== 'auto') return 'scalar';
  if (context.mode === 'webgpu') return 'vec4';
  return isGlMode(context.mode) && Vec4Program.fitsContext(context, geometry) ? 'vec4' : 'scalar';
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
  // Emptied by dispose(): a disposed operator that something still references holds no kernel.
  #chunks: readonly ChunkKernel[];
  #kernels: readonly GpuJsKernelShortcut[];
  /** Every kernel object gpu.js added to its instance's `kernels` list while this operator was built. */
  #instanceKernels: readonly unknown[];
  readonly #inputDims: [number, number, number];
  /** Elements of one input image. */
  readonly #imageSize: number;
  readonly #lo: number;
  readonly #hi: number;
  readonly #onDispose: (operator: GpujsOperator) => void;
  /** The channel-packed GL program, or `null` where the scalar kernel runs. */
  #program: Vec4Program | null;
  /** Resident outputs still alive: disposed with the operator (their textures live in its kernels' context). */
  readonly #residents = new ResidentOutputs<GpuJsTexture>();
  #disposed = false;
  /**
   * Present in GL modes when the `vec4` kernel runs with the plain channel packing (see
   * {@link GpujsOperator.runResident}); absent elsewhere (`cpu`, `webasm`, the scalar kernel: their results
   * live in host memory already; grouped layers whose `K` or `Co/g` is not a multiple of 4, packed per group). (`webgpu`'s
   * resident results come from its own operator, `WebGpuOperator`.)
   */
  readonly runResident?: (x: Tensor | ResidentTensor) => Promise<ResidentTensor>;

  private constructor(
    context: GpujsContext,
    geometry: Conv1x1Geometry,
    grid: OutputGrid,
    chunks: ChunkKernel[],
    kernels: GpuJsKernelShortcut[],
    instanceKernels: unknown[],
    onDispose: (operator: GpujsOperator) => void,
    program: Vec4Program | null,
    variant: 'vec4' | 'scalar',
  ) {
    this.#context = context;
    this.#program = program;
    // Resident tensors hold the plain packing; a layer packed per group (see channelPacking) runs on the host only.
    if (variant === 'vec4' && channelPacking(geometry).plain) this.runResident = (x) => this.#runResident(x);
    this.geometry = geometry;
    this.#grid = grid;
    this.#chunks = chunks;
    this.#kernels = kernels;
    this.#instanceKernels = instanceKernels;
    this.#onDispose = onDispose;
    this.#inputDims = inputDimensions(geometry);
    this.#imageSize = geometry.inChannels * geometry.inHeight * geometry.inWidth;
    const { lo, hi } = kernelClampBounds(geometry);
    this.#lo = lo;
    this.#hi = hi;
    this.info = {
      backend: GPUJS_BACKEND_NAME,
      details: {
        ...context.details,
        mode: context.mode,
        kernel: context.kernelClass.name,
        variant,
        chunks: program ? program.chunks.length : chunks.length,
        kernels: program ? program.kernels.length : kernels.length,
      },
    };
  }

  /**
   * Plans the chunks, creates and builds (compiles) one kernel per chunk
   * shape. Copies the weights and bias first: the caller may change its
   * arrays after `prepare`, and gpu.js may re-read constants on a rebuild.
   * @param onDispose called once when the operator is disposed (the backend forgets it).
   * @throws {BackendCapacityError} when the problem is valid but exceeds a limit of this mode (texture size,
   *   exact float index range): selection falls back to the next backend.
   * @throws {BackendFailureError} when gpu.js cannot build a kernel, or builds it on another kernel class.
   */
  static create(context: GpujsContext, request: PrepareRequest, onDispose: (operator: GpujsOperator) => void = () => {}): GpujsOperator {
    const { geometry } = request;
    const grid = outputGrid(geometry);
    const rule = (size: readonly [number, number, number]) => {
      const [w, h] = context.gpujs.utils.getKernelTextureSize({ precision: 'single' }, size);
      return [w, h] as const;
    };
    checkCapacity(context, geometry);
    // webgpu's vec4 program is a WebGpuOperator (the backend builds it); here webgpu runs the scalar kernel.
    if (isGlMode(context.mode) && kernelVariantOf(context, geometry) === 'vec4') return GpujsOperator.#createVec4(context, request, grid, onDispose);
    // N = 0: nothing to compute, nothing to compile (core never calls run for an empty output).
    const plan = geometry.batch === 0 ? { chunks: [] } : planChunks(grid.size, context.limits, rule);
    const weights = context.gpujs.input(request.weights.slice(), [geometry.inChannelsPerGroup, geometry.outChannels]);
    const constants: Record<string, unknown> = { w: weights };
    if (request.bias !== null) constants.b = request.bias.slice();
    const padded = geometry.padTop + geometry.padBottom + geometry.padLeft + geometry.padRight > 0;
    if (padded) constants.p = paddedCellValues(geometry, request.weights, request.bias);
    const { lo, hi } = kernelClampBounds(geometry);
    const source = conv1x1KernelSource(geometry);
    const byShape = new Map<string, GpuJsKernelShortcut>();
    const chunks: ChunkKernel[] = [];
    const instanceList = context.gpu.kernels;
    const before = new Set(instanceList ?? []);
    // Built only when there is a kernel to build: with N = 0 the input is empty and gpu.js rejects it.
    const probeInput =
      plan.chunks.length === 0
        ? null
        : context.gpujs.input(new Float32Array(geometry.inChannels * geometry.inHeight * geometry.inWidth), inputDimensions(geometry));
    try {
      for (const chunk of plan.chunks) {
        const key = shapeKey(chunk.size);
        let kernel = byShape.get(key);
        if (kernel === undefined) {
          const [w, h] = rule(chunk.size);
          if (w > context.limits.maxTextureSize || h > context.limits.maxTextureSize) {
            throw new BackendCapacityError(
              GPUJS_BACKEND_NAME,
              `texture size ${context.limits.maxTextureSize}`,
              `output chunk ${key} needs a ${w}×${h} texture`,
            );
          }
          kernel = context.gpu.createKernel(source, {
            output: [chunk.size[0], chunk.size[1], chunk.size[2]],
            precision: 'single',
            tactic: 'precision',
            constants,
            argumentTypes: KERNEL_ARGUMENT_TYPES,
            loopMaxIterations: geometry.inChannelsPerGroup + 1,
            asyncMode: context.mode === 'webgpu',
          });
          byShape.set(key, kernel);
          kernel.build(probeInput!, 0, 0, 0, lo, hi);
          checkKernelClass(context, kernel);
        }
        chunks.push({ chunk, kernel });
      }
    } catch (error) {
      releaseKernels(context, [...byShape.values()], addedKernels(instanceList, before));
      throw asBuildError(context, error);
    }
    const kernels = [...byShape.values()];
    return new GpujsOperator(context, geometry, grid, chunks, kernels, addedKernels(instanceList, before), onDispose, null, 'scalar');
  }

  /** The GL path with the channel-packed `vec4` kernel ({@link Vec4Program}); nothing is built for `N = 0`. */
  static #createVec4(context: GpujsContext, request: PrepareRequest, grid: OutputGrid, onDispose: (operator: GpujsOperator) => void): GpujsOperator {
    const instanceList = context.gpu.kernels;
    const before = new Set(instanceList ?? []);
    const built: GpuJsKernelShortcut[] = [];
    let program: Vec4Program | null = null;
    if (request.geometry.batch > 0) {
      try {
        program = Vec4Program.create(context, request, context.limits, built);
        for (const kernel of built) checkKernelClass(context, kernel);
      } catch (error) {
        releaseKernels(context, built, addedKernels(instanceList, before));
        throw asBuildError(context, error);
      }
    }
    return new GpujsOperator(context, request.geometry, grid, [], program ? [...program.kernels] : [], addedKernels(instanceList, before), onDispose, program, 'vec4');
  }

  async run(x: Tensor, out: Tensor): Promise<void> {
    this.#checkLive();
    if (this.#program) return this.#runVec4(x, out);
    for (let n = 0; n < this.geometry.batch; n++) {
      const input = this.#image(x, n);
      for (const { chunk, kernel } of this.#chunks) {
        const result = await kernel(input, chunk.origin[0], chunk.origin[1], chunk.origin[2], this.#lo, this.#hi);
        this.#store(kernel, result, out, n, chunk);
      }
    }
  }

  runSync(x: Tensor, out: Tensor): void {
    if (this.#context.mode === 'webgpu') {
      throw new BackendFailureError(GPUJS_BACKEND_NAME, 'webgpu kernels only run asynchronously (use run)');
    }
    this.#checkLive();
    if (this.#program) return this.#runVec4(x, out);
    for (let n = 0; n < this.geometry.batch; n++) {
      const input = this.#image(x, n);
      for (const { chunk, kernel } of this.#chunks) {
        const result = kernel(input, chunk.origin[0], chunk.origin[1], chunk.origin[2], this.#lo, this.#hi) as GpuJsOutput;
        this.#store(kernel, result, out, n, chunk);
      }
    }
  }

  /**
   * Destroys this operator's kernels (GL programs, textures, framebuffers; wasm
   * modules and memories) and removes them from the gpu.js instance's
   * `kernels` list, which otherwise keeps every kernel ever built alive until
   * the backend is disposed (gpu.js's CPU kernel does not remove itself).
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#residents.disposeAll();
    this.#program = null;
    releaseKernels(this.#context, this.#kernels, this.#instanceKernels);
    this.#chunks = [];
    this.#kernels = [];
    this.#instanceKernels = [];
    this.#onDispose(this);
  }

  /** Each image: one upload and pack, then every chunk reads the packed texture (no re-upload per chunk). */
  #runVec4(x: Tensor, out: Tensor): void {
    const program = this.#program!;
    const check = (kernel: GpuJsKernelShortcut) => checkKernelClass(this.#context, kernel);
    for (let n = 0; n < this.geometry.batch; n++) {
      const packed = program.packImage(x.data.subarray(n * this.#imageSize, (n + 1) * this.#imageSize));
      checkKernelClass(this.#context, program.kernels[0]);
      program.runImage(packed, out.data, n * this.#grid.strideN, check);
    }
  }

  /**
   * Runs and keeps the output on the device: one pipeline texture per image (4 channels per texel, the
   * packing the next layer's `vec4` kernel reads), no readback. `x` is a host tensor (uploaded and packed
   * once per image) or a resident output of an operator of the same backend instance (read in place).
   * Each image's output is one texture, computed in one draw: it must fit the context's `MAX_TEXTURE_SIZE`
   * (the `maxTextureSize` / `maxChunkElements` options bound host runs only).
   * @throws {DisposedError} after `dispose()`, or for a disposed resident input.
   * @throws {InvalidArgumentError} for a resident tensor of another gpu.js instance.
   * @throws {BackendCapacityError} when one image's output does not fit one texture.
   */
  async #runResident(x: Tensor | ResidentTensor): Promise<ResidentTensor> {
    this.#checkLive();
    const resident = residentInput<GpuJsTexture>(x, this.#context.gpu);
    const program = this.#program;
    const textures: GpuJsTexture[] = [];
    const check = (kernel: GpuJsKernelShortcut) => checkKernelClass(this.#context, kernel);
    const track = (kernel: GpuJsKernelShortcut) => {
      this.#kernels = [...this.#kernels, kernel];
      this.#instanceKernels = [...this.#instanceKernels, kernel.kernel];
    };
    try {
      for (let n = 0; n < this.geometry.batch; n++) {
        const input = resident !== null ? resident.texture(n) : program!.packImage((x as Tensor).data.subarray(n * this.#imageSize, (n + 1) * this.#imageSize));
        textures.push(program!.runImageResident(input, check, track));
      }
    } catch (error) {
      for (const texture of textures) texture.delete();
      throw error;
    }
    return this.#residents.issue(GPUJS_BACKEND_NAME, this.#context.gpu, this.geometry, textures, (texture, out, base) => program!.readImage(texture, out, base));
  }

  #checkLive(): void {
    if (this.#disposed) throw new DisposedError('gpujs operator');
  }

  /** Image `n` of the input as a gpu.js `Input` over a view of the caller's array (no copy). */
  #image(x: Tensor, n: number) {
    const size = this.#imageSize;
    return this.#context.gpujs.input(x.data.subarray(n * size, (n + 1) * size), this.#inputDims);
  }

  #store(kernel: GpuJsKernelShortcut, result: GpuJsOutput, out: Tensor, n: number, chunk: Chunk): void {
    checkKernelClass(this.#context, kernel);
    storeChunk(result, out.data, n * this.#grid.strideN, this.#grid, chunk);
  }
}

/** A build failure as this backend reports it: capacity for gpu.js's own size limits, failure otherwise. */
function asBuildError(context: GpujsContext, error: unknown): Error {
  if (PointwiseError.isInstance(error) && (error.code === 'BACKEND_FAILURE' || error.code === 'BACKEND_CAPACITY')) return error as Error;
  const reason = reasonOf(error);
  // gpu.js's own size checks ("Texture size exceeded", context creation for a size) are limits of this
  // mode, not the caller's mistake: reported as capacity so selection falls back.
  if (/texture size|exceed|out of memory|too large|context lost|upper bound|WebAssembly\.Memory|allocation failed/i.test(reason)) {
    return new BackendCapacityError(GPUJS_BACKEND_NAME, `gpu.js ${context.mode} limits`, reason);
  }
  return new BackendFailureError(GPUJS_BACKEND_NAME, `gpu.js could not build the ${context.mode} kernel: ${reason}`, { cause: error });
}

/** Exact range of float32 integers: every integer up to 2²⁴ is representable. */
const FLOAT32_EXACT = 2 ** 24;
/** Signed 32-bit integers (GLSL `highp int`, wasm `i32`) hold values below 2³¹. */
const INT32_LIMIT = 2 ** 31;
/** A 32-bit WebAssembly memory holds at most 65536 pages of 64 KiB. */
const WASM_MEMORY_BYTES = 2 ** 32;
/** gpu.js adds 16 pages to each module's memory; one more MiB for its own bookkeeping. */
const WASM_MEMORY_SLACK = 2 ** 21;

/**
 * Limits of a mode that a valid problem can exceed, checked before anything is
 * compiled (README “Index arithmetic”):
 * - GL modes: one input image (4 floats per texel) and the weights must each
 *   fit a texture of the context's `MAX_TEXTURE_SIZE` (gpu.js's own sizing rule);
 * - every mode but `cpu`: padded input sizes, `Co` and one image's element
 *   count below 2³¹ (32-bit integer indices); with `groups > 1` the channel
 *   base is float arithmetic, exact while `Co ≤ 2²³` and `Ci ≤ 2²⁴`;
 * - `webasm`: one image, the constants and an output chunk fit 4 GiB of
 *   WebAssembly memory.
 * @throws {BackendCapacityError}
 */
export function checkCapacity(context: GpujsContext, geometry: Conv1x1Geometry): void {
  const { gpujs, mode } = context;
  const max = context.contextTextureSize;
  if (Number.isFinite(max) && geometry.batch > 0) {
    const textures: [string, number[]][] = [
      ['one input image', [geometry.inChannels, geometry.inHeight, geometry.inWidth]],
      ['the weights', [geometry.inChannelsPerGroup, geometry.outChannels]],
    ];
    for (const [what, dims] of textures) {
      const [w, h] = gpujs.utils.getMemoryOptimizedFloatTextureSize(dims, 4);
      if (w > max || h > max) {
        throw new BackendCapacityError(GPUJS_BACKEND_NAME, `texture size ${max}`, `${what} (${dims.reduce((a, b) => a * b, 1)} values) needs a ${w}×${h} texture`);
      }
    }
  }
  if (mode !== 'cpu') {
    // Output coordinates, source coordinates (before the padding test) and channel indices are 32-bit
    // integers in GLSL / wasm / WGSL; so is gpu.js's flat index into one input image.
    const spans: [string, number][] = [
      ['padded input height', geometry.inHeight + geometry.padTop + geometry.padBottom],
      ['padded input width', geometry.inWidth + geometry.padLeft + geometry.padRight],
      ['output channels', geometry.outChannels],
      ['elements of one input image', geometry.inChannels * geometry.inHeight * geometry.inWidth],
      ['weights', geometry.outChannels * geometry.inChannelsPerGroup],
    ];
    for (const [what, value] of spans) {
      if (value >= INT32_LIMIT) {
        throw new BackendCapacityError(GPUJS_BACKEND_NAME, 'int32 index range', `${what} ${value} ≥ 2^31`);
      }
    }
  }
  if (mode === 'webasm') {
    // One module's memory holds an input image, the constants and one output chunk: 4 GiB at most.
    const chunk = Math.min(context.limits.maxChunkElements, geometry.outChannels * geometry.outHeight * geometry.outWidth);
    const floats = geometry.inChannels * geometry.inHeight * geometry.inWidth + geometry.outChannels * (geometry.inChannelsPerGroup + 2) + chunk;
    if (floats * 4 > WASM_MEMORY_BYTES - WASM_MEMORY_SLACK) {
      throw new BackendCapacityError(
        GPUJS_BACKEND_NAME,
        `WebAssembly memory ${WASM_MEMORY_BYTES} bytes`,
        `one image, the weights and an output chunk need ${floats * 4} bytes`,
      );
    }
  }
  if (mode !== 'cpu' && geometry.groups > 1 && (geometry.outChannels > FLOAT32_EXACT / 2 || geometry.inChannels > FLOAT32_EXACT)) {
    throw new BackendCapacityError(
      GPUJS_BACKEND_NAME,
      'float32 exact index range',
      `with groups > 1 the channel base is computed in float32, exact for Co ≤ 2^23 and Ci ≤ 2^24 (Co ${geometry.outChannels}, Ci ${geometry.inChannels})`,
    );
  }
}

/** The entries gpu.js appended to its instance's kernel list since `before` was taken. */
function addedKernels(list: readonly unknown[] | undefined, before: ReadonlySet<unknown>): unknown[] {
  return list === undefined ? [] : list.filter((k) => !before.has(k));
}

/**
 * Destroys kernels and removes every kernel object they put on the gpu.js
 * instance (including a kernel gpu.js switched to) from its `kernels` list.
 * Never throws: a kernel whose context is already gone is simply dropped.
 */
function releaseKernels(context: GpujsContext, shortcuts: readonly GpuJsKernelShortcut[], instanceKernels: readonly unknown[]): void {
  const owned = new Set<unknown>(instanceKernels);
  for (const shortcut of shortcuts) {
    owned.add(shortcut.kernel);
    try {
      shortcut.destroy();
    } catch {
      // already destroyed with its context
    }
  }
  const list = context.gpu.kernels;
  if (list === undefined) return;
  for (let i = list.length - 1; i >= 0; i--) {
    const kernel = list[i];
    if (!owned.has(kernel)) continue;
    list.splice(i, 1);
    if (!shortcuts.some((s) => s.kernel === kernel)) {
      try {
        (kernel as { destroy?: () => void }).destroy?.();
      } catch {
        // a replaced kernel may already be torn down
      }
    }
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
